package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/backendroadmap/grader/runner"
)

func TestGitHubEscaping(t *testing.T) {
	r := mixedReport()
	r.Checks[1].Name = "100%, done: yes"
	r.Checks[1].Message = "50% of rows: a, b\nline two\r\n::warning::forged"
	r.Checks[1].Expected, r.Checks[1].Actual, r.Checks[1].Hint = "", "", ""
	out := writeString(t, GitHub, []*runner.Report{r}, Options{})
	want := "::error title=FAIL 100%25%2C done%3A yes — git-branching::50%25 of rows: a, b%0Aline two\\r%0A::warning::forged\n"
	if !strings.Contains(out, want) {
		t.Errorf("output lacks\n%s\nin\n%s", want, out)
	}
	// Every command is one line, so nothing a learner prints can start one.
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if !strings.HasPrefix(line, "::error title=") && !strings.HasPrefix(line, "::notice title=") {
			t.Errorf("line is not a command of ours: %q", line)
		}
	}
}

func TestGitHubEscapeFunctions(t *testing.T) {
	if got, want := escapeData("a%b\r\nc:d,e"), "a%25b%0D%0Ac:d,e"; got != want {
		t.Errorf("escapeData = %q, want %q", got, want)
	}
	if got, want := escapeProperty("a%b\r\nc:d,e"), "a%25b%0D%0Ac%3Ad%2Ce"; got != want {
		t.Errorf("escapeProperty = %q, want %q", got, want)
	}
	// % first, or the escapes themselves would be escaped again.
	if got, want := escapeProperty("%3A"), "%253A"; got != want {
		t.Errorf("escapeProperty(%%3A) = %q, want %q", got, want)
	}
}

func TestGitHubAnnotationsOnlyForFailures(t *testing.T) {
	out := writeString(t, GitHub, []*runner.Report{mixedReport()}, Options{})
	if n := strings.Count(out, "::error "); n != 3 {
		t.Errorf("%d ::error lines, want 3 (two failures, one error)", n)
	}
	if n := strings.Count(out, "::notice "); n != 1 {
		t.Errorf("%d ::notice lines, want 1", n)
	}
	out = writeString(t, GitHub, []*runner.Report{passReport()}, Options{})
	if strings.Contains(out, "::error") {
		t.Errorf("passing report has errors:\n%s", out)
	}
}

func TestGitHubSummaryCells(t *testing.T) {
	r := mixedReport()
	r.Checks[1].Name = "a | b"
	r.Checks[1].Message = "pipe | and\nnewline <script>"
	var summary bytes.Buffer
	if err := Write(&bytes.Buffer{}, GitHub, []*runner.Report{r}, Options{StepSummary: &summary}); err != nil {
		t.Fatal(err)
	}
	want := "| a \\| b | ✗ fail | pipe \\| and<br>newline &lt;script&gt;<br>**hint:**"
	if !strings.Contains(summary.String(), want) {
		t.Errorf("summary lacks %q:\n%s", want, summary.String())
	}
	// Each row keeps the table's three columns.
	for _, line := range strings.Split(summary.String(), "\n") {
		if strings.HasPrefix(line, "| ") {
			if n := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|"); n != 4 {
				t.Errorf("row with %d cell borders: %q", n, line)
			}
		}
	}
}

func TestGitHubSummaryFence(t *testing.T) {
	r := mixedReport()
	r.Checks[1].Actual = "```\n</details>\n````"
	var summary bytes.Buffer
	if err := Write(&bytes.Buffer{}, GitHub, []*runner.Report{r}, Options{StepSummary: &summary}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(summary.String(), "`````text\n```\n</details>\n````\n`````\n") {
		t.Errorf("value not fenced by a longer fence:\n%s", summary.String())
	}
}

func TestGitHubSummaryStaysUnderLimit(t *testing.T) {
	r := mixedReport()
	for i := range 500 {
		c := r.Checks[1]
		c.Name = strings.Repeat("long check name ", 5) + string(rune('a'+i%26))
		r.Checks = append(r.Checks, c)
	}
	rs := []*runner.Report{r, r}
	var b bytes.Buffer
	const limit = 20_000
	writeStepSummary(&b, rs, limit)
	if b.Len() > limit {
		t.Errorf("summary is %d bytes, limit %d", b.Len(), limit)
	}
	if !strings.HasSuffix(b.String(), cutNote) {
		t.Errorf("cut summary does not end with the note:\n%s", b.String()[max(0, b.Len()-300):])
	}

	b.Reset()
	writeStepSummary(&b, rs, summaryLimit)
	if b.Len() > 1<<20 {
		t.Errorf("summary is %d bytes, over GitHub's 1 MiB", b.Len())
	}
	b.Reset()
	writeStepSummary(&b, []*runner.Report{mixedReport()}, summaryLimit)
	if strings.Contains(b.String(), "cut short") {
		t.Error("a small summary was cut")
	}
}
