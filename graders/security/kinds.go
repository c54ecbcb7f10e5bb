package security

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/backendroadmap/grader/graders/httpcheck"
	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox/postgres"
)

// Kinds returns the security kinds of check, keyed by the name an exercise
// spec uses. servers gives them the attempt's server (the same provider as
// the HTTP kinds'); it is called only when a check runs, so loading a
// catalog needs no Docker and servers may be nil for a caller that only
// compiles.
func Kinds(servers httpcheck.Servers) runner.Kinds {
	k := &kinds{servers: servers}
	return runner.Kinds{
		"sec.sqli":      runner.DecodesItself[sqliParams](k.compileSQLi),
		"sec.passwords": runner.DecodesItself[passwordsParams](k.compilePasswords),
	}
}

type kinds struct {
	servers httpcheck.Servers
}

// statementLog is what the attempt's server offers when the exercise has a
// PostgreSQL database: the statements PostgreSQL logged for the attempt
// (*attempt.Server has it).
type statementLog interface {
	StatementMark(ctx context.Context) (postgres.LogMark, error)
	Statements(ctx context.Context, mark postgres.LogMark) ([]postgres.Statement, error)
}

// database is the attempt's database as a check reads it.
type database interface {
	Query(ctx context.Context, sql string, args ...any) ([]string, error)
}

func paramErr(field, format string, args ...any) error {
	return &runner.ParamError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// indent prefixes every line of s with four spaces.
func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "    " + l
	}
	return strings.Join(lines, "\n")
}

// errNoDB is the author's error of a check that needs the attempt's
// database in an exercise without one.
var errNoDB = errors.New("needs the attempt's PostgreSQL database: declare services.postgres")
