package metrics

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"text/template"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql/parser"
	"go.yaml.in/yaml/v3"
)

// ruleFile is a Prometheus rule file, in the shape rulefmt.RuleGroups
// decodes: decoding it strictly rejects what Prometheus rejects.
type ruleFile struct {
	Groups []ruleGroup `yaml:"groups"`
}

type ruleGroup struct {
	Name        string            `yaml:"name"`
	Interval    model.Duration    `yaml:"interval,omitempty"`
	QueryOffset *model.Duration   `yaml:"query_offset,omitempty"`
	Limit       int               `yaml:"limit,omitempty"`
	Rules       []rule            `yaml:"rules"`
	Labels      map[string]string `yaml:"labels,omitempty"`
}

type rule struct {
	Record        string            `yaml:"record,omitempty"`
	Alert         string            `yaml:"alert,omitempty"`
	Expr          string            `yaml:"expr"`
	For           model.Duration    `yaml:"for,omitempty"`
	KeepFiringFor model.Duration    `yaml:"keep_firing_for,omitempty"`
	Labels        map[string]string `yaml:"labels,omitempty"`
	Annotations   map[string]string `yaml:"annotations,omitempty"`

	// line is where the rule starts; expr its parsed expression.
	line int
	expr parser.Expr
	// hasFor says the rule writes a for: field.
	hasFor bool
}

// promql parses expressions as Prometheus does by default.
var promql = parser.NewParser(parser.Options{})

// typeNames turn the Go types yaml names in its errors into the learner's
// words.
var typeNames = strings.NewReplacer(
	"in type metrics.ruleFile", "at the top of a rule file (it has only groups:)",
	"in type metrics.ruleGroup", "in a group (it has name, interval, query_offset, limit, labels and rules)",
	"in type metrics.rule", "in a rule (it has alert or record, expr, for, keep_firing_for, labels and annotations)",
	"into metrics.ruleFile", "into a rule file",
	"into model.Duration", "into a duration like 5m",
)

// parseRules decodes and validates a rule file as Prometheus's rulefmt.Parse
// does (strict fields, group names, one of alert and record, expressions
// that parse, label and annotation names, templates), and returns every
// problem with its line.
func parseRules(src []byte) (*ruleFile, []string) {
	var rf ruleFile
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&rf); err != nil && !errors.Is(err, io.EOF) {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			var probs []string
			for _, e := range te.Errors {
				probs = append(probs, typeNames.Replace(e))
			}
			return nil, probs
		}
		msg := typeNames.Replace(strings.TrimPrefix(err.Error(), "yaml: "))
		if !strings.HasPrefix(msg, "line ") {
			// A value's own decoder (a duration's) names no line: find
			// the value it quotes.
			var doc yaml.Node
			if yaml.Unmarshal(src, &doc) == nil {
				if n := quoted(&doc, msg); n != nil {
					msg = fmt.Sprintf("line %d: %s", n.Line, msg)
				}
			}
		}
		return nil, []string{msg}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, []string{strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	groups := lookup(&doc, "groups")
	var probs []string
	at := func(n *yaml.Node, format string, args ...any) {
		line := 0
		if n != nil {
			line = n.Line
		}
		probs = append(probs, fmt.Sprintf("line %d: ", line)+fmt.Sprintf(format, args...))
	}
	seen := map[string]bool{}
	for j := range rf.Groups {
		g := &rf.Groups[j]
		gn := item(groups, j)
		if g.Name == "" {
			at(gn, "a group's name must not be empty")
		}
		if seen[g.Name] {
			at(gn, "group name %q is repeated in the same file", g.Name)
		}
		seen[g.Name] = true
		for k, v := range g.Labels {
			if !model.UTF8Validation.IsValidLabelName(k) || k == model.MetricNameLabel {
				at(gn, "invalid label name: %s", k)
			}
			if !model.LabelValue(v).IsValid() {
				at(gn, "invalid label value: %s", v)
			}
		}
		rules := lookup(gn, "rules")
		for i := range g.Rules {
			r := &g.Rules[i]
			rn := item(rules, i)
			if rn != nil {
				r.line = rn.Line
				r.hasFor = lookup(rn, "for") != nil
			}
			name := r.Alert + r.Record
			where := func(field string) *yaml.Node {
				if n := lookup(rn, field); n != nil {
					return n
				}
				return rn
			}
			pre := fmt.Sprintf("group %q, rule %d %q: ", g.Name, i+1, name)
			switch {
			case r.Record != "" && r.Alert != "":
				at(rn, "%sonly one of 'record' and 'alert' must be set", pre)
			case r.Record == "" && r.Alert == "":
				at(rn, "%sone of 'record' or 'alert' must be set", pre)
			}
			if r.Expr == "" {
				at(rn, "%sfield 'expr' must be set in rule", pre)
			} else if e, err := promql.ParseExpr(r.Expr); err != nil {
				at(where("expr"), "%scould not parse expression: %v", pre, err)
			} else {
				r.expr = e
			}
			if r.Record != "" {
				if len(r.Annotations) > 0 {
					at(where("annotations"), "%sinvalid field 'annotations' in recording rule", pre)
				}
				if r.For != 0 {
					at(where("for"), "%sinvalid field 'for' in recording rule", pre)
				}
				if r.KeepFiringFor != 0 {
					at(where("keep_firing_for"), "%sinvalid field 'keep_firing_for' in recording rule", pre)
				}
				if !model.UTF8Validation.IsValidMetricName(r.Record) {
					at(where("record"), "%sinvalid recording rule name: %s", pre, r.Record)
				}
				if strings.ContainsAny(r.Record, "{}") {
					at(where("record"), "%sbraces present in the recording rule name; should it be in expr?: %s", pre, r.Record)
				}
			}
			for k, v := range r.Labels {
				if !model.UTF8Validation.IsValidLabelName(k) || k == model.MetricNameLabel {
					at(where("labels"), "%sinvalid label name: %s", pre, k)
				}
				if !model.LabelValue(v).IsValid() {
					at(where("labels"), "%sinvalid label value: %s", pre, v)
				}
			}
			for k := range r.Annotations {
				if !model.UTF8Validation.IsValidLabelName(k) {
					at(where("annotations"), "%sinvalid annotation name: %s", pre, k)
				}
			}
			if r.Alert != "" {
				for k, v := range r.Labels {
					if err := parseTemplate(r.Alert, v); err != nil {
						at(where("labels"), "%slabel %q: %v", pre, k, err)
					}
				}
				for k, v := range r.Annotations {
					if err := parseTemplate(r.Alert, v); err != nil {
						at(where("annotations"), "%sannotation %q: %v", pre, k, err)
					}
				}
			}
		}
	}
	return &rf, probs
}

