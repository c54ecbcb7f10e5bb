package sql

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ScriptError is a statement of a .sql file that PostgreSQL refused, or a
// file grader cannot send: the learner's to fix. It reads like a compiler's
// message: file:line:column, then PostgreSQL's own words.
type ScriptError struct {
	File      string
	Line, Col int // 0 when PostgreSQL gave no position
	// Statement is the first line of the failing statement, for context.
	Statement string
	Msg       string
	// Code is the SQLSTATE ("42703" undefined_column), empty for errors
	// found before sending.
	Code   string
	Detail string
	Hint   string
}

func (e *ScriptError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Col > 0 {
			fmt.Fprintf(&b, ":%d", e.Col)
		}
	}
	b.WriteString(": ")
	if e.Code != "" {
		b.WriteString("ERROR: ")
	}
	b.WriteString(e.Msg)
	if e.Code != "" {
		fmt.Fprintf(&b, " (SQLSTATE %s)", e.Code)
	}
	if e.Statement != "" {
		fmt.Fprintf(&b, "\n  in: %s", e.Statement)
	}
	if e.Detail != "" {
		fmt.Fprintf(&b, "\n  DETAIL: %s", e.Detail)
	}
	if e.Hint != "" {
		fmt.Fprintf(&b, "\n  HINT: %s", e.Hint)
	}
	return b.String()
}

// sqlstates that mean the learner's statement was stopped by a limit.
const (
	queryCanceled = "57014" // statement_timeout
	lockTimeout   = "55P03"
)

// runScript sends a script's statements one at a time, as psql does, and
// returns the result of the last one that returned rows (nil if none did).
// A statement PostgreSQL refuses stops the script with a *ScriptError that
// points into the file; earlier statements stay done (autocommit, as in
// psql). Any other error is the connection's, not the learner's.
func runScript(ctx context.Context, conn *pgx.Conn, s script) (*resultSet, error) {
	stmts, meta := splitScript(s.text)
	if meta != nil {
		line, _ := lineCol(s.text, meta.offset)
		return nil, &ScriptError{File: s.name, Line: line, Msg: fmt.Sprintf("%s is a psql command, not SQL: grader sends your file to PostgreSQL as SQL, so remove it", meta.text)}
	}
	var last *resultSet
	for _, st := range stmts {
		rs, err := execStatement(ctx, conn, st.text)
		if err != nil {
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				return nil, fmt.Errorf("run %s: %w", s.name, err)
			}
			return nil, scriptError(s, st, pgErr)
		}
		if rs != nil {
			last = rs
		}
	}
	return last, nil
}

// execStatement sends one statement (simple protocol, text results) and
// returns the last result set it produced, also when that has no rows: a
// query that finds nothing still has columns.
func execStatement(ctx context.Context, conn *pgx.Conn, sql string) (*resultSet, error) {
	mrr := conn.PgConn().Exec(ctx, sql)
	var last *resultSet
	for mrr.NextResult() {
		rr := mrr.ResultReader()
		fields := slices.Clone(rr.FieldDescriptions())
		var rows [][][]byte
		for rr.NextRow() {
			vals := rr.Values()
			row := make([][]byte, len(vals))
			for i, v := range vals {
				if v != nil {
					row[i] = slices.Clone(v)
				}
			}
			rows = append(rows, row)
		}
		if _, err := rr.Close(); err != nil {
			_ = mrr.Close()
			return nil, err
		}
		if len(fields) > 0 {
			last = newResultSet(conn, fields, rows)
		}
	}
	return last, mrr.Close()
}

// scriptError points a PostgreSQL error at its place in the file.
func scriptError(s script, st statement, e *pgconn.PgError) *ScriptError {
	se := &ScriptError{File: s.name, Msg: e.Message, Code: e.Code, Detail: e.Detail, Hint: e.Hint}
	off := st.offset + leadingSpace(st.text)
	if e.Position > 0 {
		off = st.offset + byteOffset(st.text, int(e.Position))
		se.Line, se.Col = lineCol(s.text, off)
	} else {
		se.Line, _ = lineCol(s.text, off)
	}
	first := strings.TrimSpace(st.text[leadingSpace(st.text):])
	if i := strings.IndexByte(first, '\n'); i >= 0 {
		first = first[:i] + " ..."
	}
	if len(first) > 120 {
		first = first[:117] + "..."
	}
	se.Statement = first
	switch e.Code {
	case queryCanceled:
		se.Msg += ": the statement ran longer than the exercise allows"
		if se.Hint == "" {
			se.Hint = "look for a missing join condition or an endless recursive query"
		}
	case lockTimeout:
		if se.Hint == "" {
			se.Hint = "another session holds a lock this statement waits for: commit or roll back sooner"
		}
	}
	return se
}
