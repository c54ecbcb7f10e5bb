package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/backendroadmap/grader/runner"
)

// The platform formats (gradescope, exercism, prairielearn) are the
// results.json a course platform's autograder container must leave behind.
// Each platform grades one submission per run and reads one results.json, so
// these formats write exactly one report; see [Format.CanWrite].

// platforms names the platform behind each platform format, for messages.
var platforms = map[Format]string{
	Gradescope:   "Gradescope",
	Exercism:     "Exercism",
	PrairieLearn: "PrairieLearn",
}

// CanWrite returns an error when f cannot write n reports at once. The
// platform formats write one submission's results.json: the platform runs
// its autograder once per submission and reads a single object, and a list
// or a stream of objects would be rejected, or worse, read as the first
// submission's result alone. So `grader grade` of several submissions
// refuses them before grading anything, rather than inventing a shape no
// platform reads.
func (f Format) CanWrite(n int) error {
	platform, ok := platforms[f]
	if !ok || n <= 1 {
		return nil
	}
	return fmt.Errorf("the %s format takes one submission at a time (%s grades each submission in a run of its own and reads one results.json), and there are %d: grade them one by one, or use the json format for a batch", f, platform, n)
}

// writePlatform writes r as the results.json of platform format f, indented
// by two spaces and ending in a newline. Go's default escaping of <, > and &
// is kept: each platform shows these values on a web page.
func writePlatform(b *bytes.Buffer, f Format, r *runner.Report) error {
	var v any
	switch f {
	case Gradescope:
		v = gradescopeOf(r)
	case Exercism:
		v = exercismOf(r)
	case PrairieLearn:
		v = prairieLearnOf(r)
	default:
		return fmt.Errorf("%s is not a platform format", f)
	}
	enc := json.NewEncoder(b)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// gradable reports whether r's score says something of the learner's work.
// It does not when a check could not judge (Docker down, a submission that
// could not be fetched) or grading was interrupted: then the platform must
// not record the score as the learner's.
func gradable(r *runner.Report) bool {
	return r.Gradable && norm(r.Status) != runner.Error && !r.Interrupted
}

// notYourFault ends the message of a report that could not be graded.
const notYourFault = "This is a problem with the grading infrastructure, not with your work."

// hiddenName names a check for a platform that shows every check to the
// learner: a hidden check says so, as in the text format, so the learner
// knows why it shows no expected and actual values.
func hiddenName(c runner.CheckResult) string {
	if c.Hidden {
		return checkName(c) + " (hidden check)"
	}
	return checkName(c)
}

// points is what c scored: its points when it passed, else none.
func points(c runner.CheckResult) int {
	if norm(c.Status) == runner.Pass {
		return max(c.Points, 0)
	}
	return 0
}

// cutRunes returns s whole when it has at most n characters, else its first
// characters with note after them, n characters in all.
func cutRunes(s string, n int, note string) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	keep := max(n-utf8.RuneCountInString(note), 0)
	i, seen := 0, 0
	for i = range s {
		if seen == keep {
			break
		}
		seen++
	}
	return strings.TrimRight(s[:i], " \n") + note
}

// cutBytes is cutRunes for a limit in bytes, cutting between characters.
func cutBytes(s string, n int, note string) string {
	if len(s) <= n {
		return s
	}
	keep := max(n-len(note), 0)
	for keep > 0 && !utf8.RuneStart(s[keep]) {
		keep--
	}
	return s[:keep] + note
}