// templateFuncs are the names of the functions Prometheus's alert templates
// offer (prometheus/template): parsing needs only the names.
var templateFuncs = func() template.FuncMap {
	fm := template.FuncMap{}
	for _, n := range strings.Fields("query first label value strvalue args reReplaceAll safeHtml match title toUpper toLower graphLink tableLink sortByLabel stripPort stripDomain humanize humanize1024 humanizeDuration humanizePercentage humanizeTimestamp toTime toDuration now pathPrefix externalURL parseDuration urlQueryEscape") {
		fm[n] = func(...any) any { return nil }
	}
	return fm
}()

// parseTemplate parses a label or annotation as Prometheus does, with the
// variables it defines for alert templates.
func parseTemplate(alert, text string) error {
	defs := "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}"
	_, err := template.New("__alert_" + alert).Funcs(templateFuncs).Option("missingkey=zero").Parse(defs + text)
	return err
}

// lookup follows mapping keys from n (a document or a mapping), or nil.
func lookup(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		if n == nil {
			return nil
		}
		if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
			n = n.Content[0]
		}
		if n.Kind != yaml.MappingNode {
			return nil
		}
		var found *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				found = n.Content[i+1]
			}
		}
		n = found
	}
	return n
}

// item is the i-th element of a sequence node, or nil.
func item(n *yaml.Node, i int) *yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode || i >= len(n.Content) {
		return nil
	}
	return n.Content[i]
}

// fullMatch compiles a pattern anchored as Prometheus anchors label
// matchers.
func fullMatch(pat string) (*regexp.Regexp, error) {
	return regexp.Compile("^(?:" + pat + ")$")
}

// quoted finds the first scalar under n whose value msg quotes.
func quoted(n *yaml.Node, msg string) *yaml.Node {
	if n.Kind == yaml.ScalarNode && n.Value != "" && strings.Contains(msg, fmt.Sprintf("%q", n.Value)) {
		return n
	}
	for _, c := range n.Content {
		if f := quoted(c, msg); f != nil {
			return f
		}
	}
	return nil
}
