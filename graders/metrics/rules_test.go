package metrics

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/backendroadmap/grader/runner"
)

// ruleFiles are rule files Prometheus accepts or refuses, each with what
// parseRules must say of it.
var ruleFiles = []struct {
	name, src string
	want      string // "" loads; else a part of the first problem
}{
	{"solution", mustFile("../../exercises/catalog/devops/alert-rules/solution/rules.yml"), ""},
	{"recording rule", "groups:\n- name: g\n  rules:\n  - record: job:errors:rate5m\n    expr: sum(rate(http_requests_total[5m]))\n", ""},
	{"empty", "", ""},
	{"bad yaml", "groups:\n- name: g\n  rules:\n   - alert: A\n  expr: x\n", "line 5: "},
	{"unknown field", "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    severity: page\n", "line 6: field severity not found in a rule"},
	{"unknown group field", "groups:\n- name: g\n  rule: []\n", "line 3: field rule not found in a group"},
	{"no name", "groups:\n- rules: []\n", "line 2: a group's name must not be empty"},
	{"repeated group", "groups:\n- name: g\n  rules: []\n- name: g\n  rules: []\n", `line 4: group name "g" is repeated`},
	{"both alert and record", "groups:\n- name: g\n  rules:\n  - alert: A\n    record: b\n    expr: up\n", "only one of 'record' and 'alert' must be set"},
	{"neither", "groups:\n- name: g\n  rules:\n  - expr: up\n", "one of 'record' or 'alert' must be set"},
	{"no expr", "groups:\n- name: g\n  rules:\n  - alert: A\n", "field 'expr' must be set"},
	{"bad expr", "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: rate(up[5m]\n", "line 5: group \"g\", rule 1 \"A\": could not parse expression"},
	{"bad duration", "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    for: ten minutes\n", "line 6: "},
	{"for on a recording rule", "groups:\n- name: g\n  rules:\n  - record: a\n    expr: up\n    for: 5m\n", "invalid field 'for' in recording rule"},
	{"bad template", "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    annotations:\n      summary: '{{ $value | nosuchfunc }}'\n", `annotation "summary"`},
	{"template functions", "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    annotations:\n      summary: '{{ $labels.job }} {{ $value | humanizePercentage }} {{ humanizeDuration 3 }}'\n", ""},
	{"annotations on a recording rule", "groups:\n- name: g\n  rules:\n  - record: a\n    expr: up\n    annotations: {summary: x}\n", "invalid field 'annotations' in recording rule"},
	{"label __name__", "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    labels: {__name__: x}\n", "invalid label name: __name__"},
}

