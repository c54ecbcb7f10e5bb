package benchtable

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func readTestdata(t *testing.T, targets []Target) *Table {
	t.Helper()
	f, err := os.Open("testdata/bench.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tab, err := Read(f, "github.com/backendroadmap/grader", targets)
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func row(t *testing.T, tab *Table, name string) *Row {
	t.Helper()
	for _, r := range tab.Rows {
		if r.Name() == name {
			return r
		}
	}
	var names []string
	for _, r := range tab.Rows {
		names = append(names, r.Name())
	}
	t.Fatalf("no row %q; rows: %q", name, names)
	return nil
}

func metric(m *Measure) string {
	if m == nil {
		return ""
	}
	return m.Metric
}

// TestPairing: every benchmark the project has (and one it does not have
// yet) becomes a row whose value, baseline and ratio are the right metrics,
// without any per-benchmark code.
func TestPairing(t *testing.T) {
	tab := readTestdata(t, nil)
	for _, c := range []struct{ row, value, baseline, ratio string }{
		{"cmd/grader CheckVsGit/solved/vs-git-status", "grader-ns/op", "git-ns/op", "x-git"},
		{"cmd/grader CheckVsGit/5000-commits/vs-git-log-oneline", "grader-ns/op", "git-ns/op", "x-git"},
		{"cmd/grader DatabaseCheck/warm/vs-cold", "warm-ms/check", "cold-ms/check", "x-faster"},
		{"cmd/grader DatabaseCheck/batch-100/vs-container-per-attempt", "batch-ms/attempt", "fresh-container-ms/attempt", "x-faster"},
		{"cmd/grader ServerCheck", "check-ms", "floor-ms", "x-floor"},
		{"cmd/grader SecurityCheck", "sec-sqli-ms", "api-todo-ms", "x-api-todo"},
		{"cmd/grader WarmCodeCheck/py-fizzbuzz/warm/vs-bare", "warm-ms", "bare-ms", "x-bare"},
		{"graders/code CodeCheck", "ns/op", "host-ms/op", "x-host"},
		{"graders/code Batch/fresh-jobs-1/vs-docker-run", "submissions/s", "docker-run/s", "x-docker-run"},
		{"graders/code WarmCodeCheck/vs-fresh-container", "warm-ms/check", "fresh-container-ms/check", "x-faster"},
		{"graders/git SmallAttempt", "ns/op", "", ""},
		{"sandbox/postgres WarmCheck", "warm-ms/check", "cold-ms/check", "x-faster"},
	} {
		r := row(t, tab, c.row)
		if got := [3]string{metric(r.Value), metric(r.Baseline), metric(r.Ratio)}; got != [3]string{c.value, c.baseline, c.ratio} {
			t.Errorf("%s: value, baseline, ratio = %q, want %q", c.row, got, [3]string{c.value, c.baseline, c.ratio})
		}
	}
	if len(tab.Rows) != 15 {
		t.Errorf("%d rows, want 15 (one a scenario, runs merged)", len(tab.Rows))
	}
}

// TestMedians: three -count runs give one row with their median.
func TestMedians(t *testing.T) {
	tab := readTestdata(t, nil)
	r := row(t, tab, "cmd/grader CheckVsGit/solved/vs-git-status")
	if r.Runs != 3 || r.Ratio.Value != 6.214 || r.Baseline.Value != 3392976 {
		t.Errorf("runs %d, x-git %v, git-ns/op %v; want 3 runs, medians 6.214 and 3392976", r.Runs, r.Ratio.Value, r.Baseline.Value)
	}
}

// TestTargets: a target is judged on its row's median, by package-qualified
// or bare scenario; one whose benchmark did not run is listed, not dropped.
func TestTargets(t *testing.T) {
	tab := readTestdata(t, append(Targets, Target{Scenario: "NotYet/vs-git", Metric: "x-git", Max: 2}))
	want := map[string]bool{
		"cmd/grader CheckVsGit/solved/vs-git-status x-git":                     false, // 6.214 >= 4
		"cmd/grader CheckVsGit/5000-commits/vs-git-log-oneline x-git":          true,
		"cmd/grader DatabaseCheck/warm/vs-cold warm-ms/check":                  true, // median 99 < 100
		"cmd/grader DatabaseCheck/warm/vs-cold x-faster":                       true,
		"cmd/grader DatabaseCheck/batch-100/vs-container-per-attempt x-faster": true,
		"cmd/grader WarmCodeCheck/py-fizzbuzz/warm/vs-bare warm-ms":            true,  // 285.6 < 500
		"cmd/grader WarmCodeCheck/go-temperature/warm/vs-bare warm-ms":         false, // 2690 >= 1500
		"graders/code Batch/fresh-jobs-1/vs-docker-run x-docker-run":           false, // 0.716 < 0.8
		"graders/code Batch/fresh-jobs-2/vs-docker-run x-docker-run":           true,
		"graders/code Batch/fresh-jobs-4/vs-docker-run x-docker-run":           true,
	}
	got := map[string]bool{}
	for _, r := range tab.Rows {
		for _, v := range r.Targets {
			got[r.Name()+" "+v.Metric] = v.Met
		}
	}
	if len(got) != len(want) {
		t.Errorf("judged %v, want %v", got, want)
	}
	for k, met := range want {
		if g, ok := got[k]; !ok || g != met {
			t.Errorf("%s: met = %v (judged %v), want %v", k, g, ok, met)
		}
	}
	if tab.Missed != 3 {
		t.Errorf("missed = %d, want 3", tab.Missed)
	}
	if len(tab.NotRun) != 1 || !strings.Contains(tab.NotRun[0].Metric, "NotYet") {
		t.Errorf("not run = %+v, want the NotYet target", tab.NotRun)
	}
}

// TestText: the table a person reads names the values with readable units
// and says which target was missed.
func TestText(t *testing.T) {
	var out bytes.Buffer
	if err := readTestdata(t, Targets).WriteText(&out); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{
		"SCENARIO", "BASELINE",
		"grader 21.1 ms", "git 3.39 ms", "6.21x git", "x-git < 4: MISSED",
		"warm 99 ms", "cold 3930 ms", "warm-ms/check < 100: met",
		"0.58 submissions/s", "op 1912 ms",
		"0.72x docker-run", "x-docker-run >= 0.8: MISSED",
		"warm 286 ms", "bare 323 ms", "0.88x bare", "warm-ms < 1500: MISSED",
		"targets: 7 met, 3 missed, 0 not measured",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("table lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "bench_db_test.go") || strings.Contains(s, "PASS") {
		t.Errorf("table carries go test's log lines:\n%s", s)
	}
}

// TestJSON: the tracking format holds every metric of every row.
func TestJSON(t *testing.T) {
	var out bytes.Buffer
	if err := readTestdata(t, Targets).WriteJSON(&out); err != nil {
		t.Fatal(err)
	}
	var got Table
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if len(got.Rows) != 15 || got.Missed != 3 {
		t.Fatalf("%d rows, %d missed; want 15, 3", len(got.Rows), got.Missed)
	}
	if v := got.Rows[0].Metrics["git-ns/op"]; v != 3392976 {
		t.Errorf("git-ns/op = %v, want the median 3392976 as go test printed it", v)
	}
}

// TestMalformed: a broken result line is an error, not a silently
// shorter table.
func TestMalformed(t *testing.T) {
	_, err := Read(strings.NewReader("BenchmarkX-2 100 12 ns/op 7\n"), "", nil)
	if err == nil {
		t.Fatal("a result line with a value and no unit was accepted")
	}
}
