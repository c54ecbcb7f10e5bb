package sql

import (
	"slices"
	"testing"
)

func TestSplitScript(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"two statements", "SELECT 1;\nSELECT 2;\n", []string{"SELECT 1", "\nSELECT 2"}},
		{"no final semicolon", "SELECT 1", []string{"SELECT 1"}},
		{"comments only dropped", "-- nothing;\n/* here; */\n", nil},
		{"semicolon in a string", "SELECT 'a;b';", []string{"SELECT 'a;b'"}},
		{"doubled quote", "SELECT 'it''s; fine'; SELECT 2", []string{"SELECT 'it''s; fine'", " SELECT 2"}},
		{"escape string", `SELECT E'a\';b'; SELECT 2`, []string{`SELECT E'a\';b'`, " SELECT 2"}},
		{"not an escape string", `SELECT name'x';`, []string{`SELECT name'x'`}},
		{"quoted identifier", `SELECT 1 AS "a;b";`, []string{`SELECT 1 AS "a;b"`}},
		{"line comment", "SELECT 1 -- a; b\n;", []string{"SELECT 1 -- a; b\n"}},
		{"nested block comment", "SELECT /* a /* b; */ c; */ 1;", []string{"SELECT /* a /* b; */ c; */ 1"}},
		{"dollar quote", "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql; SELECT 2",
			[]string{"CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql", " SELECT 2"}},
		{"tagged dollar quote", "DO $body$ BEGIN PERFORM 1; END $body$;", []string{"DO $body$ BEGIN PERFORM 1; END $body$"}},
		{"parameter is not a dollar quote", "PREPARE p AS SELECT $1; SELECT 2", []string{"PREPARE p AS SELECT $1", " SELECT 2"}},
		{"empty statements", ";;SELECT 1;;", []string{"SELECT 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stmts, meta := splitScript(tt.src)
			var got []string
			for _, s := range stmts {
				got = append(got, s.text)
				if tt.src[s.offset:s.offset+len(s.text)] != s.text {
					t.Errorf("statement %q: offset %d does not point at it", s.text, s.offset)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("splitScript(%q) = %q, want %q", tt.src, got, tt.want)
			}
			if meta != nil {
				t.Errorf("meta = %+v, want none", meta)
			}
		})
	}
}

func TestSplitScriptFindsMetaCommands(t *testing.T) {
	src := "SELECT 1;\n  \\dt customers\nSELECT 2;"
	_, meta := splitScript(src)
	if meta == nil || meta.text != `\dt customers` {
		t.Fatalf("meta = %+v, want \\dt customers", meta)
	}
	if line, _ := lineCol(src, meta.offset); line != 2 {
		t.Errorf("meta on line %d, want 2", line)
	}
	if _, meta := splitScript(`SELECT E'\\n';`); meta != nil {
		t.Errorf("a backslash inside a string is not a meta command: %+v", meta)
	}
}

func TestLineCol(t *testing.T) {
	src := "SELECT 1;\nSELECT ñame\n  FROM t;"
	for _, tt := range []struct{ off, line, col int }{{0, 1, 1}, {10, 2, 1}, {17, 2, 8}, {25, 3, 3}} {
		if l, c := lineCol(src, tt.off); l != tt.line || c != tt.col {
			t.Errorf("lineCol(%d) = %d:%d, want %d:%d", tt.off, l, c, tt.line, tt.col)
		}
	}
	if got := byteOffset("añb", 3); got != 3 {
		t.Errorf("byteOffset(añb, 3) = %d, want 3 (ñ is two bytes)", got)
	}
}

func TestComplete(t *testing.T) {
	for in, want := range map[string]bool{
		"":                                 false,
		"SELECT 1":                         false,
		"SELECT 1;":                        true,
		"SELECT 1;  -- done\n":             true,
		"SELECT ';":                        false,
		"SELECT 1; SELECT":                 false,
		"SELECT $$a;b$$":                   false,
		"SELECT $$a;b$$;":                  true,
		"/* ; */":                          false,
		"SELECT name\nFROM customers\n;\n": true,
		"\\dt":                             true,
	} {
		if got := Complete(in); got != want {
			t.Errorf("Complete(%q) = %v, want %v", in, got, want)
		}
	}
}
