package report

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// maxValue is how many characters of an expected or actual value the formats
// other than json show. Other graders show a few hundred characters per
// check: enough to see a difference, while a megabyte of a learner's output
// would bury it (and flood a terminal or a CI log).
const maxValue = 500

// clip returns the start of s, at most maxValue characters, and the rest
// it leaves out ("" for none). A value of several lines (a result table, a
// list) is cut at the end of a line, so no row is shown half.
func clip(s string) (shown, rest string) {
	n := 0
	for i := range s {
		if n == maxValue {
			if j := strings.LastIndexByte(s[:i], '\n'); j > 0 {
				return s[:j], s[j+1:]
			}
			return s[:i], s[i:]
		}
		n++
	}
	return s, ""
}

// clipNote says what clip left out of a value whose start is shown: lines
// when the value has several, else characters.
func clipNote(shown, rest string) string {
	if strings.Contains(shown, "\n") {
		lines := strings.Count(strings.TrimRight(rest, "\n"), "\n") + 1
		return fmt.Sprintf("(%d more %s not shown)", lines, plural(lines, "line"))
	}
	more := utf8.RuneCountInString(rest)
	return fmt.Sprintf("(%d more %s not shown)", more, plural(more, "character"))
}

// clean makes text that a learner's work produced safe to print. Newlines and
// tabs stay; every other control character, invalid UTF-8 byte, bidirectional
// control and Unicode line separator is shown as an escape (\x1b, \u202e), so
// the output of a learner's program cannot move a terminal's cursor, recolour
// it, reorder text on screen, break an XML file or forge a line of a report.
func clean(s string) string {
	if !needsCleaning(s) {
		return s
	}
	var b strings.Builder
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[0])
		case r == '\r':
			b.WriteString(`\r`)
		case unsafeRune(r):
			if r < 0x80 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteString(s[:size])
		}
		s = s[size:]
	}
	return b.String()
}

func needsCleaning(s string) bool {
	for i, r := range s {
		if r == '\r' || unsafeRune(r) {
			return true
		}
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return true
			}
		}
	}
	return false
}

// unsafeRune reports whether r must not reach a terminal or file as is.
func unsafeRune(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20 || r == 0x7f, 0x80 <= r && r <= 0x9f:
		return true
	}
	switch r {
	case 0x061c, 0x200e, 0x200f, // bidirectional marks
		0x202a, 0x202b, 0x202c, 0x202d, 0x202e, // embeddings and overrides
		0x2066, 0x2067, 0x2068, 0x2069, // isolates
		0x2028, 0x2029, // line and paragraph separators
		0xfffe, 0xffff: // not characters; invalid in XML
		return true
	}
	return false
}

// oneLine is clean for places that hold a single line: a check's name, a
// title, a table cell, a TAP description. Line breaks and tabs become spaces.
func oneLine(s string) string {
	s = clean(s)
	if strings.ContainsAny(s, "\n\t") {
		s = strings.Join(strings.Fields(s), " ")
	}
	return strings.TrimSpace(s)
}

// valueLines splits a cleaned value into lines for display, without the empty
// line a final newline would add.
func valueLines(s string) []string {
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// wrap breaks each line of s into lines of at most width characters, at
// spaces. Lines that already fit are left alone, so a message that lines
// things up with spaces keeps its layout; a word longer than width gets a
// line of its own. A line that is a command to copy (a curl that
// reproduces a request) is never broken.
func wrap(s string, width int) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if utf8.RuneCountInString(line) <= width || strings.HasPrefix(strings.TrimSpace(line), "curl ") {
			out = append(out, line)
			continue
		}
		cur, n := "", 0
		for _, word := range words(line) {
			wn := utf8.RuneCountInString(word)
			switch {
			case n == 0:
				cur, n = word, wn
			case n+1+wn <= width:
				cur, n = cur+" "+word, n+1+wn
			default:
				out = append(out, cur)
				cur, n = word, wn
			}
		}
		out = append(out, cur)
	}
	return out
}

// words splits a line at spaces, except inside `code spans`: a command a
// learner is told to run stays on one line, whole, so it can be copied.
func words(line string) []string {
	var out []string
	for _, f := range strings.Fields(line) {
		if n := len(out); n > 0 && strings.Count(out[n-1], "`")%2 == 1 {
			out[n-1] += " " + f
			continue
		}
		out = append(out, f)
	}
	return out
}

// plural returns word, with an s when n is not 1.
func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
