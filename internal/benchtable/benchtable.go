package benchtable

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"unicode"

	"golang.org/x/perf/benchfmt"
)

// Target is a speed goal for one metric of one scenario: Max for "below",
// Min for "at least". Scenario is matched against a row's package-qualified
// scenario (cmd/grader CheckVsGit/solved/vs-git-status) or its bare one.
type Target struct {
	Scenario string
	Metric   string
	Max, Min float64
	// Why says where the target comes from, for the reader of the table.
	Why string
}

// String is the target as the table shows it: "< 4", ">= 10".
func (t Target) String() string {
	if t.Max != 0 {
		return fmt.Sprintf("< %s", trimFloat(t.Max))
	}
	return fmt.Sprintf(">= %s", trimFloat(t.Min))
}

func (t Target) met(v float64) bool {
	if t.Max != 0 {
		return v < t.Max
	}
	return v >= t.Min
}

// Targets are issue 12's speed goals ("Speed"). A benchmark needs none to
// appear in the table; a goal needs a line here to be judged.
var Targets = []Target{
	{Scenario: "CheckVsGit/solved/vs-git-status", Metric: "x-git", Max: 4, Why: "a git check within 4x of git status"},
	{Scenario: "CheckVsGit/5000-commits/vs-git-log-oneline", Metric: "x-git", Max: 10, Why: "5,000 commits within 10x of git log --oneline"},
	{Scenario: "cmd/grader DatabaseCheck/warm/vs-cold", Metric: "warm-ms/check", Max: 100, Why: "a warm SQL re-check under 100 ms"},
	{Scenario: "cmd/grader DatabaseCheck/warm/vs-cold", Metric: "x-faster", Min: 4, Why: "warm at least 4x faster than cold"},
	{Scenario: "cmd/grader DatabaseCheck/batch-100/vs-container-per-attempt", Metric: "x-faster", Min: 10, Why: "a batch at least 10x faster per attempt"},
	{Scenario: "cmd/grader WarmCodeCheck/py-fizzbuzz/warm/vs-bare", Metric: "warm-ms", Max: 500, Why: "a learner's warm re-check of py-fizzbuzz under 0.5 s"},
	{Scenario: "cmd/grader WarmCodeCheck/go-temperature/warm/vs-bare", Metric: "warm-ms", Max: 1500, Why: "a learner's warm re-check of a Go exercise under 1.5 s"},
	{Scenario: "graders/code Batch/fresh-jobs-1/vs-docker-run", Metric: "x-docker-run", Min: 0.8, Why: "a batch at 80% of bare docker run's rate or better"},
	{Scenario: "graders/code Batch/fresh-jobs-2/vs-docker-run", Metric: "x-docker-run", Min: 0.8, Why: "a batch at 80% of bare docker run's rate or better"},
	{Scenario: "graders/code Batch/fresh-jobs-4/vs-docker-run", Metric: "x-docker-run", Min: 0.8, Why: "a batch at 80% of bare docker run's rate or better"},
}

// Measure is one metric of a row, as `go test` printed its unit.
type Measure struct {
	Metric string  `json:"metric"`
	Value  float64 `json:"value"`
}

// Verdict is a target judged on a row.
type Verdict struct {
	Metric string  `json:"metric"`
	Target string  `json:"target"`
	Value  float64 `json:"value"`
	Met    bool    `json:"met"`
	Why    string  `json:"why,omitempty"`
}

// Row is one scenario: every metric it reported (medians over its runs)
// and, picked from them, its value, baseline and ratio.
type Row struct {
	Package  string             `json:"package"`
	Scenario string             `json:"scenario"`
	Runs     int                `json:"runs"`
	Metrics  map[string]float64 `json:"metrics"`
	Value    *Measure           `json:"value,omitempty"`
	Baseline *Measure           `json:"baseline,omitempty"`
	Ratio    *Measure           `json:"ratio,omitempty"`
	Targets  []Verdict          `json:"targets,omitempty"`
}

// Name is the row's package-qualified scenario.
func (r *Row) Name() string {
	if r.Package == "" {
		return r.Scenario
	}
	return r.Package + " " + r.Scenario
}

