package report

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/backendroadmap/grader/runner"
	"go.yaml.in/yaml/v3"
)

var (
	tapPlan  = regexp.MustCompile(`^1\.\.(\d+)`)
	tapPoint = regexp.MustCompile(`^(not )?ok (\d+)`)
)

// tapDoc is one TAP document (or subtest) as a harness reads it.
type tapDoc struct {
	plan   int
	points []int // test point numbers, in order
	yaml   []map[string]any
}

// readTAP reads the document indented by indent, checking the things a TAP
// 14 harness relies on: one plan, test points numbered 1..N with N the plan,
// and YAML blocks that parse.
func readTAP(t *testing.T, out, indent string) tapDoc {
	t.Helper()
	d := tapDoc{plan: -1}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		line, ok := strings.CutPrefix(lines[i], indent)
		if !ok || strings.HasPrefix(line, " ") && line != "  ---" {
			continue // a parent's line, or a subtest's
		}
		if m := tapPlan.FindStringSubmatch(line); m != nil {
			if d.plan >= 0 {
				t.Errorf("second plan %q", line)
			}
			d.plan, _ = strconv.Atoi(m[1])
		}
		if m := tapPoint.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[2])
			d.points = append(d.points, n)
		}
		if line == "  ---" {
			var block []string
			for i++; i < len(lines) && lines[i] != indent+"  ..."; i++ {
				block = append(block, strings.TrimPrefix(lines[i], indent+"  "))
			}
			var m map[string]any
			if err := yaml.Unmarshal([]byte(strings.Join(block, "\n")), &m); err != nil {
				t.Fatalf("YAML block does not parse: %v\n%s", err, strings.Join(block, "\n"))
			}
			d.yaml = append(d.yaml, m)
		}
	}
	if d.plan != len(d.points) {
		t.Errorf("plan 1..%d but %d test points", d.plan, len(d.points))
	}
	for i, n := range d.points {
		if n != i+1 {
			t.Errorf("test point %d is numbered %d", i+1, n)
		}
	}
	return d
}

// subtests returns the subtests of a TAP document, each without its
// indentation.
func subtests(out string) []string {
	var subs []string
	in := false
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, "# Subtest: "):
			subs, in = append(subs, ""), true
		case in && strings.HasPrefix(line, "    "):
			subs[len(subs)-1] += strings.TrimPrefix(line, "    ") + "\n"
		default:
			in = false
		}
	}
	return subs
}

func TestTAPPlanMatchesTestPoints(t *testing.T) {
	out := writeString(t, TAP, []*runner.Report{mixedReport()}, Options{})
	if !strings.HasPrefix(out, "TAP version 14\n") {
		t.Errorf("no version line:\n%s", out)
	}
	d := readTAP(t, out, "")
	if d.plan != 6 || len(d.yaml) != 3 {
		t.Errorf("plan %d, %d YAML blocks; want 6 and 3", d.plan, len(d.yaml))
	}
	if got := d.yaml[0]["expected"]; got != "a1b2c3d Add greeting\ne4f5a6b Add farewell\n" {
		t.Errorf("expected read back as %q", got)
	}

	out = writeString(t, TAP, batchReports(), Options{})
	if top := readTAP(t, out, ""); top.plan != 2 {
		t.Errorf("batch plan %d, want 2", top.plan)
	}
	subs := subtests(out)
	if len(subs) != 2 {
		t.Fatalf("%d subtests, want 2", len(subs))
	}
	for _, sub := range subs {
		if d := readTAP(t, sub, ""); d.plan != 3 {
			t.Errorf("subtest plan %d, want 3", d.plan)
		}
	}
	// A commented subtest ends at a test point with the same name.
	for _, name := range []string{"sql-select (https://git.example.com/alice/sql-select.git)", "sql-select (submissions/bob)"} {
		if !strings.Contains(out, "# Subtest: "+name+"\n") || !regexp.MustCompile(`(?m)^(not )?ok \d - `+regexp.QuoteMeta(name)+`$`).MatchString(out) {
			t.Errorf("subtest %q is not introduced and ended by name", name)
		}
	}
}

func TestTAPNoChecks(t *testing.T) {
	r := passReport()
	r.Checks = nil
	out := writeString(t, TAP, []*runner.Report{r}, Options{})
	if !strings.Contains(out, "\n1..0 # no checks to run\n") {
		t.Errorf("empty report:\n%s", out)
	}
}

// TestTAPYAMLValues: whatever a value holds, its YAML reads back as the
// (cleaned) value.
func TestTAPYAMLValues(t *testing.T) {
	values := []string{
		"plain",
		"two\nlines",
		"trailing newline\n",
		"two trailing\n\n",
		" leading space\nsecond",
		"\tleading tab\nsecond",
		"\nleading newline",
		"trailing spaces  \nsecond  ",
		"---\n...\nlooks like YAML markers",
		"key: value\n- item\n# comment",
		`quotes " ' and \ backslash`,
		"yes", "null", "123", "1.5", "~",
		"ünïcode ✓ and a\u00a0nbsp",
		"escape \x1b[31m and \r\n",
	}
	r := mixedReport()
	r.Checks = nil
	for i, v := range values {
		r.Checks = append(r.Checks, runner.CheckResult{
			ID: fmt.Sprint(i), Name: fmt.Sprint("value ", i), Status: runner.Fail,
			Message: v, Expected: v, Actual: v,
		})
	}
	d := readTAP(t, writeString(t, TAP, []*runner.Report{r}, Options{}), "")
	for i, v := range values {
		want := clean(v)
		if got := d.yaml[i]["expected"]; got != want {
			t.Errorf("value %q read back as %q, want %q", v, got, want)
		}
	}
}

func TestTAPEscapesDescriptions(t *testing.T) {
	r := mixedReport()
	r.Checks[0].Name = `issue #12 \ fixed`
	r.Checks[3].Message = "skipped: # see check\nabove"
	out := writeString(t, TAP, []*runner.Report{r}, Options{})
	for _, want := range []string{
		"ok 1 - issue \\#12 \\\\ fixed\n",
		"ok 4 - feature merged into main # SKIP skipped: \\# see check above\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
