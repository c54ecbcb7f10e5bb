package attempt

import (
	"context"
	"errors"
	"fmt"

	"github.com/backendroadmap/grader/sandbox/postgres"
)

// ErrNoDatabase is returned by the database methods of a [Server] whose
// exercise declares no PostgreSQL service.
var ErrNoDatabase = errors.New("the exercise declares no PostgreSQL database (services.postgres)")

// StatementMark marks the end of the attempt's statement log now: what the
// learner's server sends PostgreSQL after it is what [Server.Statements]
// returns.
func (s *Server) StatementMark(ctx context.Context) (postgres.LogMark, error) {
	if s.env.pgAttempt == nil {
		return postgres.LogMark{}, ErrNoDatabase
	}
	return s.env.pg.LogMark(ctx)
}

// Statements returns the statements the learner's programs ran on the
// attempt's database since mark, as PostgreSQL itself logged them: the
// evidence of where a user's input went (a bind parameter, or the SQL
// text), which the learner's code cannot forge.
func (s *Server) Statements(ctx context.Context, mark postgres.LogMark) ([]postgres.Statement, error) {
	if s.env.pgAttempt == nil {
		return nil, ErrNoDatabase
	}
	return s.env.pgAttempt.Statements(ctx, mark)
}

// Query runs sql with args on the attempt's database, as the attempt's
// own role (what the learner's server sees), and returns the rows' first
// column as text (NULL as "", bytea as its bytes): for checks that read what the server
// stored, like a password hash.
func (s *Server) Query(ctx context.Context, sql string, args ...any) ([]string, error) {
	if s.env.pgAttempt == nil {
		return nil, ErrNoDatabase
	}
	conn, err := s.env.pgAttempt.Connect(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect to the attempt's database: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	rows, err := conn.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return nil, err
		}
		text := ""
		if len(vals) == 0 {
			out = append(out, text)
			continue
		}
		switch v := vals[0].(type) {
		case nil:
		case []byte: // a bytea column: its bytes, as a hash library wrote them
			text = string(v)
		default:
			text = fmt.Sprint(v)
		}
		out = append(out, text)
	}
	return out, rows.Err()
}
