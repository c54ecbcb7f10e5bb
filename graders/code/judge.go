package code

import (
	"fmt"
	"slices"
	"strings"
)

// recordFailed is the Python harness's exit status for a child that could not
// record its result (harness.py RECORD_FAILED).
const recordFailed = 70

// How much of a case's output a message shows.
const (
	shownOutput = 500
	shownValue  = 300
)

// verdict is the host's judgement of one case. The message never holds an
// expected value (a hidden check's message is still shown); expected and
// actual go in their own fields, which the runner blanks for hidden checks.
type verdict struct {
	pass             bool
	message          string
	expected, actual string
}

// judge compares what the learner's code did for case c with what the case
// expects. This is the only place a case passes, and it runs on the host.
func judge(rr *runResult, s *suite, c *testCase) verdict {
	what := "case " + c.id
	if !c.io {
		what += ": " + callString(c.call, c.args, s.lang)
	}
	r := rr.results[c.id]
	fail := func(format string, args ...any) verdict {
		msg := what + " " + fmt.Sprintf(format, args...)
		if out := rr.output[c.id]; out != "" && !c.io {
			msg += "\nYour code printed:\n" + indent(excerpt(out, shownOutput))
		}
		return verdict{message: msg}
	}
	switch {
	case rr.dup[c.id]:
		return fail("was reported more than once: your code must not write grader's result files")
	case r == nil && rr.limit != "":
		if rr.running == c.id {
			return fail("did not finish: the run %s while this case ran", rr.limitMsg)
		}
		return fail("did not run: the run %s before it got here", rr.limitMsg)
	case r == nil && rr.lost != "":
		return fail("has no result: grader's results file did not come back from the sandbox (%s). Does your code write, move or link files it did not create, or leave processes running?", rr.lost)
	case r == nil:
		return fail("has no result: something in your code stopped the tests before this case (does it kill processes or delete files it did not create?)")
	}
	if c.io {
		return judgeIO(rr, s, c, r, what)
	}
	switch r.Status {
	case "ok":
		got, ok := decodeValue(r.Value)
		if !ok {
			return fail("returned a value the tests cannot read")
		}
		shown := render(got, s.lang, shownValue)
		switch {
		case c.raises != "":
			return fail("returned %s; it should raise %s", shown, c.raises)
		case c.wantErr:
			return fail("returned %s and no error; it should return an error", shown)
		case equal(c.want, got, c.tolerance, c.unordered):
			return verdict{pass: true}
		}
		v := fail("returned a wrong value")
		v.expected, v.actual = render(c.want, s.lang, shownValue), shown
		if c.unordered {
			v.message += " (order does not matter)"
		}
		return v
	case "raised":
		if c.raises != "" && slices.Contains(r.Types, c.raises) && r.Stage == "call" {
			return verdict{pass: true}
		}
		desc := r.Type
		if r.Message != "" {
			desc += ": " + cut(r.Message, 200)
		}
		if r.Where != "" {
			desc += " (at " + r.Where + ")"
		}
		if r.Stage == "import" {
			return fail("could not import your module: it raised %s", desc)
		}
		if c.raises != "" {
			return fail("raised %s; it should raise %s", desc, c.raises)
		}
		return fail("raised %s", desc)
	case "error":
		if c.wantErr && strings.Contains(r.Message, c.errText) {
			return verdict{pass: true}
		}
		if c.wantErr {
			v := fail("returned an error whose message does not say what went wrong")
			v.expected, v.actual = fmt.Sprintf("an error mentioning %q", c.errText), fmt.Sprintf("error %q", cut(r.Message, 200))
			return v
		}
		return fail("returned an error: %s", cut(r.Message, 200))
	case "panic":
		where := ""
		if r.Where != "" {
			where = " (at " + r.Where + ")"
		}
		return fail("panicked: %s%s", cut(r.Message, 200), where)
	case "missing":
		return fail("cannot run: %s has no function %s", r.Module, r.Name)
	case "unsupported":
		return fail("returned %s, which the tests cannot compare: return plain values (numbers, strings, lists, dicts)", r.Type)
	case "exit":
		return fail("exited (exit code %s) during %s instead of returning a value: remove the exit() call", r.Code, r.Stage)
	case "timeout":
		return fail("did not finish within %gs: look for a loop that never ends", r.Seconds)
	case "race":
		// The report is what the run printed: shown once, not again as output.
		return verdict{message: what + " has a data race: two goroutines use the same memory without synchronisation\n" + indent(excerpt(r.Report, shownOutput))}
	case "crash":
		return fail("%s", crashText(rr, r))
	case "noresult":
		if r.Exit == recordFailed {
			return fail("returned, but the tests could not record the result: does your code replace built-in functions or modules (isinstance, json, sys)?")
		}
		return fail("ended without returning a value (exit status %d): does your code exit or kill its own process?", r.Exit)
	}
	return fail("has a result the tests do not understand (%q)", r.Status)
}

// crashText explains a case whose process died.
func crashText(rr *runResult, r *caseResult) string {
	switch {
	case r.Signal == 9 && rr.limit == "memory":
		return "was killed: the run " + rr.limitMsg
	case strings.Contains(r.Fatal, "concurrent map"):
		return "crashed: " + firstLine(r.Fatal) + ": guard the map with a sync.Mutex (or give each goroutine its own)"
	case r.Fatal != "":
		return "crashed: " + firstLine(r.Fatal)
	case r.Signal != 0:
		return fmt.Sprintf("was killed by signal %d", r.Signal)
	case r.Message != "":
		return "could not run: " + cut(r.Message, 200)
	}
	return fmt.Sprintf("crashed (exit status %d)", r.Exit)
}

// judgeIO compares a program run's stdout and exit status.
func judgeIO(rr *runResult, s *suite, c *testCase, r *caseResult, what string) verdict {
	input := ""
	if len(c.argv) > 0 {
		input += " with arguments " + render(stringsAsAny(c.argv), s.lang, 120)
	}
	if c.stdin != "" {
		input += " with input " + render(c.stdin, s.lang, 120)
	}
	what += ": your program" + input
	fail := func(format string, args ...any) verdict {
		msg := what + " " + fmt.Sprintf(format, args...)
		if e := strings.TrimSpace(r.Stderr); e != "" {
			msg += "\nIt wrote to stderr:\n" + indent(excerpt(e, shownOutput))
		}
		return verdict{message: msg}
	}
	switch r.Status {
	case "timeout":
		return fail("did not finish within %gs: does it wait for input that never comes, or loop forever?", r.Seconds)
	case "overflow":
		return fail("printed more than %d KiB: is there a loop that never ends?", r.Cap>>10)
	case "crash":
		return fail("could not start: %s", cut(r.Message, 200))
	case "ok":
	default:
		return fail("has a result the tests do not understand (%q)", r.Status)
	}
	if c.stdout != nil && normalizeOutput(r.Stdout) != normalizeOutput(*c.stdout) {
		v := fail("printed the wrong output")
		v.expected, v.actual = cut(normalizeOutput(*c.stdout), 2000), cut(normalizeOutput(r.Stdout), 2000)
		return v
	}
	if r.Exit != c.exit {
		v := fail("exited with status %d", r.Exit)
		v.expected, v.actual = fmt.Sprintf("exit status %d", c.exit), fmt.Sprintf("exit status %d", r.Exit)
		return v
	}
	return verdict{pass: true}
}

// normalizeOutput ignores what learners cannot see: trailing spaces on a
// line, Windows line endings and trailing blank lines.
func normalizeOutput(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n")
}

func stringsAsAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
