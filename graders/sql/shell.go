package sql

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/backendroadmap/grader/runner"
)

// Shell is a learner's session on a fresh copy of an exercise's database:
// the data every attempt starts from, to look at while writing a query
// (`grader db`). It is a clone like a check's, with the same role and
// statement timeout; nothing done in it reaches the checks. Close drops it.
type Shell struct {
	db   *attemptDB
	memo *runner.Memo // the shell's own attempt, whose end drops the copy
	// Image is the server's image as the exercise names it, for a banner.
	Image string
}

// OpenShell clones the database that service (an exercise's services
// block reader, as [runner.Params].Service) declares under postgres, with
// its setup files read from files. It wraps [runner.ErrNoService] when the
// exercise has no PostgreSQL.
func OpenShell(ctx context.Context, dbs Databases, files fs.FS, service func(name string, v any) error) (*Shell, error) {
	db, err := loadDatabase(runner.Params{Files: files, Service: service})
	if err != nil {
		return nil, err
	}
	k := &kinds{dbs: dbs}
	memo := &runner.Memo{}
	d, err := k.attempt(ctx, runner.Attempt{Memo: memo}, db)
	if err != nil {
		memo.Close()
		return nil, err
	}
	return &Shell{db: d, memo: memo, Image: db.image}, nil
}

// Run sends input's statements one at a time, as psql does, and returns
// each one's result: a table for a query, OK for the rest. A statement
// PostgreSQL refuses ends the run with the returned error (line and column
// within that statement); the results before it are returned too, and
// their statements stay done.
func (s *Shell) Run(ctx context.Context, input string) (string, error) {
	stmts, meta := splitScript(input)
	if meta != nil {
		stmts = []statement{{text: input}} // runScript says it is psql's
	}
	var out []string
	for _, st := range stmts {
		rs, err := s.db.exec(ctx, script{name: "input", text: st.text})
		var se *ScriptError
		if errors.As(err, &se) {
			return strings.Join(out, "\n"), fmt.Errorf("%s", strings.TrimPrefix(se.Error(), "input:"))
		}
		if err != nil {
			return strings.Join(out, "\n"), err
		}
		out = append(out, table(rs))
	}
	return strings.Join(out, "\n"), nil
}

// table renders a result as the shell shows it.
func table(rs *resultSet) string {
	if rs == nil {
		return "OK"
	}
	idx := make([]int, len(rs.rows))
	for i := range idx {
		idx[i] = i
	}
	t := rs.excerpt(idx)
	t = t[:strings.LastIndexByte(t, '\n')+1]
	return t + "(" + plural(len(rs.rows), "row") + ")"
}

// Complete reports whether input holds at least one whole statement (ends
// with a semicolon outside quotes and comments), so a line-by-line reader
// knows when to send it.
func Complete(input string) bool {
	stmts, meta := splitScript(input)
	if meta != nil {
		return true // Run says it is psql's, not SQL
	}
	if len(stmts) == 0 {
		return false
	}
	last := stmts[len(stmts)-1]
	end := last.offset + len(last.text)
	return end < len(input) && input[end] == ';' && blank(input[end+1:])
}

// Close ends the session and drops the copy.
func (s *Shell) Close() { s.memo.Close() }
