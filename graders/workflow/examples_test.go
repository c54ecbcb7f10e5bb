package workflow

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"testing"
)

// docs/examples/grade-matrix.yml, the workflow the README offers for
// grading a class on several runners, is checked with the pipeline kinds'
// own reading: actionlint finds nothing, the jobs wait for each other, and
// each of the matrix's combinations grades its own shard of four. It is
// not run: it needs a workflow_dispatch event, `go install` from the
// network and actions/download-artifact, none of which the offline runner
// has, and a run with those stubbed would prove nothing about the file.
func TestGradeMatrixExample(t *testing.T) {
	src, err := os.ReadFile("../../docs/examples/grade-matrix.yml")
	if err != nil {
		t.Fatal(err)
	}
	errs, err := lint(t.TempDir(), src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		t.Errorf("actionlint: grade-matrix.yml:%d:%d: %s [%s]", e.Line, e.Column, e.Message, e.Kind)
	}
	s, wf := mustParse(t, string(src))
	prm := ShapeParams{Job: "gradebook", RunsOn: "ubuntu-latest", Needs: []string{"grade"},
		Runs: []RunRule{{Pattern: `^grader gradebook results\b`, What: "merges the shards"}}}
	if err := prm.Validate(); err != nil {
		t.Fatal(err)
	}
	if msg := shapeProblem(s, wf, &prm); msg != "" {
		t.Error(msg)
	}
	grade := wf.Jobs["grade"]
	if grade == nil {
		t.Fatal("no job grade")
	}
	if msg := failFastProblem(s, grade, false); msg != "" {
		t.Error(msg)
	}
	combos, err := s.expand(grade)
	if err != nil {
		t.Fatal(err)
	}
	shard := regexp.MustCompile(`--shard (\S+)`)
	var got []string
	for _, c := range combos {
		p, err := plan(s, wf, grade, variant{combo: c, job: grade}, event{Name: "push", Ref: "refs/heads/main"}, 0, len(combos))
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range p.steps {
			if m := shard.FindStringSubmatch(st.script); m != nil {
				got = append(got, m[1])
			}
		}
	}
	slices.Sort(got)
	if want := []string{"1/4", "2/4", "3/4", "4/4"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the matrix grades shards %v, want %v", got, want)
	}
}
