package report

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/backendroadmap/grader/runner"
)

func TestParseFormat(t *testing.T) {
	for _, f := range Formats {
		got, err := ParseFormat(strings.ToUpper(string(f)))
		if err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q", strings.ToUpper(string(f)), got, err, f)
		}
	}
	_, err := ParseFormat("xml")
	if err == nil {
		t.Fatal(`ParseFormat("xml") succeeded`)
	}
	want := `unknown output format "xml": valid formats are text, json, junit, tap, github, gradescope, exercism, prairielearn`
	if err.Error() != want {
		t.Errorf("error = %q\nwant    %q", err, want)
	}
}

func TestWriteRefusesWhatItCannotWrite(t *testing.T) {
	for name, tc := range map[string]struct {
		f  Format
		rs []*runner.Report
	}{
		"no reports":     {Text, nil},
		"nil report":     {Text, []*runner.Report{passReport(), nil}},
		"unknown format": {Format("yaml"), []*runner.Report{passReport()}},
	} {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			if err := Write(&out, tc.f, tc.rs, Options{}); err == nil {
				t.Error("Write succeeded")
			}
			if out.Len() > 0 {
				t.Errorf("Write wrote %q before failing", out.String())
			}
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteReportsWriteErrors(t *testing.T) {
	err := Write(failingWriter{}, Text, []*runner.Report{passReport()}, Options{})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("err = %v, want it to wrap the writer's error", err)
	}
	err = Write(&bytes.Buffer{}, GitHub, []*runner.Report{passReport()}, Options{StepSummary: failingWriter{}})
	if err == nil || !strings.Contains(err.Error(), "step summary") {
		t.Errorf("err = %v, want it to name the step summary", err)
	}
}

// TestHiddenValuesNeverShown: a hidden check's expected and actual values
// must not reach any format, even when a report carries them.
func TestHiddenValuesNeverShown(t *testing.T) {
	r := mixedReport()
	for _, f := range Formats {
		var out, summary bytes.Buffer
		if err := Write(&out, f, []*runner.Report{r}, Options{Verbose: true, StepSummary: &summary}); err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{"HIDDEN-EXPECTED", "HIDDEN-ACTUAL"} {
			if strings.Contains(out.String(), secret) || strings.Contains(summary.String(), secret) {
				t.Errorf("%s output shows %s", f, secret)
			}
		}
	}
	if r.Checks[4].Expected != "HIDDEN-EXPECTED" {
		t.Error("Write changed the caller's report")
	}
}

// TestLearnerOutputCannotReachTerminal: escape sequences and other control
// characters in a learner's output are shown escaped in every format.
func TestLearnerOutputCannotReachTerminal(t *testing.T) {
	r := mixedReport()
	r.Checks[1].Actual = "\x1b[2J\x1b]0;pwned\x07ok\r\nnext\u202eevil\xff"
	r.Checks[1].Message = "bad\x1b[31m red"
	for _, f := range Formats {
		var out, summary bytes.Buffer
		if err := Write(&out, f, []*runner.Report{r}, Options{StepSummary: &summary}); err != nil {
			t.Fatal(err)
		}
		for _, b := range []*bytes.Buffer{&out, &summary} {
			s := b.String()
			raw := "\x1b\x07\r\u202e"
			if f == JSON {
				raw = "\x1b\x07\r" // json keeps printable Unicode as is: it is data
			}
			if strings.ContainsAny(s, raw) || strings.Contains(s, "\xff") {
				t.Errorf("%s output holds a raw control character: %q", f, s)
			}
		}
		if f != JSON && !strings.Contains(out.String(), `\x1b[2J`) {
			t.Errorf("%s output does not show the escape sequence escaped", f)
		}
	}
}

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"plain text, ünïcode ✓":    "plain text, ünïcode ✓",
		"tab\tand\nnewline":        "tab\tand\nnewline",
		"\x1b[31mred\x1b[0m":       `\x1b[31mred\x1b[0m`,
		"crlf\r\n":                 "crlf\\r\n",
		"bad \xff byte":            `bad \xff byte`,
		"c1 \u009b and del \x7f":   `c1 \u009b and del \x7f`,
		"rtl \u202eoverride\u2066": `rtl \u202eoverride\u2066`,
	} {
		if got := clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClip(t *testing.T) {
	long := strings.Repeat("é", maxValue+25)
	shown, more := clip(long)
	if n := len([]rune(shown)); n != maxValue || clipNote(shown, more) != "(25 more characters not shown)" {
		t.Errorf("clip kept %d characters and said %q; want %d and 25 more characters", n, clipNote(shown, more), maxValue)
	}
	if shown, more := clip("short"); shown != "short" || more != "" {
		t.Errorf("clip(short) = %q, %q", shown, more)
	}
	// A table is cut between rows, and the note counts rows.
	var rows []string
	for i := range 40 {
		rows = append(rows, fmt.Sprintf("| %2d | Ada Lovelace  | 1815-12-10 |", i))
	}
	shown, more = clip(strings.Join(rows, "\n"))
	last := shown[strings.LastIndexByte(shown, '\n')+1:]
	if !strings.HasSuffix(last, "|") || len(last) != len(rows[0]) {
		t.Errorf("the last row shown is %q; want a whole row", last)
	}
	kept := strings.Count(shown, "\n") + 1
	if want := fmt.Sprintf("(%d more lines not shown)", 40-kept); clipNote(shown, more) != want {
		t.Errorf("clipNote = %q; want %q", clipNote(shown, more), want)
	}
}

func TestWorst(t *testing.T) {
	r := func(s runner.Status) *runner.Report { return &runner.Report{Status: s} }
	for _, tc := range []struct {
		in   []*runner.Report
		want runner.Status
	}{
		{[]*runner.Report{r(runner.Pass), r(runner.Pass)}, runner.Pass},
		{[]*runner.Report{r(runner.Pass), r(runner.Fail)}, runner.Fail},
		{[]*runner.Report{r(runner.Error), r(runner.Fail)}, runner.Error},
		{[]*runner.Report{r(runner.Fail), r(runner.Error), r(runner.Pass)}, runner.Error},
		{[]*runner.Report{r(runner.Pass), r("something-new")}, runner.Error},
	} {
		if got := worst(tc.in); got != tc.want {
			t.Errorf("worst(%v) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestVerdict(t *testing.T) {
	interrupted := mixedReport()
	interrupted.Interrupted = true
	one := passReport()
	one.Checks = one.Checks[:1]
	for _, tc := range []struct {
		r    *runner.Report
		want string
	}{
		{mixedReport(), "could not grade: could not start PostgreSQL: image postgres:17 is not available"},
		{passReport(), "all 3 checks passed"},
		{one, "the only check passed"},
		{batchReports()[0], "score 1/3 — 1 check failed, 1 skipped"},
		{interrupted, "interrupted: grading stopped before every check ran — score 3/8 so far"},
	} {
		if got := verdict(tc.r); got != tc.want {
			t.Errorf("verdict = %q, want %q", got, tc.want)
		}
	}
}

func TestInvisibleDifferencesAreShown(t *testing.T) {
	for _, tc := range []struct{ exp, act, wantExp, wantAct string }{
		{"hello", "hello  ", "hello", "hello··"},
		{"a\nb\n", "a\r\nb\r\n", "a\nb\n⏎", "a␍\nb␍\n⏎"},
		{"x = 1", "x\t= 1", "x = 1", "x→= 1"},
	} {
		if !invisibleOnly(tc.exp, tc.act) {
			t.Errorf("invisibleOnly(%q, %q) = false; want true", tc.exp, tc.act)
			continue
		}
		if got := showInvisible(tc.exp); got != tc.wantExp {
			t.Errorf("showInvisible(%q) = %q; want %q", tc.exp, got, tc.wantExp)
		}
		if got := showInvisible(tc.act); got != tc.wantAct {
			t.Errorf("showInvisible(%q) = %q; want %q", tc.act, got, tc.wantAct)
		}
	}
	if got := showInvisible("one\ntwo\n"); got != "one\ntwo\n⏎" {
		t.Errorf("a final line break: got %q", got)
	}
	if invisibleOnly("hello", "hullo") || invisibleOnly("same", "same") {
		t.Error("a visible difference, or none, is not an invisible one")
	}
	var b bytes.Buffer
	writeTextCheck(&b, runner.CheckResult{ID: "c", Name: "greeting", Status: runner.Fail, Message: "greeting.txt differs", Expected: "hello", Actual: "hello "}, Options{}, palette{})
	if out := b.String(); !strings.Contains(out, "actual:   hello·") || !strings.Contains(out, "· is a space at the") {
		t.Errorf("the text report does not show the trailing space:\n%s", out)
	}
}
