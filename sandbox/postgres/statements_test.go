package postgres

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestStatementsShowWhereInputWent is the security track's evidence: a
// value a client binds shows up as a parameter, one it pastes into the SQL
// shows up in the statement's text, and the log holds only the attempt's
// own statements since the mark, from a session the role cannot exempt.
func TestStatementsShowWhereInputWent(t *testing.T) {
	srv := sharedServer(t)
	ctx := t.Context()
	tpl, err := srv.Template(ctx, "shop/statements", buildShop)
	if err != nil {
		t.Fatal(err)
	}
	a, err := srv.Clone(ctx, tpl)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Drop()
	other, err := srv.Clone(ctx, tpl)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Drop()
	if err := a.LogStatements(ctx); err != nil {
		t.Fatal(err)
	}
	if err := other.LogStatements(ctx); err != nil {
		t.Fatal(err)
	}

	before, err := a.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, before, `SELECT 'before the mark'`)
	_ = before.Close(ctx)

	mark, err := srv.LogMark(ctx)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := a.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	// The role cannot switch its own logging off.
	mustFail(t, conn, `SET log_statement = 'none'`)
	var n int
	// Bound: extended protocol, the value travels as $1.
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM customers WHERE name = $1`, "bound'marker").Scan(&n); err != nil {
		t.Fatal(err)
	}
	// Pasted: the value is part of the text, over the simple protocol.
	if _, err := conn.Exec(ctx, "SELECT count(*) FROM customers WHERE name = 'pasted''marker'\n  AND true", pgx.QueryExecModeSimpleProtocol); err != nil {
		t.Fatal(err)
	}
	oc, err := other.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, oc, `SELECT 'other attempt marker'`)
	_ = oc.Close(ctx)

	got, err := a.Statements(ctx, mark)
	if err != nil {
		t.Fatal(err)
	}
	var bound, pasted *Statement
	for i, s := range got {
		if strings.Contains(s.Text, "before the mark") || strings.Contains(s.Text, "other attempt") || strings.Contains(s.Text, "grader-log-sentinel") {
			t.Errorf("statement %q should not be in the attempt's log since the mark", s.Text)
		}
		if strings.Contains(s.Params, "bound''marker") {
			bound = &got[i]
		}
		if strings.Contains(s.Text, "pasted''marker") {
			pasted = &got[i]
		}
	}
	if bound == nil || strings.Contains(bound.Text, "marker") || !strings.Contains(bound.Text, "$1") {
		t.Errorf("the bound value: got %+v in %+v; want a statement with $1 and the value among its parameters", bound, got)
	}
	if pasted == nil || !strings.Contains(pasted.Text, "AND true") {
		t.Errorf("the pasted value: got %+v in %+v; want the whole statement, line break included, with the value in its text", pasted, got)
	}
}

func TestStatementText(t *testing.T) {
	for msg, want := range map[string]string{
		"statement: SELECT 1":                      "SELECT 1",
		"execute <unnamed>: SELECT $1":             "SELECT $1",
		"execute _pg3_0: SELECT $1":                "SELECT $1",
		"execute fetch from <unnamed>/C_1: SELECT": "SELECT",
		"duration: 1.2 ms":                         "",
		"connection authorized: user=x":            "",
	} {
		got, ok := statementText(msg)
		if got != want || ok != (want != "") {
			t.Errorf("statementText(%q) = %q, %v; want %q", msg, got, ok, want)
		}
	}
}
