package report

import "github.com/backendroadmap/grader/runner"

// Gradescope's autograder specification
// (https://gradescope-autograders.readthedocs.io/en/latest/specs/): the
// fields grader fills. Everything is optional there; grader writes every
// field it has a value for, so what a learner sees does not depend on
// Gradescope's defaults (top-level output, for one, is HTML by default).
// The specification has no top-level max_score: the assignment's points are
// set in Gradescope, and the tests' max_score add up to grader's.
type (
	gradescopeResults struct {
		Score            int              `json:"score"`
		ExecutionTime    int64            `json:"execution_time"`
		Output           string           `json:"output"`
		OutputFormat     string           `json:"output_format"`
		Visibility       string           `json:"visibility"`
		StdoutVisibility string           `json:"stdout_visibility"`
		Tests            []gradescopeTest `json:"tests"`
	}
	gradescopeTest struct {
		Score        int    `json:"score"`
		MaxScore     int    `json:"max_score"`
		Status       string `json:"status"`
		Name         string `json:"name"`
		NameFormat   string `json:"name_format"`
		Output       string `json:"output"`
		OutputFormat string `json:"output_format"`
		Visibility   string `json:"visibility"`
	}
)

// Gradescope's visibility settings that grader uses.
const (
	gradescopeVisible = "visible"
	// gradescopeHiddenCheck is a hidden check's visibility. A hidden check
	// counts towards the grade; the learner is not to see what it looks for
	// while the assignment is open, but is owed an explanation of the grade
	// once it is out. after_published shows the test when staff publish the
	// grades; "hidden" would never show it, and after_due_date would show it
	// to learners who finished early while others still work on it (and
	// before any late deadline's extensions are settled). Gradescope also
	// keeps the total score from the learner while any test is not visible,
	// which is what a hidden check means: the grade is not final until
	// published.
	gradescopeHiddenCheck = "after_published"
	// gradescopeStdout keeps the autograder's own output (grader's logs on
	// stderr, the script's echo) for course staff, as Gradescope does by
	// default: a learner reads the results, not the logs.
	gradescopeStdout = "hidden"
)

// gradescopeOf is r as Gradescope's results.json. Each check is a test worth
// its points; a check that did not pass is "failed" with no points (Gradescope
// has no status for a test that could not run, nor for one skipped).
//
// A report that could not be graded (a check could not judge, grading was
// interrupted) gets a top-level score of 0, which overrides the tests'
// total, and an output that says the infrastructure failed, not the learner,
// so that course staff re-run the autograder; grader's exit code (3) says
// the same to the run_autograder script. A missing results.json would fail
// the run too, but it would tell the learner nothing. The tests still say
// which checks passed.
func gradescopeOf(r *runner.Report) gradescopeResults {
	res := gradescopeResults{
		Score:            min(max(r.Score, 0), max(r.MaxScore, 0)),
		ExecutionTime:    (max(r.DurationMS, 0) + 500) / 1000,
		Output:           title(r) + "\n" + verdict(r),
		OutputFormat:     "text",
		Visibility:       gradescopeVisible,
		StdoutVisibility: gradescopeStdout,
		Tests:            []gradescopeTest{},
	}
	if !gradable(r) {
		res.Score = 0
		res.Output += "\n\n" + notYourFault + " The score of 0 stands only until course staff re-run the autograder."
	}
	for _, c := range r.Checks {
		t := gradescopeTest{
			Score:        points(c),
			MaxScore:     max(c.Points, 0),
			Status:       "failed",
			Name:         checkName(c),
			NameFormat:   "text",
			Output:       details(c),
			OutputFormat: "text",
			Visibility:   gradescopeVisible,
		}
		if norm(c.Status) == runner.Pass {
			t.Status = "passed"
		}
		if c.Hidden {
			t.Visibility = gradescopeHiddenCheck
		}
		res.Tests = append(res.Tests, t)
	}
	return res
}
