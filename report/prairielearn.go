package report

import (
	"strings"

	"github.com/backendroadmap/grader/runner"
)

// PrairieLearn's external grading results
// (https://prairielearn.readthedocs.io/en/latest/externalGrading/), in the
// shape its <pl-external-grader-results> element shows. A test's description
// is left out: a report carries a check's name, not a description of it.
type (
	prairieLearnResults struct {
		Gradable bool               `json:"gradable"`
		Score    float64            `json:"score"`
		Message  string             `json:"message"`
		Tests    []prairieLearnTest `json:"tests"`
	}
	prairieLearnTest struct {
		Name      string `json:"name"`
		Points    int    `json:"points"`
		MaxPoints int    `json:"max_points"`
		Message   string `json:"message,omitempty"`
		Output    string `json:"output,omitempty"`
	}
)

// prairieLearnOf is r as PrairieLearn's results.json. The score is the
// fraction of the points scored, in [0, 1] as PrairieLearn requires (a report
// worth no points scores 1 when it passed). Each check is a test worth its
// points; its message is the check's, its output the expected and actual
// values and the hint.
//
// A report that could not be graded (a check could not judge, grading was
// interrupted) is "gradable": false: PrairieLearn then awards and takes no
// points and does not count the submission as an attempt, which is fair to
// a learner whose work was never judged. Its score is 0, which PrairieLearn
// ignores, and its message says the fault is not the learner's.
func prairieLearnOf(r *runner.Report) prairieLearnResults {
	res := prairieLearnResults{Gradable: gradable(r), Message: verdict(r), Tests: []prairieLearnTest{}}
	switch {
	case !res.Gradable:
		res.Message += "\n" + notYourFault + " This submission does not count as an attempt: submit it again."
	case r.MaxScore > 0:
		res.Score = min(max(float64(r.Score)/float64(r.MaxScore), 0), 1)
	case norm(r.Status) == runner.Pass:
		res.Score = 1
	}
	for _, c := range r.Checks {
		t := prairieLearnTest{
			Name:      hiddenName(c),
			Points:    points(c),
			MaxPoints: max(c.Points, 0),
			Message:   strings.TrimSpace(clean(c.Message)),
		}
		c.Message = ""
		t.Output = details(c)
		res.Tests = append(res.Tests, t)
	}
	return res
}
