package metrics

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/backendroadmap/grader/runner"
)

// RulesParams are the parameters of metrics.rules: an alert the learner's
// rule file must hold, and what it must say. Every field but Alert is
// optional.
type RulesParams struct {
	// File is the rule file, relative to the workspace (default rules.yml).
	File string `yaml:"file"`
	// Alert is the name of the alerting rule that must exist.
	Alert string `yaml:"alert"`
	// For bounds the alert's `for:` duration; a bound that is set makes
	// `for:` required.
	For DurationRange `yaml:"for"`
	// Labels are labels the alert must set, each to a value the regular
	// expression matches in full ("critical|warning").
	Labels map[string]string `yaml:"labels"`
	// Annotations are annotations the alert must have, not empty.
	Annotations []string `yaml:"annotations"`
	// Expr says what the alert's expression must do.
	Expr ExprRules `yaml:"expr"`

	labels map[string]*regexp.Regexp
}

// DurationRange bounds a duration: Min and Max like 5m, either optional.
type DurationRange struct {
	Min model.Duration `yaml:"min"`
	Max model.Duration `yaml:"max"`
}

// ExprRules are what an alert's expression must do, checked on its PromQL
// syntax tree.
type ExprRules struct {
	// Metrics must each be selected somewhere in the expression.
	Metrics []string `yaml:"metrics"`
	// Counters are counters that may only be read through rate(),
	// irate() or increase() over a range: a counter's raw value only
	// grows, so comparing it says nothing about now.
	Counters []string `yaml:"counters"`
	// Range, when set, is the range every counter is read over (5m).
	Range model.Duration `yaml:"range"`
	// Ratio asks for a division of one selection of the counters by
	// another (errors per request rather than errors per second).
	Ratio bool `yaml:"ratio"`
	// Select asks for a selector of one of Metrics that picks these
	// values of a label (5xx statuses) and not those.
	Select *LabelSelect `yaml:"select"`
}

// LabelSelect is a label whose values some selector must pick and refuse.
type LabelSelect struct {
	Label  string   `yaml:"label"`
	Match  []string `yaml:"match"`
	Reject []string `yaml:"reject"`
}

// maxRulesBytes is the largest rule file grader reads.
const maxRulesBytes = 256 << 10

// Validate checks the parameters.
func (p *RulesParams) Validate() error {
	if p.File == "" {
		p.File = "rules.yml"
	}
	if p.Alert == "" {
		return runner.ParamErrorf("alert", "is required: the name of the alerting rule, like HighErrorRate")
	}
	if p.For.Max != 0 && p.For.Min > p.For.Max {
		return runner.ParamErrorf("for", "min is above max")
	}
	p.labels = map[string]*regexp.Regexp{}
	for k, pat := range p.Labels {
		re, err := fullMatch(pat)
		if err != nil {
			return runner.ParamErrorf("labels."+k, "%v", err)
		}
		p.labels[k] = re
	}
	if s := p.Expr.Select; s != nil && (s.Label == "" || len(s.Match) == 0) {
		return runner.ParamErrorf("expr.select", "give label and the values it must match")
	}
	if (p.Expr.Range != 0 || p.Expr.Ratio) && len(p.Expr.Counters) == 0 {
		return runner.ParamErrorf("expr.counters", "range and ratio are about counters: name them")
	}
	return nil
}

func compileRules(_ runner.Params, prm *RulesParams) (runner.Checker, error) {
	return runner.CheckerFunc(func(_ context.Context, a runner.Attempt) runner.Outcome {
		src, missing, err := readRules(a.Dir, prm.File)
		if err != nil {
			return runner.Errored(err)
		}
		if missing != "" {
			return runner.Failed("%s", missing)
		}
		msg, ok := judgeRules(prm, src)
		if !ok {
			return runner.Failed("%s", msg)
		}
		return runner.Passed(msg)
	}), nil
}

