package report

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/backendroadmap/grader/runner"
)

func writeString(t *testing.T, f Format, rs []*runner.Report, o Options) string {
	t.Helper()
	var out bytes.Buffer
	if err := Write(&out, f, rs, o); err != nil {
		t.Fatalf("Write(%s): %v", f, err)
	}
	return out.String()
}

func TestTextColour(t *testing.T) {
	rs := []*runner.Report{mixedReport()}
	if plain := writeString(t, Text, rs, Options{}); strings.Contains(plain, "\x1b") {
		t.Errorf("text without Color holds an escape:\n%q", plain)
	}
	coloured := writeString(t, Text, rs, Options{Color: true})
	for _, want := range []string{"\x1b[32m✓ PASS\x1b[0m", "\x1b[31m✗ FAIL\x1b[0m", "\x1b[33m! ERROR\x1b[0m", "\x1b[33m− SKIP\x1b[0m"} {
		if !strings.Contains(coloured, want) {
			t.Errorf("text with Color lacks %q:\n%s", want, coloured)
		}
	}
	// Colour never carries meaning alone: without the escapes, the text is
	// the plain text.
	stripped := strings.NewReplacer("\x1b[32m", "", "\x1b[31m", "", "\x1b[33m", "", "\x1b[1m", "", "\x1b[0m", "").Replace(coloured)
	if plain := writeString(t, Text, rs, Options{}); stripped != plain {
		t.Errorf("coloured text says something the plain text does not:\n%s", stripped)
	}
}

// TestTextFitsTerminal: prose is wrapped to 80 columns. Values are not
// wrapped (their line breaks matter), so this fixture's are short.
func TestTextFitsTerminal(t *testing.T) {
	r := mixedReport()
	r.Checks[1].Message = strings.Repeat("the branch has the wrong commits on it ", 6)
	r.Checks[1].Hint = strings.Repeat("look at git log --oneline main..feature ", 5)
	out := writeString(t, Text, []*runner.Report{r}, Options{})
	for _, line := range strings.Split(out, "\n") {
		if n := utf8.RuneCountInString(line); n > lineWidth {
			t.Errorf("line of %d columns: %q", n, line)
		}
		if strings.TrimRight(line, " ") != line {
			t.Errorf("line with trailing spaces: %q", line)
		}
	}
}

func TestTextTruncatesLongValues(t *testing.T) {
	r := mixedReport()
	r.Checks[1].Actual = strings.Repeat("x", 2000)
	out := writeString(t, Text, []*runner.Report{r}, Options{})
	if strings.Contains(out, strings.Repeat("x", maxValue+1)) {
		t.Error("text shows more than maxValue characters of a value")
	}
	if !strings.Contains(out, "(1500 more characters not shown)") {
		t.Errorf("text does not say how much it left out:\n%s", out)
	}
}

func TestTextInterrupted(t *testing.T) {
	r := mixedReport()
	r.Interrupted = true
	out := writeString(t, Text, []*runner.Report{r}, Options{})
	if !strings.Contains(out, "interrupted: grading stopped before every check ran") {
		t.Errorf("interrupted report does not say so:\n%s", out)
	}
}

func TestTextVerbose(t *testing.T) {
	quiet := writeString(t, Text, []*runner.Report{passReport()}, Options{})
	loud := writeString(t, Text, []*runner.Report{passReport()}, Options{Verbose: true})
	if strings.Contains(quiet, "found a git repository") || !strings.Contains(loud, "found a git repository") {
		t.Error("passing checks' messages should show only when Verbose")
	}
}

func TestWrap(t *testing.T) {
	got := wrap("aaa bbb ccc\nshort\n"+strings.Repeat("x", 12)+" y", 8)
	want := []string{"aaa bbb", "ccc", "short", strings.Repeat("x", 12), "y"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("wrap = %q, want %q", got, want)
	}
}

func TestWrapKeepsACurlWhole(t *testing.T) {
	curl := "curl -i -X POST 'http://localhost:8080/todos' -H 'Content-Type: application/json' -d '{\"title\":\"buy milk\"}'"
	got := wrap("Try it:\n"+curl, 40)
	if len(got) != 2 || got[1] != curl {
		t.Fatalf("wrap broke the curl line: %q", got)
	}
}

// grader's own error text behind an error is for whoever debugs grader: -v
// shows it, the plain report (a learner's) does not; JSON always carries it.
func TestTextShowsDetailOnlyVerbose(t *testing.T) {
	r := &runner.Report{Status: runner.Error, Checks: []runner.CheckResult{{
		ID: "db", Status: runner.Error,
		Message: "grader could not run this check: something in its own environment failed, not your work",
		Hint:    "Run the check again.",
		Detail:  "dial unix /var/run/docker.sock: connect: permission denied",
	}}}
	rs := []*runner.Report{r}
	if plain := writeString(t, Text, rs, Options{}); strings.Contains(plain, "docker.sock") || !strings.Contains(plain, "hint: Run the check again.") {
		t.Errorf("plain text shows the detail or lacks the hint:\n%s", plain)
	}
	if verbose := writeString(t, Text, rs, Options{Verbose: true}); !strings.Contains(verbose, "detail:\n") || !strings.Contains(verbose, "connect: permission denied") {
		t.Errorf("-v text lacks the detail:\n%s", verbose)
	}
	if js := writeString(t, JSON, rs, Options{}); !strings.Contains(js, `"detail": "dial unix`) && !strings.Contains(js, `"detail":"dial unix`) {
		t.Errorf("JSON lacks the detail:\n%s", js)
	}
}
