package report

import (
	"fmt"
	"strings"

	"github.com/backendroadmap/grader/runner"
)

// norm maps a status this package does not know (a newer runner, a hand-made
// report) to Error: a check whose verdict cannot be read did not judge.
func norm(s runner.Status) runner.Status {
	switch s {
	case runner.Pass, runner.Fail, runner.Skip:
		return s
	}
	return runner.Error
}

// counts is how many checks of a report ended each way.
type counts struct{ pass, fail, err, skip int }

func tally(r *runner.Report) counts {
	var n counts
	for _, c := range r.Checks {
		switch norm(c.Status) {
		case runner.Pass:
			n.pass++
		case runner.Fail:
			n.fail++
		case runner.Skip:
			n.skip++
		default:
			n.err++
		}
	}
	return n
}

// mark and word say a status without colour: every format that shows a
// status to a person uses them, so a learner sees the same thing everywhere.
var (
	mark = map[runner.Status]string{runner.Pass: "✓", runner.Fail: "✗", runner.Error: "!", runner.Skip: "−"}
	word = map[runner.Status]string{runner.Pass: "PASS", runner.Fail: "FAIL", runner.Error: "ERROR", runner.Skip: "SKIP"}
)

// verdict is a report's one-line outcome, the last thing a learner reads:
// "score 3/5 — 2 checks failed", "all 5 checks passed", or "could not
// grade: ..." when something other than the learner's work stopped grading.
func verdict(r *runner.Report) string {
	n := tally(r)
	switch {
	case r.Interrupted:
		return fmt.Sprintf("interrupted: grading stopped before every check ran — score %d/%d so far", r.Score, r.MaxScore)
	case norm(r.Status) == runner.Error:
		return "could not grade: " + firstError(r)
	case r.Status == runner.Pass:
		switch len(r.Checks) {
		case 0:
			return "no checks to run"
		case 1:
			return "the only check passed"
		}
		return fmt.Sprintf("all %d checks passed", len(r.Checks))
	}
	var why []string
	if n.fail > 0 {
		why = append(why, fmt.Sprintf("%d %s failed", n.fail, plural(n.fail, "check")))
	}
	if n.skip > 0 {
		why = append(why, fmt.Sprintf("%d skipped", n.skip))
	}
	if len(why) == 0 {
		why = append(why, "not every check passed")
	}
	return fmt.Sprintf("score %d/%d — %s", r.Score, r.MaxScore, strings.Join(why, ", "))
}

// firstError is the first line of the message of the first check that could
// not judge, which is what a learner needs to know (Docker is down, an image
// is missing); the check's own lines say the rest.
func firstError(r *runner.Report) string {
	for _, c := range r.Checks {
		if norm(c.Status) == runner.Error {
			msg, _, _ := strings.Cut(strings.TrimSpace(c.Message), "\n")
			if msg = oneLine(msg); msg != "" {
				return msg
			}
			return fmt.Sprintf("check %q could not run", c.Name)
		}
	}
	return "a check could not run"
}

// worst is a batch's status: error when any report could not be graded,
// else fail when any failed, else pass.
func worst(rs []*runner.Report) runner.Status {
	w := runner.Pass
	for _, r := range rs {
		switch norm(r.Status) {
		case runner.Error:
			return runner.Error
		case runner.Fail, runner.Skip:
			w = runner.Fail
		}
	}
	return w
}

// batchVerdict is a batch's one-line outcome: "2 reports: 1 passed, 1 failed".
func batchVerdict(rs []*runner.Report) string {
	var pass, fail, errs int
	for _, r := range rs {
		switch norm(r.Status) {
		case runner.Pass:
			pass++
		case runner.Error:
			errs++
		default:
			fail++
		}
	}
	parts := []string{}
	if pass > 0 {
		parts = append(parts, fmt.Sprintf("%d passed", pass))
	}
	if fail > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", fail))
	}
	if errs > 0 {
		parts = append(parts, fmt.Sprintf("%d could not be graded", errs))
	}
	return fmt.Sprintf("%d reports: %s", len(rs), strings.Join(parts, ", "))
}

// label names a report in one line: the exercise id, and the submission when
// there is one, since a batch may grade one exercise for many submissions.
func label(r *runner.Report) string {
	id := oneLine(r.Exercise.ID)
	if id == "" {
		id = "unknown-exercise"
	}
	if s := oneLine(r.Submission); s != "" {
		return id + " (" + s + ")"
	}
	return id
}

// title names a report for a person: the exercise's title and id.
func title(r *runner.Report) string {
	t, id := oneLine(r.Exercise.Title), oneLine(r.Exercise.ID)
	switch {
	case t == "":
		return label(r)
	case id == "":
		return t
	}
	return t + " (" + id + ")"
}

// checkName names a check in one line; a check without a name goes by its id.
func checkName(c runner.CheckResult) string {
	if name := oneLine(c.Name); name != "" {
		return name
	}
	return oneLine(c.ID)
}

// details is a check's explanation as plain text, for formats that carry one
// block of text per check (a JUnit failure, a GitHub annotation): the
// message, expected and actual values indented under their names, and the
// hint.
func details(c runner.CheckResult) string {
	var b strings.Builder
	if msg := strings.TrimSpace(clean(c.Message)); msg != "" {
		b.WriteString(msg)
		b.WriteString("\n")
	}
	for _, v := range []struct{ name, value string }{{"expected", c.Expected}, {"actual", c.Actual}} {
		if v.value == "" {
			continue
		}
		shown, more := clip(v.value)
		fmt.Fprintf(&b, "%s:\n", v.name)
		for _, line := range valueLines(clean(shown)) {
			if line == "" {
				b.WriteString("\n")
				continue
			}
			b.WriteString("  " + line + "\n")
		}
		if more != "" {
			b.WriteString("  " + clipNote(shown, more) + "\n")
		}
	}
	if hint := strings.TrimSpace(clean(c.Hint)); hint != "" && showHint(c) {
		b.WriteString("hint: " + hint + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// showHint reports whether c's hint belongs in the output: hints help with
// checks that did not pass, not with ones that did or never ran.
func showHint(c runner.CheckResult) bool {
	s := norm(c.Status)
	return s == runner.Fail || s == runner.Error
}
