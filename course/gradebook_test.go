package course

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/backendroadmap/grader/report"
	"github.com/backendroadmap/grader/runner"
)

func rep(ex, sub string, status runner.Status, checks ...string) *runner.Report {
	r := &runner.Report{Schema: runner.ResultsSchema, Exercise: runner.ExerciseRef{ID: ex}, Submission: sub, Status: status, Gradable: status != runner.Error}
	for i := 0; i+1 < len(checks); i += 2 {
		r.Checks = append(r.Checks, runner.CheckResult{ID: checks[i], Status: runner.Status(checks[i+1]), Points: 1})
		r.MaxScore++
		if checks[i+1] == "pass" {
			r.Score++
		}
	}
	return r
}

func batchFile(t *testing.T, name string, reps ...*runner.Report) Input {
	t.Helper()
	var data []byte
	var err error
	if len(reps) == 1 {
		data, err = json.Marshal(reps[0]) // grade writes one report as itself
	} else {
		data, err = json.Marshal(report.Batch{Schema: report.BatchSchema, Reports: reps})
	}
	if err != nil {
		t.Fatal(err)
	}
	return Input{Name: name, Data: data}
}

func render(t *testing.T, g *Gradebook) (string, string) {
	t.Helper()
	var c, j bytes.Buffer
	if err := g.WriteCSV(&c); err != nil {
		t.Fatal(err)
	}
	if err := g.WriteJSON(&j); err != nil {
		t.Fatal(err)
	}
	return c.String(), j.String()
}

// The same rows whether one machine graded everything or three shards did,
// whatever order the files come in.
func TestGradebookMergesShardsExactly(t *testing.T) {
	all := []*runner.Report{
		rep("git-branching", "subs/cleo", runner.Pass, "branch", "pass", "merged", "pass"),
		rep("git-branching", "subs/ada", runner.Fail, "branch", "pass", "merged", "fail"),
		rep("git-branching", "subs/bob", runner.Error, "branch", "error"),
		rep("sql-joins", "subs/ada", runner.Pass, "runs", "pass", "rows", "pass", "order", "pass"),
	}
	one, err := BuildGradebook([]Input{batchFile(t, "all.json", all[:3]...), batchFile(t, "sql.json", all[3])})
	if err != nil {
		t.Fatal(err)
	}
	three, err := BuildGradebook([]Input{
		batchFile(t, "sql-1.json", all[3]),
		batchFile(t, "git-3.json", all[2]),
		batchFile(t, "git-1.json", all[1], all[0]),
	})
	if err != nil {
		t.Fatal(err)
	}
	c1, j1 := render(t, one)
	c3, j3 := render(t, three)
	if c1 != c3 || j1 != j3 {
		t.Errorf("sharded gradebook differs from one machine's:\n%s\nvs\n%s", c3, c1)
	}
	want := `submission,git-branching status,git-branching score,git-branching max_score,git-branching/branch,git-branching/merged,sql-joins status,sql-joins score,sql-joins max_score,sql-joins/runs,sql-joins/rows,sql-joins/order
subs/ada,fail,1,2,pass,fail,pass,3,3,pass,pass,pass
subs/bob,ungradable,0,1,error,,,,,,,
subs/cleo,pass,2,2,pass,pass,,,,,,
`
	if c1 != want {
		t.Errorf("CSV:\n%s\nwant:\n%s", c1, want)
	}
	if !strings.Contains(j1, `"schema": "grader.gradebook/v1"`) || !strings.Contains(j1, `"status": "ungradable"`) {
		t.Errorf("JSON lacks the schema or the ungradable status:\n%s", j1)
	}
}

func TestGradebookRefusesDoubleGrading(t *testing.T) {
	r := rep("git-branching", "subs/ada", runner.Pass, "branch", "pass")
	_, err := BuildGradebook([]Input{batchFile(t, "shard-1.json", r), batchFile(t, "shard-2.json", r)})
	if err == nil || !strings.Contains(err.Error(), "subs/ada was graded for git-branching twice, in shard-1.json and in shard-2.json") {
		t.Errorf("err = %v, want one naming the submission and both files", err)
	}
}

func TestGradebookBadInput(t *testing.T) {
	for data, want := range map[string]string{
		`not json`:                         "is not JSON results",
		`{"a": 1}`:                         "has no schema field",
		`{"schema": "grader.validate/v1"}`: "holds grader.validate/v1, not results",
		fmt.Sprintf(`{"schema": %q, "exercise": {"id": "x"}}`, runner.ResultsSchema): "names no submission",
	} {
		_, err := BuildGradebook([]Input{{Name: "f.json", Data: []byte(data)}})
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "f.json") {
			t.Errorf("%s: err = %v, want the file named and %q", data, err, want)
		}
	}
}

// A learner names their repository; a spreadsheet must not run it.
func TestGradebookCSVDefusesFormulas(t *testing.T) {
	g, err := BuildGradebook([]Input{batchFile(t, "a.json", rep("git-basics", "=HYPERLINK(\"http://evil\")", runner.Pass, "c", "pass"))})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := render(t, g)
	if !strings.Contains(c, `"'=HYPERLINK(""http://evil"")"`) {
		t.Errorf("CSV cell not defused:\n%s", c)
	}
}