// readRules reads the learner's file through an os.Root of the workspace,
// so no link leads out of it.
func readRules(dir, file string) (src []byte, missing string, err error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, "", fmt.Errorf("open the workspace: %w", err)
	}
	defer root.Close()
	st, err := root.Stat(file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, "there is no " + file + ": write your rules there", nil
	case err != nil:
		return nil, fmt.Sprintf("%s cannot be read: %v", file, err), nil
	case st.IsDir():
		return nil, file + " is a folder, not a rule file", nil
	case st.Size() > maxRulesBytes:
		return nil, fmt.Sprintf("%s is %d bytes: a rule file that long is not graded (the limit is %d)", file, st.Size(), maxRulesBytes), nil
	}
	src, err = root.ReadFile(file)
	if err != nil {
		return nil, fmt.Sprintf("%s cannot be read: %v", file, err), nil
	}
	return src, "", nil
}

// judgeRules checks src against prm: the message, and whether it passed.
func judgeRules(prm *RulesParams, src []byte) (string, bool) {
	rf, probs := parseRules(src)
	if len(probs) > 0 {
		for i := range probs {
			probs[i] = "  " + prm.File + ": " + probs[i]
		}
		return fmt.Sprintf("Prometheus would refuse to load %s:\n%s", prm.File, strings.Join(probs, "\n")), false
	}
	var r *rule
	var names []string
	for _, g := range rf.Groups {
		for i := range g.Rules {
			if g.Rules[i].Alert == prm.Alert {
				r = &g.Rules[i]
			}
			if g.Rules[i].Alert != "" {
				names = append(names, g.Rules[i].Alert)
			}
		}
	}
	if r == nil {
		msg := fmt.Sprintf("%s has no alerting rule named %s", prm.File, prm.Alert)
		if len(names) > 0 {
			msg += fmt.Sprintf(" (its alerts: %s). Name it `alert: %s`.", strings.Join(names, ", "), prm.Alert)
		} else {
			msg += fmt.Sprintf(": add one to a group's rules, `- alert: %s`.", prm.Alert)
		}
		return msg, false
	}
	at := fmt.Sprintf("%s:%d: alert %s", prm.File, r.line, prm.Alert)
	if msg := checkFor(prm.For, r); msg != "" {
		return at + " " + msg, false
	}
	for _, k := range sortedKeys(prm.labels) {
		v, ok := r.Labels[k]
		switch {
		case !ok:
			return fmt.Sprintf("%s has no label %s: add `labels: {%s: ...}` (one of %s) so the alert can be routed.", at, k, k, prm.Labels[k]), false
		case !prm.labels[k].MatchString(v):
			return fmt.Sprintf("%s sets label %s to %q: use one of %s.", at, k, v, prm.Labels[k]), false
		}
	}
	for _, k := range prm.Annotations {
		if strings.TrimSpace(r.Annotations[k]) == "" {
			return fmt.Sprintf("%s has no %s annotation: add `annotations: {%s: ...}`, the line a person reads when it fires.", at, k, k), false
		}
	}
	if msg := checkExpr(&prm.Expr, r.expr); msg != "" {
		return fmt.Sprintf("%s: its expression `%s` %s", at, strings.TrimSpace(r.Expr), msg), false
	}
	return fmt.Sprintf("%s loads and says what it must", at), true
}

// checkFor checks the alert's for: duration against want.
func checkFor(want DurationRange, r *rule) string {
	if want.Min == 0 && want.Max == 0 {
		return ""
	}
	got := time.Duration(r.For)
	switch {
	case !r.hasFor || got == 0:
		return fmt.Sprintf("has no `for:`: without it one bad evaluation fires it. Add `for: %s`.", suggestFor(want))
	case want.Min != 0 && got < time.Duration(want.Min):
		return fmt.Sprintf("fires after `for: %s`, less than the %s asked for.", r.For, want.Min)
	case want.Max != 0 && got > time.Duration(want.Max):
		return fmt.Sprintf("fires after `for: %s`, more than the %s asked for.", r.For, want.Max)
	}
	return ""
}

func suggestFor(want DurationRange) model.Duration {
	if want.Min != 0 {
		return want.Min
	}
	return want.Max
}

