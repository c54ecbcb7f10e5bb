package redis

import (
	"errors"
	"slices"
	"testing"
)

func TestParseCommands(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want [][]string
		line []int
	}{
		{"plain", "SET k v\nGET k", [][]string{{"SET", "k", "v"}, {"GET", "k"}}, []int{1, 2}},
		{"blanks and comments", "\n# a comment\n   # indented comment\n\t\nPING\n", [][]string{{"PING"}}, []int{5}},
		{"hash inside a line", "SET tag #redis", [][]string{{"SET", "tag", "#redis"}}, nil},
		{"tabs and runs of spaces", "SET\t k   v  ", [][]string{{"SET", "k", "v"}}, nil},
		{"double quotes", `SET k "hello world"`, [][]string{{"SET", "k", "hello world"}}, nil},
		{"escapes", `SET k "a\nb\tc\\d\"e\x41\x7a\q"`, [][]string{{"SET", "k", "a\nb\tc\\d\"eAzq"}}, nil},
		{"short hex is literal", `SET k "\x4"`, [][]string{{"SET", "k", "x4"}}, nil},
		{"single quotes", `SET k 'it\'s "raw" \n'`, [][]string{{"SET", "k", `it's "raw" \n`}}, nil},
		{"empty strings", `SET k "" ''`, [][]string{{"SET", "k", "", ""}}, nil},
		{"quote inside a word", `SET k ab"c d"`, [][]string{{"SET", "k", "abc d"}}, nil},
		{"CRLF and BOM", "\xef\xbb\xbfSET k v\r\nGET k\r\n", [][]string{{"SET", "k", "v"}, {"GET", "k"}}, nil},
		{"utf-8", "SET name Zoë", [][]string{{"SET", "name", "Zoë"}}, nil},
		{"empty file", "", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmds, err := ParseCommands("f.redis", []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			var got [][]string
			for i, c := range cmds {
				got = append(got, c.Args)
				if tt.line != nil && c.Line != tt.line[i] {
					t.Errorf("command %d on line %d, want %d", i, c.Line, tt.line[i])
				}
			}
			if !slices.EqualFunc(got, tt.want, slices.Equal) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseCommandsErrors(t *testing.T) {
	tests := []struct {
		name, in  string
		line, col int
		msg       string
	}{
		{"unterminated double", "PING\nSET k \"abc", 2, 7, "unterminated double-quoted string: close it with \" on the same line (use \\n for a line break)"},
		{"unterminated single", "SET k 'abc", 1, 7, "unterminated single-quoted string: close it with ' on the same line (use \\n for a line break)"},
		{"multi-line string", "SET k \"a\nb\"", 1, 7, "unterminated double-quoted string: close it with \" on the same line (use \\n for a line break)"},
		{"text after a quote", `SET k "a"b`, 1, 10, `a closing quote must be followed by a space or the end of the line, not 'b'`},
		{"escaped quote at end", `SET k "a\"`, 1, 7, "unterminated double-quoted string: close it with \" on the same line (use \\n for a line break)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCommands("f.redis", []byte(tt.in))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a *SyntaxError", err)
			}
			if se.Line != tt.line || se.Col != tt.col || se.Msg != tt.msg || se.File != "f.redis" {
				t.Errorf("got %s, want f.redis:%d:%d: %s", se, tt.line, tt.col, tt.msg)
			}
		})
	}
}

func TestCommandStringRoundTrips(t *testing.T) {
	for _, args := range [][]string{
		{"SET", "k", "v"},
		{"SET", "k", "hello world"},
		{"SET", "k", ""},
		{"SET", "k", "a\"b'c\\d\n\x00\xff"},
		{"HSET", "user:1", "name", "Zoë"},
	} {
		c := Command{Line: 1, Args: args}
		back, err := ParseCommands("f", []byte(c.String()))
		if err != nil || len(back) != 1 || !slices.Equal(back[0].Args, args) {
			t.Errorf("%q → %s → %v, %v", args, c, back, err)
		}
	}
	long := Command{Args: []string{"SET", "k", string(make([]byte, 100))}}
	if s := long.String(); len(s) > 130 {
		t.Errorf("long command not shortened: %d bytes", len(s))
	}
}

func FuzzParseCommands(f *testing.F) {
	f.Add([]byte("SET k \"a\\x41\" 'b'\n# c\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cmds, err := ParseCommands("f", data)
		if err != nil {
			return
		}
		for _, c := range cmds {
			back, err := ParseCommands("f", []byte(Command{Args: c.Args}.quoted()))
			if err != nil || len(back) != 1 || !slices.Equal(back[0].Args, c.Args) {
				t.Fatalf("%q does not round-trip: %v %v", c.Args, back, err)
			}
		}
	})
}
