package report

import (
	"strings"

	"github.com/backendroadmap/grader/runner"
)

// Exercism's test runner interface, version 3
// (https://exercism.org/docs/building/tooling/test-runners/interface).
// task_id is left out: a check belongs to no numbered task of an exercise's
// instructions, and the interface links a test to a task only when it
// belongs to exactly one.
type (
	exercismResults struct {
		Version int            `json:"version"`
		Status  string         `json:"status"`
		Message string         `json:"message,omitempty"`
		Tests   []exercismTest `json:"tests"`
	}
	exercismTest struct {
		Name string `json:"name"`
		// TestCode is the check's id, what the exercise's spec calls it: a
		// report carries no check's definition, and the id is what an author
		// or a learner searches the exercise for.
		TestCode string `json:"test_code"`
		Status   string `json:"status"`
		Message  string `json:"message,omitempty"`
		Output   string `json:"output,omitempty"`
	}
)

// Limits of the interface: a test's output is at most 500 characters, cut
// with the interface's own note; the top-level message at most 65535 (bytes,
// as the interface counts multibyte characters).
const (
	exercismOutputLimit  = 500
	exercismOutputNote   = "\nOutput was truncated. Please limit to 500 chars."
	exercismMessageLimit = 65535
	exercismMessageNote  = "\n(cut short)"
)

// exercismOf is r as Exercism's results.json. Each check is a test, in the
// order the exercise declares them, as the interface requires. A check that
// failed or was skipped fails; one that could not judge is an error. Its
// message is the check's message, expected value and hint; its output is
// what the learner's work produced (the actual value), which is the
// learner's own output the interface means.
//
// The top-level status is error only when no check judged the work (every
// one could not run or was skipped) or grading was interrupted, as the
// interface reserves error for tests that did not run; its message says why.
// Otherwise a check that could not judge makes the status fail, like a
// failed one.
func exercismOf(r *runner.Report) exercismResults {
	res := exercismResults{Version: 3, Status: "fail", Tests: []exercismTest{}}
	judged := 0
	for _, c := range r.Checks {
		t := exercismTest{Name: hiddenName(c), TestCode: oneLine(c.ID), Status: "fail"}
		if t.TestCode == "" {
			t.TestCode = checkName(c)
		}
		switch norm(c.Status) {
		case runner.Pass:
			t.Status = "pass"
			judged++
		case runner.Fail:
			judged++
		case runner.Error:
			t.Status = "error"
		}
		if t.Status != "pass" {
			actual := c.Actual
			c.Actual = ""
			t.Message = details(c)
			t.Output = cutRunes(clean(actual), exercismOutputLimit, exercismOutputNote)
		}
		res.Tests = append(res.Tests, t)
	}
	switch {
	case r.Interrupted, norm(r.Status) == runner.Error && judged == 0:
		res.Status = "error"
		res.Message = cutBytes(exercismError(r), exercismMessageLimit, exercismMessageNote)
	case norm(r.Status) == runner.Pass:
		res.Status = "pass"
	}
	return res
}

// exercismError is the top-level message of a report nothing could be
// judged of: the verdict, each check that could not run, and whose fault it
// is not.
func exercismError(r *runner.Report) string {
	var b strings.Builder
	b.WriteString(verdict(r) + "\n")
	for _, c := range r.Checks {
		if norm(c.Status) == runner.Error {
			b.WriteString("\n" + checkName(c) + ":\n" + details(c) + "\n")
		}
	}
	b.WriteString("\n" + notYourFault + " Run the tests again.")
	return b.String()
}
