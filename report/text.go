package report

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/backendroadmap/grader/runner"
)

// The text layout fits an 80-column terminal. A check's line starts with
// "  ✓ PASS   " (11 columns); its details line up under its name, and values
// are indented two more so they stand apart from the prose around them.
const (
	lineWidth    = 80
	detailIndent = "           "
	valueIndent  = detailIndent + "  "
)

// palette adds ANSI colour when the caller asked for it. Colour only
// repeats what the words already say.
type palette struct{ on bool }

var colour = map[runner.Status]string{
	runner.Pass:  "\x1b[32m", // green
	runner.Fail:  "\x1b[31m", // red
	runner.Error: "\x1b[33m", // yellow
	runner.Skip:  "\x1b[33m", // yellow
}

func (p palette) status(s string, st runner.Status) string {
	if !p.on {
		return s
	}
	return colour[norm(st)] + s + "\x1b[0m"
}

func (p palette) bold(s string) string {
	if !p.on {
		return s
	}
	return "\x1b[1m" + s + "\x1b[0m"
}

func writeText(b *bytes.Buffer, rs []*runner.Report, o Options) {
	p := palette{on: o.Color}
	for i, r := range rs {
		if i > 0 {
			b.WriteString("\n")
		}
		writeTextReport(b, r, o, p)
	}
	if len(rs) > 1 {
		b.WriteString("\n" + p.status(batchVerdict(rs), worst(rs)) + "\n")
	}
}

func writeTextReport(b *bytes.Buffer, r *runner.Report, o Options, p palette) {
	b.WriteString(p.bold(title(r)) + "\n")
	if s := oneLine(r.Submission); s != "" {
		b.WriteString("submission: " + s + "\n")
	}
	b.WriteString("\n")
	for _, c := range r.Checks {
		writeTextCheck(b, c, o, p)
	}
	if len(r.Checks) > 0 {
		b.WriteString("\n")
	}
	st := r.Status
	if r.Interrupted {
		st = runner.Error
	}
	b.WriteString(p.status(textVerdict(r), st) + "\n")
}

// textVerdict is [verdict], except that the message of a check that could
// not run is not printed a second time: in the text format it stands just
// above, in full.
func textVerdict(r *runner.Report) string {
	if !r.Interrupted && norm(r.Status) == runner.Error {
		for _, c := range r.Checks {
			if norm(c.Status) == runner.Error && strings.TrimSpace(c.Message) != "" {
				return "could not grade: a check could not run (see above); not your work's fault"
			}
		}
	}
	return verdict(r)
}

func writeTextCheck(b *bytes.Buffer, c runner.CheckResult, o Options, p palette) {
	st := norm(c.Status)
	name := checkName(c)
	if c.Hidden {
		name += " (hidden check)"
	}
	b.WriteString("  " + p.status(mark[st]+" "+word[st], st))
	b.WriteString(strings.Repeat(" ", 7-len(word[st])) + name + "\n")

	if st != runner.Pass || o.Verbose {
		if msg := strings.TrimSpace(clean(c.Message)); msg != "" {
			writeIndented(b, detailIndent, wrap(msg, lineWidth-len(detailIndent)))
		}
	}
	if st != runner.Fail && st != runner.Error {
		return
	}
	exp, act := c.Expected, c.Actual
	invisible := invisibleOnly(exp, act)
	if invisible {
		exp, act = showInvisible(exp), showInvisible(act)
	}
	block := !fitsOnLabelLine(exp) || !fitsOnLabelLine(act)
	writeTextValue(b, "expected:", exp, block)
	writeTextValue(b, "actual:  ", act, block)
	if invisible {
		writeIndented(b, detailIndent, wrap(invisibleNote, lineWidth-len(detailIndent)))
	}
	if hint := strings.TrimSpace(clean(c.Hint)); hint != "" {
		lines := wrap(hint, lineWidth-len(detailIndent)-len("hint: "))
		b.WriteString(detailIndent + "hint: " + lines[0] + "\n")
		writeIndented(b, detailIndent+"      ", lines[1:])
	}
	// grader's own error text is for whoever debugs grader: -v shows it.
	if detail := strings.TrimSpace(clean(c.Detail)); detail != "" && o.Verbose {
		b.WriteString(detailIndent + "detail:\n")
		writeIndented(b, valueIndent, strings.Split(detail, "\n"))
	}
}

// fitsOnLabelLine reports whether v can follow its label on one line.
func fitsOnLabelLine(v string) bool {
	shown, more := clip(v)
	lines := valueLines(clean(shown))
	return more == "" && len(lines) == 1 && len(detailIndent)+len("expected: ")+utf8.RuneCountInString(lines[0]) <= lineWidth
}

// writeTextValue shows an expected or actual value: on the label's line, or
// as an indented block under it when block is set (when either value is
// long or has several lines, both are blocks, so they line up to compare).
// Values are never wrapped: their line breaks may be what the check is
// about.
func writeTextValue(b *bytes.Buffer, label, v string, block bool) {
	if v == "" {
		return
	}
	shown, more := clip(v)
	lines := valueLines(clean(shown))
	if !block {
		b.WriteString(detailIndent + label + " " + lines[0] + "\n")
	} else {
		b.WriteString(detailIndent + strings.TrimSpace(label) + "\n")
		writeIndented(b, valueIndent, lines)
	}
	if more != "" {
		b.WriteString(valueIndent + clipNote(shown, more) + "\n")
	}
}

// writeIndented writes lines under indent, leaving empty lines empty so the
// output has no trailing spaces.
func writeIndented(b *bytes.Buffer, indent string, lines []string) {
	for _, line := range lines {
		if line != "" {
			b.WriteString(indent + line)
		}
		b.WriteString("\n")
	}
}
