package redis

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Command is one line of a command file, split into arguments the way
// redis-cli splits what is typed at its prompt.
type Command struct {
	// Line is the command's 1-based line in its file.
	Line int
	// Args are the command name and its arguments, quotes and escapes
	// resolved. They may hold any bytes (\x00 included).
	Args []string
}

// Name is the command's name in upper case (SET, ZADD), for messages and
// rules about which commands a file may hold.
func (c Command) Name() string {
	if len(c.Args) == 0 {
		return ""
	}
	return strings.ToUpper(c.Args[0])
}

// String renders the command back as a learner would type it, quoting the
// arguments that need it and shortening long ones, for messages.
func (c Command) String() string {
	parts := make([]string, len(c.Args))
	for i, a := range c.Args {
		parts[i] = quoteArg(shorten(a, 40))
	}
	return shorten(strings.Join(parts, " "), 120)
}

// quoted renders the command in full, every argument quoted as needed.
func (c Command) quoted() string {
	parts := make([]string, len(c.Args))
	for i, a := range c.Args {
		parts[i] = quoteArg(a)
	}
	return strings.Join(parts, " ")
}

// SyntaxError is a command file that cannot be split into commands. It
// names the file, line and column so a learner's editor can jump there.
type SyntaxError struct {
	File string
	Line int
	Col  int // 1-based, in bytes
	Msg  string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// maxCommands bounds a file: exercises need tens of commands, and a
// generated file of millions would only be a way to make grading slow.
const maxCommands = 10000

// ParseCommands splits a command file into commands: one per line, as
// redis-cli reads them. Arguments are separated by blanks; "double quotes"
// take the escapes \n \r \t \b \a \\ \" and \xHH (any other \c is c);
// 'single quotes' take only \'. A closing quote must be followed by a blank
// or the end of the line. Blank lines and lines whose first non-blank
// character is # are skipped; a # later in a line is an ordinary character
// (SET tag #redis), as it is in redis-cli. file names the file in errors.
func ParseCommands(file string, data []byte) ([]Command, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // an editor's BOM
	var cmds []Command
	for i, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSuffix(line, []byte("\r"))
		n := i + 1
		trimmed := bytes.TrimLeft(line, " \t")
		if len(trimmed) == 0 || trimmed[0] == '#' {
			continue
		}
		args, col, msg := splitArgs(line)
		if msg != "" {
			return nil, &SyntaxError{File: file, Line: n, Col: col, Msg: msg}
		}
		if len(args) == 0 { // blanks other than spaces and tabs
			continue
		}
		if len(cmds) == maxCommands {
			return nil, &SyntaxError{File: file, Line: n, Col: 1, Msg: fmt.Sprintf("more than %d commands: this is too long for an exercise", maxCommands)}
		}
		cmds = append(cmds, Command{Line: n, Args: args})
	}
	return cmds, nil
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\v' || c == '\f' }

// splitArgs splits one line. On error it returns the 1-based column where
// the problem is and a message.
func splitArgs(line []byte) (args []string, col int, msg string) {
	i := 0
	for {
		for i < len(line) && isBlank(line[i]) {
			i++
		}
		if i == len(line) {
			return args, 0, ""
		}
		var cur []byte
		for i < len(line) && !isBlank(line[i]) {
			switch q := line[i]; q {
			case '"', '\'':
				start := i
				i++
				closed := false
				for i < len(line) && !closed {
					c := line[i]
					switch {
					case q == '"' && c == '\\' && i+3 < len(line) && line[i+1] == 'x' && isHex(line[i+2]) && isHex(line[i+3]):
						cur = append(cur, unhex(line[i+2])<<4|unhex(line[i+3]))
						i += 4
					case q == '"' && c == '\\' && i+1 < len(line):
						cur = append(cur, unescape(line[i+1]))
						i += 2
					case q == '\'' && c == '\\' && i+1 < len(line) && line[i+1] == '\'':
						cur = append(cur, '\'')
						i += 2
					case c == q:
						closed = true
						i++
					default:
						cur = append(cur, c)
						i++
					}
				}
				if !closed {
					what := "double-quoted"
					if q == '\'' {
						what = "single-quoted"
					}
					return nil, start + 1, fmt.Sprintf("unterminated %s string: close it with %c on the same line (use \\n for a line break)", what, q)
				}
				if i < len(line) && !isBlank(line[i]) {
					return nil, i + 1, fmt.Sprintf("a closing quote must be followed by a space or the end of the line, not %s", describeByte(line[i:]))
				}
			default:
				cur = append(cur, line[i])
				i++
			}
		}
		args = append(args, string(cur))
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// unescape resolves \c inside double quotes the way redis-cli does.
func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'a':
		return '\a'
	}
	return c
}

// describeByte names the character at the start of b for a message.
func describeByte(b []byte) string {
	r, _ := utf8.DecodeRune(b)
	if r == utf8.RuneError || r < ' ' {
		return fmt.Sprintf("byte 0x%02x", b[0])
	}
	return fmt.Sprintf("%q", r)
}

// quoteArg renders an argument so that ParseCommands reads it back: bare
// when it is plain, double-quoted with escapes otherwise.
func quoteArg(s string) string {
	if s != "" && s[0] != '#' && !strings.ContainsFunc(s, func(r rune) bool {
		return r <= ' ' || r == '"' || r == '\'' || r == '\\' || r == 0x7f || r == utf8.RuneError
	}) {
		return s
	}
	return quoteString(s)
}

// quoteString double-quotes s as redis-cli prints a string reply: printable
// ASCII as is, \n \r \t \a \b, \\ and \" escaped, other bytes as \xHH.
func quoteString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		default:
			if c < ' ' || c >= 0x7f {
				fmt.Fprintf(&b, `\x%02x`, c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// shorten cuts s to about n bytes for a message, marking the cut.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