// Table is the rows of one benchmark run, and the targets no row measured.
type Table struct {
	Rows []*Row `json:"rows"`
	// NotRun are targets whose scenario or metric is in no row: the
	// benchmark failed, was skipped or was not selected.
	NotRun []Verdict `json:"not_run,omitempty"`
	// Missed counts targets measured and not met.
	Missed int `json:"missed"`
}

// Read reads `go test -bench` output (several packages, several -count runs)
// and builds the table, judging targets. Lines that are not benchmark
// results (logs, PASS, ok) are skipped; a malformed result line is an error.
func Read(r io.Reader, module string, targets []Target) (*Table, error) {
	type key struct{ pkg, name string }
	samples := map[key]map[string][]float64{}
	runs := map[key]int{}
	var order []key
	br := benchfmt.NewReader(r, "bench")
	for br.Scan() {
		switch rec := br.Result().(type) {
		case *benchfmt.SyntaxError:
			return nil, rec
		case *benchfmt.Result:
			k := key{strings.TrimPrefix(strings.TrimPrefix(rec.GetConfig("pkg"), module), "/"), scenario(rec.Name)}
			if samples[k] == nil {
				samples[k] = map[string][]float64{}
				order = append(order, k)
			}
			runs[k]++
			for _, v := range rec.Values {
				unit, val := v.Unit, v.Value
				if v.OrigUnit != "" { // as the benchmark reported it: git-ns/op, not git-sec/op
					unit, val = v.OrigUnit, v.OrigValue
				}
				samples[k][unit] = append(samples[k][unit], val)
			}
		}
	}
	if err := br.Err(); err != nil {
		return nil, err
	}
	t := &Table{}
	for _, k := range order {
		row := &Row{Package: k.pkg, Scenario: k.name, Runs: runs[k], Metrics: map[string]float64{}}
		for unit, vs := range samples[k] {
			row.Metrics[unit] = median(vs)
		}
		pick(row)
		t.Rows = append(t.Rows, row)
	}
	for _, tg := range targets {
		found := false
		for _, row := range t.Rows {
			v, ok := row.Metrics[tg.Metric]
			if !ok || (tg.Scenario != row.Scenario && tg.Scenario != row.Name()) {
				continue
			}
			found = true
			vd := Verdict{Metric: tg.Metric, Target: tg.String(), Value: v, Met: tg.met(v), Why: tg.Why}
			if !vd.Met {
				t.Missed++
			}
			row.Targets = append(row.Targets, vd)
		}
		if !found {
			t.NotRun = append(t.NotRun, Verdict{Metric: tg.Scenario + " " + tg.Metric, Target: tg.String(), Why: tg.Why})
		}
	}
	return t, nil
}

// scenario is a benchmark's name without "Benchmark" and the -GOMAXPROCS
// suffix: CheckVsGit/solved/vs-git-status.
func scenario(n benchfmt.Name) string {
	base, parts := n.Parts()
	var b strings.Builder
	b.Write(base)
	for _, p := range parts {
		if p[0] == '/' {
			b.Write(p)
		}
	}
	return b.String()
}

// standard units are the benchmark loop's own; they are never a value's
// partner in a ratio except as the last resort (ns/op).
var standard = []string{"ns/op", "sec/op", "B/op", "allocs/op", "MB/s", "B/s"}

func isRatio(unit string) bool { return strings.HasPrefix(unit, "x-") }

// subject is what a metric measures: "git" for git-ns/op, "fresh-container"
// for fresh-container-ms/attempt.
func subject(unit string) string {
	s, _, _ := strings.Cut(unit, "/")
	for _, suf := range []string{"-ns", "-ms", "-sec", "-s"} {
		s = strings.TrimSuffix(s, suf)
	}
	return strings.ToLower(s)
}

