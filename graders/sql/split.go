package sql

import (
	"strings"
)

// statement is one SQL statement of a script, with where it starts, so an
// error inside it can be pointed at in the learner's file.
type statement struct {
	text   string
	offset int // byte offset of text in the script
}

// metaCommand is a psql backslash command found in a script: psql runs
// those, PostgreSQL does not, and grader sends SQL only.
type metaCommand struct {
	offset int
	text   string
}

// splitScript cuts a script into statements at top-level semicolons, the way
// psql does before sending them one at a time: quotes ('...', E'...' with
// backslash escapes, "..."), dollar quotes ($$...$$, $tag$...$tag$) and
// comments (-- to the end of the line, nested /* */) hide semicolons.
// Statements that hold only comments and space are dropped. A psql
// backslash command at the start of a line is returned as meta, for a
// message that says so.
func splitScript(src string) (stmts []statement, meta *metaCommand) {
	start := 0
	atLineStart := true
	emit := func(end int) {
		if text := src[start:end]; !blank(text) {
			stmts = append(stmts, statement{text: text, offset: start})
		}
		start = end + 1
	}
	for i := 0; i < len(src); {
		c := src[i]
		if atLineStart && c == '\\' && meta == nil && blank(src[start:i]) {
			end := strings.IndexByte(src[i:], '\n')
			if end < 0 {
				end = len(src) - i
			}
			meta = &metaCommand{offset: i, text: strings.TrimSpace(src[i : i+end])}
		}
		atLineStart = c == '\n' || (atLineStart && (c == ' ' || c == '\t' || c == '\r'))
		switch {
		case c == ';':
			emit(i)
			i++
		case c == '-' && i+1 < len(src) && src[i+1] == '-':
			end := strings.IndexByte(src[i:], '\n')
			if end < 0 {
				i = len(src)
			} else {
				i += end // the newline itself starts a line
			}
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			i = skipBlockComment(src, i)
		case c == '\'':
			escapes := i > 0 && (src[i-1] == 'E' || src[i-1] == 'e') && (i == 1 || !isIdent(src[i-2]))
			i = skipQuoted(src, i, '\'', escapes)
		case c == '"':
			i = skipQuoted(src, i, '"', false)
		case c == '$' && (i == 0 || !isIdent(src[i-1])):
			i = skipDollar(src, i)
		default:
			i++
		}
	}
	if start < len(src) {
		emit(len(src))
	}
	return stmts, meta
}

// blank reports whether s holds only space and comments.
func blank(s string) bool { return leadingSpace(s) == len(s) }

// leadingSpace counts the bytes of space and comments before s's first
// word, so a message without a position points at the statement, not at the
// blank line before it.
func leadingSpace(s string) int {
	i := 0
	for i < len(s) {
		switch c := s[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case c == '-' && i+1 < len(s) && s[i+1] == '-':
			end := strings.IndexByte(s[i:], '\n')
			if end < 0 {
				return len(s)
			}
			i += end
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			i = skipBlockComment(s, i)
		default:
			return i
		}
	}
	return i
}

// skipBlockComment returns the index after the comment opening at i; block
// comments nest in PostgreSQL. An unclosed one runs to the end.
func skipBlockComment(s string, i int) int {
	depth := 0
	for i < len(s) {
		switch {
		case strings.HasPrefix(s[i:], "/*"):
			depth++
			i += 2
		case strings.HasPrefix(s[i:], "*/"):
			depth--
			i += 2
			if depth == 0 {
				return i
			}
		default:
			i++
		}
	}
	return i
}

// skipQuoted returns the index after the quoted text opening at i. A doubled
// quote stays inside; with escapes, so does a backslash-escaped character.
func skipQuoted(s string, i int, q byte, escapes bool) int {
	i++
	for i < len(s) {
		switch {
		case escapes && s[i] == '\\':
			i += 2
		case s[i] == q && i+1 < len(s) && s[i+1] == q:
			i += 2
		case s[i] == q:
			return i + 1
		default:
			i++
		}
	}
	return i
}

// skipDollar returns the index after a dollar-quoted string opening at i, or
// i+1 when the $ opens none (a parameter like $1).
func skipDollar(s string, i int) int {
	j := i + 1
	for j < len(s) && s[j] != '$' {
		if !isIdent(s[j]) || (j == i+1 && s[j] >= '0' && s[j] <= '9') {
			return i + 1
		}
		j++
	}
	if j >= len(s) {
		return i + 1
	}
	tag := s[i : j+1]
	end := strings.Index(s[j+1:], tag)
	if end < 0 {
		return len(s)
	}
	return j + 1 + end + len(tag)
}

func isIdent(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// lineCol converts a byte offset of src into a 1-based line and column
// (columns count characters, as editors do).
func lineCol(src string, offset int) (line, col int) {
	if offset > len(src) {
		offset = len(src)
	}
	before := src[:offset]
	line = strings.Count(before, "\n") + 1
	col = len([]rune(before[strings.LastIndexByte(before, '\n')+1:])) + 1
	return line, col
}

// byteOffset converts PostgreSQL's 1-based character position in s into a
// byte offset.
func byteOffset(s string, pos int) int {
	n := 0
	for i := range s {
		n++
		if n == pos {
			return i
		}
	}
	return len(s)
}
