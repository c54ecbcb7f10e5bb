package classroom

import (
	"bytes"
	"strings"
	"testing"

	"github.com/backendroadmap/grader/runner"
)

func rep(learner, exercise string, s runner.Status) *runner.Report {
	return &runner.Report{Submission: learner, Exercise: runner.ExerciseRef{ID: exercise}, Status: s}
}

// TestBuildPageCountsLatestResults: pass rates count the learners graded on
// an exercise; progress counts a learner's passes of the whole catalog; an
// ungradable result counts as graded, not passed; an exercise gone from
// the catalog counts nowhere.
func TestBuildPageCountsLatestResults(t *testing.T) {
	p := buildPage(testExercises, []*runner.Report{
		rep("ada", "git-basics", runner.Pass),
		rep("ada", "py-fizzbuzz", runner.Pass),
		rep("ada", "retired-exercise", runner.Pass),
		rep("bob", "git-basics", runner.Fail),
		rep("cy", "git-basics", runner.Error),
	})
	var rates []string
	for _, row := range p.Roadmap {
		for _, ph := range row.Phases {
			for _, e := range ph {
				rates = append(rates, e.ID+"="+e.Rate())
			}
		}
	}
	if got := strings.Join(rates, " "); got != "py-fizzbuzz=100% git-basics=33% sql-window=–" {
		t.Errorf("rates: %s", got)
	}
	var progress []string
	for _, l := range p.Learners {
		progress = append(progress, l.Name+":"+string(rune('0'+l.Passed))+"/"+string(rune('0'+l.Attempted)))
	}
	if got := strings.Join(progress, " "); got != "ada:2/2 bob:0/1 cy:0/1" {
		t.Errorf("progress: %s", got)
	}
	if p.Learners[0].Percent != 66 {
		t.Errorf("ada's percent: %d, want 66 (2 of 3 exercises)", p.Learners[0].Percent)
	}
	var buf bytes.Buffer
	if err := pageTmpl().Execute(&buf, buildPage(testExercises, nil)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "No graded submissions yet.") {
		t.Errorf("an empty class's page does not say so")
	}
}