func mustFile(name string) string {
	b, err := os.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// TestRuleFilesAsPrometheus: parseRules accepts exactly the files
// Prometheus's own rulefmt.Parse accepts (the reference this package
// stands in for), and says where each problem is.
func TestRuleFilesAsPrometheus(t *testing.T) {
	p := parser.NewParser(parser.Options{})
	for _, tt := range ruleFiles {
		t.Run(tt.name, func(t *testing.T) {
			_, refErrs := rulefmt.Parse([]byte(tt.src), false, model.UTF8Validation, p, slog.New(slog.DiscardHandler))
			_, probs := parseRules([]byte(tt.src))
			if (len(refErrs) == 0) != (len(probs) == 0) {
				t.Fatalf("rulefmt says %v, parseRules says %q: they must agree", refErrs, probs)
			}
			if tt.want == "" && len(probs) > 0 || tt.want != "" && (len(probs) == 0 || !strings.Contains(probs[0], tt.want)) {
				t.Errorf("parseRules = %q, want %q", probs, tt.want)
			}
		})
	}
}

// TestRulesCheck: the exercise's checks on rule files a learner writes.
func TestRulesCheck(t *testing.T) {
	sol := mustFile("../../exercises/catalog/devops/alert-rules/solution/rules.yml")
	prm := RulesParams{
		Alert:       "HighErrorRate",
		For:         DurationRange{Min: model.Duration(5 * 60e9), Max: model.Duration(15 * 60e9)},
		Labels:      map[string]string{"severity": "critical|warning"},
		Annotations: []string{"summary"},
		Expr: ExprRules{Metrics: []string{"http_requests_total"}, Counters: []string{"http_requests_total"},
			Range: model.Duration(5 * 60e9), Ratio: true,
			Select: &LabelSelect{Label: "status", Match: []string{"500", "503"}, Reject: []string{"200", "404"}}},
	}
	if err := prm.Validate(); err != nil {
		t.Fatal(err)
	}
	swap := func(old, new string) string {
		t.Helper()
		s := strings.Replace(sol, old, new, 1)
		if s == sol {
			t.Fatalf("%q is not in the solution", old)
		}
		return s
	}
	tests := []struct {
		name, src, want string
	}{
		{"solution", sol, ""},
		{"another name", swap("HighErrorRate", "ErrorsHigh"), "has no alerting rule named HighErrorRate (its alerts: ErrorsHigh)"},
		{"no for", swap("        for: 10m\n", ""), "has no `for:`"},
		{"for too short", swap("for: 10m", "for: 1m"), "fires after `for: 1m`, less than the 5m asked for"},
		{"for too long", swap("for: 10m", "for: 1h"), "more than the 15m asked for"},
		{"severity info", swap("severity: critical", "severity: info"), `sets label severity to "info"`},
		{"no summary", swap("summary:", "title:"), "has no summary annotation"},
		{"raw counter", swap(`rate(http_requests_total[5m])`, `http_requests_total`), "reads the counter http_requests_total as it is"},
		{"other range", swap(`rate(http_requests_total[5m])`, `rate(http_requests_total[1m])`), "takes rate over 1m: the exercise asks for a 5m window"},
		{"increase is fine", strings.ReplaceAll(sol, "rate(", "increase("), ""},
		{"delta over a range is no rate", swap(`rate(http_requests_total[5m])`, `delta(http_requests_total[5m])`), "reads the counter"},
		{"no ratio", swap("/\n          sum(rate(http_requests_total[5m]))\n", "\n"), "is no ratio"},
		{"every status", swap(`{status=~"5.."}`, ``), "selects no series by status that keeps 500, 503 and leaves out 200, 404"},
		{"4xx too", swap(`{status=~"5.."}`, `{status=~"[45].."}`), "selects no series by status"},
		{"500 only", swap(`{status=~"5.."}`, `{status="500"}`), "selects no series by status"},
		{"not 2xx is fine", swap(`{status=~"5.."}`, `{status=~"5[0-9]{2}"}`), ""},
		{"another metric", strings.ReplaceAll(sol, "http_requests_total", "requests"), "never reads http_requests_total (it reads requests)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := judgeRules(&prm, []byte(tt.src))
			if ok != (tt.want == "") || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("judgeRules = %v, %q; want %q", ok, got, tt.want)
			}
		})
	}
}

// TestRulesFile: the file is read through the workspace, and a missing,
// linked-out or huge one is the learner's to fix.
func TestRulesFile(t *testing.T) {
	c, err := compileRules(runner.Params{}, &RulesParams{File: "rules.yml", Alert: "A"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	run := func() runner.Outcome { return c.Check(t.Context(), runner.Attempt{Dir: dir, Memo: &runner.Memo{}}) }
	if out := run(); out.Status != runner.Fail || !strings.Contains(out.Message, "there is no rules.yml") {
		t.Errorf("no file: %+v", out)
	}
	outside := filepath.Join(t.TempDir(), "secret.yml")
	if err := os.WriteFile(outside, []byte("groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "rules.yml")); err != nil {
		t.Fatal(err)
	}
	if out := run(); out.Status != runner.Fail || !strings.Contains(out.Message, "cannot be read") {
		t.Errorf("a link out of the workspace: %+v, want it refused", out)
	}
	os.Remove(filepath.Join(dir, "rules.yml"))
	if err := os.WriteFile(filepath.Join(dir, "rules.yml"), []byte(strings.Repeat("#\n", maxRulesBytes)), 0o644); err != nil {
		t.Fatal(err)
	}
	if out := run(); out.Status != runner.Fail || !strings.Contains(out.Message, "a rule file that long is not graded") {
		t.Errorf("huge file: %+v", out)
	}
}
