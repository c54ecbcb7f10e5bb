package report

import (
	"bytes"
	"fmt"
	"html"
	"strings"

	"github.com/backendroadmap/grader/runner"
)

// writeAnnotations writes GitHub Actions workflow commands: an ::error for
// each check that failed or could not run, and a ::notice with each
// report's verdict. Skipped checks get none: GitHub shows only a few
// annotations of each kind per step, a skip only follows from another
// check's failure, and the step summary lists it anyway.
func writeAnnotations(b *bytes.Buffer, rs []*runner.Report) {
	for _, r := range rs {
		where := label(r)
		for _, c := range r.Checks {
			st := norm(c.Status)
			if st != runner.Fail && st != runner.Error {
				continue
			}
			name := checkName(c)
			workflowCommand(b, "error", word[st]+" "+name+" — "+where, details(c))
		}
		t := title(r)
		if s := oneLine(r.Submission); s != "" {
			t += " — " + s
		}
		workflowCommand(b, "notice", t, oneLine(verdict(r)))
	}
}

// workflowCommand writes "::name title=...::message" on one line, escaped as
// GitHub's toolkit does, so neither a learner's text nor its line breaks can
// end the command early or start another.
func workflowCommand(b *bytes.Buffer, name, title, message string) {
	fmt.Fprintf(b, "::%s title=%s::%s\n", name, escapeProperty(title), escapeData(message))
}

// escapeData escapes a workflow command's message.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command's property value, where : and ,
// separate properties.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// summaryLimit keeps the step summary under GitHub's cap of 1 MiB per step,
// with room left for anything else the step writes there.
const summaryLimit = 1000 << 10

// cutNote ends a step summary that had to be cut short.
const cutNote = "\n\n> [!NOTE]\n> This summary was cut short to stay under GitHub's 1 MiB limit for a step summary. The job log lists every failed check.\n"

// markdown collects the step summary in whole pieces (a heading, a table
// row, one check's details) and drops every piece after the first that would
// take it past its limit, so a cut summary is still well-formed Markdown.
type markdown struct {
	b     *bytes.Buffer
	limit int
	cut   bool
}

func (m *markdown) add(s string) {
	if m.cut {
		return
	}
	if m.b.Len()+len(s)+len(cutNote) > m.limit {
		m.cut = true
		return
	}
	m.b.WriteString(s)
}

// writeStepSummary writes a Markdown section per report: a heading, the
// verdict, a table of every check, and each failed check's expected and
// actual values in a collapsed block. It stays within limit bytes.
func writeStepSummary(b *bytes.Buffer, rs []*runner.Report, limit int) {
	m := &markdown{b: b, limit: limit}
	heading := "## "
	if len(rs) > 1 {
		m.add("## grader — " + mdText(batchVerdict(rs)) + "\n\n")
		heading = "### "
	}
	for _, r := range rs {
		st := norm(r.Status)
		m.add(heading + mark[st] + " " + mdText(title(r)) + "\n\n")
		if s := oneLine(r.Submission); s != "" {
			m.add("Submission: " + mdText(s) + "\n\n")
		}
		m.add("**" + mdText(verdict(r)) + "**\n\n")
		if len(r.Checks) == 0 {
			continue
		}
		m.add("| Check | Status | Message |\n| --- | --- | --- |\n")
		for _, c := range r.Checks {
			m.add(mdRow(c))
		}
		m.add("\n")
		for _, c := range r.Checks {
			if st := norm(c.Status); (st == runner.Fail || st == runner.Error) && (c.Expected != "" || c.Actual != "") {
				m.add(mdValues(c))
			}
		}
	}
	if m.cut {
		b.WriteString(cutNote)
	}
}

// mdRow is one check's table row. Its message is cut like a value: a cell
// is no place for a page of output.
func mdRow(c runner.CheckResult) string {
	st := norm(c.Status)
	name := checkName(c)
	if c.Hidden {
		name += " (hidden)"
	}
	msg, more := clip(strings.TrimSpace(c.Message))
	cell := mdCell(msg)
	if more != "" {
		cell += " " + clipNote(msg, more)
	}
	if hint := strings.TrimSpace(c.Hint); hint != "" && showHint(c) {
		cell += "<br>**hint:** " + mdCell(hint)
	}
	return "| " + mdText(name) + " | " + mark[st] + " " + string(st) + " | " + cell + " |\n"
}

// mdValues is a collapsed block with a check's expected and actual values as
// code, which GitHub shows exactly as printed.
func mdValues(c runner.CheckResult) string {
	var b strings.Builder
	b.WriteString("<details><summary>" + html.EscapeString(checkName(c)) + ": expected and actual</summary>\n\n")
	for _, v := range []struct{ name, value string }{{"expected", c.Expected}, {"actual", c.Actual}} {
		if v.value == "" {
			continue
		}
		shown, more := clip(v.value)
		shown = strings.TrimSuffix(clean(shown), "\n")
		fence := strings.Repeat("`", max(3, longestRun(shown, '`')+1))
		b.WriteString(v.name + ":\n\n" + fence + "text\n" + shown + "\n" + fence + "\n\n")
		if more != "" {
			b.WriteString(clipNote(shown, more) + "\n\n")
		}
	}
	b.WriteString("</details>\n\n")
	return b.String()
}

// mdEscaper keeps text from being read as Markdown or HTML.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "~", `\~`, "|", `\|`,
	"&", "&amp;", "<", "&lt;", ">", "&gt;",
)

// mdText is one line of learner-controlled text, as Markdown that shows it
// literally.
func mdText(s string) string { return mdEscaper.Replace(oneLine(s)) }

// mdCell is like mdText but keeps line breaks, as <br>, which is the only
// way to break a line inside a table cell.
func mdCell(s string) string {
	lines := strings.Split(strings.TrimSpace(clean(s)), "\n")
	for i, line := range lines {
		lines[i] = mdEscaper.Replace(strings.TrimSpace(strings.ReplaceAll(line, "\t", " ")))
	}
	return strings.Join(lines, "<br>")
}

// longestRun is the length of the longest run of c in s, so a code fence can
// be made longer than any fence inside the code.
func longestRun(s string, c byte) int {
	longest, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			longest = max(longest, n)
		} else {
			n = 0
		}
	}
	return longest
}