// checkExpr checks an alert's expression against want, on its syntax
// tree: "" when it holds, else what is wrong.
func checkExpr(want *ExprRules, e parser.Expr) string {
	// Every selector, with the function it is an argument of (through a
	// range) and whether it is inside a division.
	type use struct {
		vs       *parser.VectorSelector
		rng      time.Duration
		fn       string
		division bool
	}
	var uses []use
	var walk func(n parser.Node, fn string, rng time.Duration, div bool)
	walk = func(n parser.Node, fn string, rng time.Duration, div bool) {
		switch n := n.(type) {
		case *parser.VectorSelector:
			uses = append(uses, use{vs: n, rng: rng, fn: fn, division: div})
			return
		case *parser.MatrixSelector:
			walk(n.VectorSelector, fn, n.Range, div)
			return
		case *parser.Call:
			for _, a := range n.Args {
				walk(a, n.Func.Name, 0, div)
			}
			return
		case *parser.BinaryExpr:
			d := div || n.Op == parser.DIV
			walk(n.LHS, "", 0, d)
			walk(n.RHS, "", 0, d)
			return
		case *parser.SubqueryExpr:
			walk(n.Expr, "", 0, div)
			return
		}
		for _, c := range parser.Children(n) {
			walk(c, "", 0, div)
		}
	}
	walk(e, "", 0, false)
	name := func(u use) string { return u.vs.Name }
	for _, m := range want.Metrics {
		if !slices.ContainsFunc(uses, func(u use) bool { return name(u) == m }) {
			var got []string
			for _, u := range uses {
				if !slices.Contains(got, name(u)) {
					got = append(got, name(u))
				}
			}
			return fmt.Sprintf("never reads %s (it reads %s): the alert must be about the metric your server exposes.", m, orNothing(got))
		}
	}
	for _, u := range uses {
		if !slices.Contains(want.Counters, name(u)) {
			continue
		}
		switch {
		case u.rng == 0 || !slices.Contains([]string{"rate", "irate", "increase"}, u.fn):
			return fmt.Sprintf("reads the counter %s as it is: a counter only grows, so its value says nothing about now. Take its rate over a window: rate(%s[%s]).", u.vs, name(u), rangeOr(want.Range))
		case want.Range != 0 && u.rng != time.Duration(want.Range):
			return fmt.Sprintf("takes %s over %s: the exercise asks for a %s window, %s(%s[%s]).", u.fn, model.Duration(u.rng), want.Range, u.fn, u.vs, want.Range)
		}
	}
	if want.Ratio && !slices.ContainsFunc(uses, func(u use) bool { return u.division && slices.Contains(want.Counters, name(u)) }) {
		return fmt.Sprintf("is no ratio: divide the rate of errors by the rate of all requests, sum(rate(...errors...[%s])) / sum(rate(%s[%s])), so it does not depend on how busy the server is.", rangeOr(want.Range), want.Counters[0], rangeOr(want.Range))
	}
	if s := want.Select; s != nil {
		picks := func(u use) bool {
			if len(want.Metrics) > 0 && !slices.Contains(want.Metrics, name(u)) {
				return false
			}
			ok := func(v string) bool {
				for _, m := range u.vs.LabelMatchers {
					if m.Name == s.Label && !m.Matches(v) {
						return false
					}
				}
				return true
			}
			if !slices.ContainsFunc(u.vs.LabelMatchers, func(m *labels.Matcher) bool { return m.Name == s.Label }) {
				return false
			}
			for _, v := range s.Match {
				if !ok(v) {
					return false
				}
			}
			for _, v := range s.Reject {
				if ok(v) {
					return false
				}
			}
			return true
		}
		if !slices.ContainsFunc(uses, picks) {
			return fmt.Sprintf("selects no series by %s that keeps %s and leaves out %s: match the label, like {%s=~\"5..\"}.", s.Label, strings.Join(s.Match, ", "), orNothing(s.Reject), s.Label)
		}
	}
	return ""
}

func rangeOr(d model.Duration) model.Duration {
	if d == 0 {
		return model.Duration(5 * time.Minute)
	}
	return d
}

func orNothing(ss []string) string {
	if len(ss) == 0 {
		return "nothing"
	}
	return strings.Join(ss, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