// words splits a name into lower-case words: "WarmCheck/vs-cold" → warm,
// check, vs, cold.
func words(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	for _, r := range s {
		switch {
		case unicode.IsUpper(r):
			flush()
			cur = append(cur, r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			cur = append(cur, r)
		default:
			flush()
		}
	}
	flush()
	return out
}

func overlaps(a, b []string) bool {
	for _, w := range a {
		if slices.Contains(b, w) {
			return true
		}
	}
	return false
}

// pick chooses the row's ratio, baseline and value (see the package doc).
func pick(row *Row) {
	units := slices.Sorted(maps.Keys(row.Metrics))
	var candidates []string
	for _, u := range units {
		switch {
		case isRatio(u):
			if row.Ratio == nil {
				row.Ratio = &Measure{u, row.Metrics[u]}
			}
		case !slices.Contains(standard, u):
			candidates = append(candidates, u)
		}
	}
	var name, vs []string
	for _, part := range strings.Split(row.Scenario, "/") {
		if after, ok := strings.CutPrefix(part, "vs-"); ok {
			vs = append(vs, words(after)...)
		} else {
			name = append(name, words(part)...)
		}
	}
	take := func(match func(u string) bool) *Measure {
		for i, u := range candidates {
			if match(u) {
				candidates = slices.Delete(candidates, i, i+1)
				return &Measure{u, row.Metrics[u]}
			}
		}
		return nil
	}
	if row.Ratio != nil {
		against := strings.TrimPrefix(row.Ratio.Metric, "x-")
		row.Baseline = take(func(u string) bool { return subject(u) == against })
		if row.Baseline == nil && len(vs) > 0 {
			row.Baseline = take(func(u string) bool { return overlaps(words(subject(u)), vs) })
		}
		if row.Baseline == nil && len(candidates) == 2 {
			// Of two, the baseline is the one the scenario's name does not name.
			row.Baseline = take(func(u string) bool { return !overlaps(words(subject(u)), name) })
		}
	}
	row.Value = take(func(u string) bool { return overlaps(words(subject(u)), name) })
	if row.Value == nil {
		row.Value = take(func(string) bool { return true })
	}
	if row.Value == nil {
		if v, ok := row.Metrics["ns/op"]; ok {
			row.Value = &Measure{"ns/op", v}
		}
	}
}

// WriteText prints the table for a person: aligned columns, times in ms,
// and each target with "met" or "MISSED".
func (t *Table) WriteText(w io.Writer) error {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tRUNS\tVALUE\tBASELINE\tRATIO\tTARGET")
	for _, r := range t.Rows {
		var goals []string
		for _, v := range r.Targets {
			verdict := "met"
			if !v.Met {
				verdict = "MISSED"
			}
			goals = append(goals, fmt.Sprintf("%s %s: %s", v.Metric, v.Target, verdict))
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\n", r.Name(), r.Runs, show(r.Value), show(r.Baseline), show(r.Ratio), orDash(strings.Join(goals, "; ")))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, v := range t.NotRun {
		fmt.Fprintf(&buf, "not measured: %s %s (%s)\n", v.Metric, v.Target, v.Why)
	}
	met := 0
	for _, r := range t.Rows {
		met += len(r.Targets)
	}
	met -= t.Missed
	fmt.Fprintf(&buf, "targets: %d met, %d missed, %d not measured\n", met, t.Missed, len(t.NotRun))
	_, err := w.Write(buf.Bytes())
	return err
}

// WriteJSON prints the table for tracking over time; fields are only added.
func (t *Table) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(t)
}

// show writes a measure with its metric's subject and a readable unit.
func show(m *Measure) string {
	if m == nil {
		return "-"
	}
	u, v := m.Metric, m.Value
	subj := subject(u)
	if slices.Contains(standard, u) {
		subj = "op"
	}
	switch {
	case isRatio(u):
		return fmt.Sprintf("%.2fx %s", v, strings.TrimPrefix(u, "x-"))
	case strings.HasPrefix(u, "ns/") || strings.Contains(u, "-ns/"):
		return fmt.Sprintf("%s %s ms", subj, trimFloat(v/1e6))
	case strings.Contains(u, "-ms") || strings.HasPrefix(u, "ms/"):
		return fmt.Sprintf("%s %s ms", strings.TrimSuffix(subj, "ms"), trimFloat(v))
	}
	return fmt.Sprintf("%s %s", trimFloat(v), u)
}

// trimFloat writes v with three significant digits at most below 100 and
// none after the point above it.
func trimFloat(v float64) string {
	if v >= 100 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.3g", v)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func median(vs []float64) float64 {
	s := slices.Sorted(slices.Values(vs))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
