package postgres

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Statement logging: the security track proves that a learner's server
// sends what a user typed to PostgreSQL only as a bind parameter, never
// inside a statement's text. The learner's code cannot forge that evidence:
// PostgreSQL itself writes every statement the attempt's role runs to a CSV
// log in the server's data folder, which only a superuser can read (with
// pg_read_file), and the role cannot turn the logging off (log_statement is
// a superuser setting).

// logArgs are the settings a container grader runs starts with so that
// attempts can be logged: the logging collector writes CSV (one record per
// message, quoted, so a statement with line breaks or commas stays one
// record), in PGDATA/log, in a new file only past 256 MiB. Only roles with
// log_statement set (see [Attempt.LogStatements]) write statements there.
var logArgs = []string{
	"-c", "logging_collector=on",
	"-c", "log_destination=csvlog",
	"-c", "log_directory=log",
	"-c", "log_filename=grader-%Y%m%d-%H%M%S.log",
	"-c", "log_rotation_age=0",
	"-c", "log_rotation_size=256MB",
}

// maxLogRead bounds how much of the log one [Attempt.Statements] reads.
const maxLogRead = 32 << 20

// logWait bounds how long [Attempt.Statements] waits for the log to catch
// up: the collector writes what backends send it through a pipe, a moment
// after the statement ran.
const logWait = 5 * time.Second

// ErrNoStatementLog is returned when the server keeps no statement log
// grader can read: a server given by URL that was not started with
// logging_collector=on and log_destination=csvlog.
var ErrNoStatementLog = errors.New("this PostgreSQL server keeps no CSV statement log (start it with -c logging_collector=on -c log_destination=csvlog)")

// LogMark is a place in the server's statement log: what was logged
// before it is not read by [Attempt.Statements].
type LogMark struct {
	file   string
	offset int64
}

// Statement is one statement PostgreSQL logged for an attempt.
type Statement struct {
	// Text is the statement as the server received it: with $1, $2 where
	// the client bound parameters, or with the values inside it where the
	// client interpolated them.
	Text string
	// Params are the bound parameters as PostgreSQL logged them
	// (`$1 = 'alice', $2 = '...'`), or "".
	Params string
}

// LogStatements makes PostgreSQL log every statement the attempt's role
// runs, from its next session on. Call it before the learner's code
// connects.
func (a *Attempt) LogStatements(ctx context.Context) error {
	if _, err := a.srv.pool.Exec(ctx, `ALTER ROLE `+ident(a.Role)+` SET log_statement = 'all'`); err != nil {
		return fmt.Errorf("log the attempt's statements: %w", err)
	}
	return nil
}

// LogMark returns the end of the statement log now: [Attempt.Statements]
// with it reads only what is logged after this call.
func (s *Server) LogMark(ctx context.Context) (LogMark, error) {
	var file *string
	var size *int64
	err := s.pool.QueryRow(ctx, `SELECT f, (pg_stat_file(f, true)).size FROM pg_current_logfile('csvlog') AS f`).Scan(&file, &size)
	if err != nil {
		return LogMark{}, fmt.Errorf("find the statement log: %w", err)
	}
	if file == nil {
		return LogMark{}, ErrNoStatementLog
	}
	m := LogMark{file: *file}
	if size != nil {
		m.offset = *size
	}
	return m, nil
}

// Statements returns the statements the attempt's role ran since mark, in
// the order they ran. It first runs a statement of its own and waits until
// the log holds it, so everything the attempt ran before the call is
// there.
func (a *Attempt) Statements(ctx context.Context, mark LogMark) ([]Statement, error) {
	s := a.srv
	sentinel := "grader-log-sentinel-" + randomHex(8)
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the statement log: %w", err)
	}
	_, err = tx.Exec(ctx, `SET LOCAL log_statement = 'all'`)
	if err == nil {
		_, err = tx.Exec(ctx, `SELECT `+literal(sentinel))
	}
	if err == nil {
		err = tx.Commit(ctx)
	}
	if err != nil {
		_ = tx.Rollback(ctx)
		return nil, fmt.Errorf("read the statement log: %w", err)
	}
	deadline := time.Now().Add(logWait)
	var data []byte
	for {
		// Only what was written since the last look is read again.
		more, next, err := s.readLog(ctx, mark)
		if err != nil {
			return nil, err
		}
		data, mark = append(data, more...), next
		if i := bytes.Index(data, []byte(sentinel)); i >= 0 {
			// Whole records only: the sentinel's own record may still be
			// in the middle of a write, and nothing after it matters.
			if j := bytes.LastIndexByte(data[:i], '\n'); j >= 0 {
				data = data[:j+1]
			} else {
				data = nil
			}
			return parseStatements(data, a.Role, a.Database)
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("read the statement log: PostgreSQL did not write a statement to it within %v", logWait)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// readLog reads the log from mark to its end, across one rotation, and
// returns the mark of where it stopped.
func (s *Server) readLog(ctx context.Context, mark LogMark) ([]byte, LogMark, error) {
	now, err := s.LogMark(ctx)
	if err != nil {
		return nil, mark, err
	}
	var out []byte
	if now.file != mark.file && mark.file != "" {
		old, err := s.readFile(ctx, mark.file, mark.offset, -1)
		if err != nil {
			return nil, mark, err
		}
		out = append(out, old...)
		mark = LogMark{file: now.file}
	}
	cur, err := s.readFile(ctx, now.file, mark.offset, now.offset-mark.offset)
	if err != nil {
		return nil, mark, err
	}
	return append(out, cur...), LogMark{file: now.file, offset: mark.offset + int64(len(cur))}, nil
}

// readFile reads n bytes (-1: to the end) of a file in the data folder
// from offset, at most maxLogRead.
func (s *Server) readFile(ctx context.Context, name string, offset, n int64) ([]byte, error) {
	if n < 0 || n > maxLogRead {
		n = maxLogRead
	}
	if n == 0 {
		return nil, nil
	}
	var data []byte
	if err := s.pool.QueryRow(ctx, `SELECT pg_read_binary_file($1, $2, $3, true)`, name, offset, n).Scan(&data); err != nil {
		return nil, fmt.Errorf("read the statement log %s: %w", name, err)
	}
	return data, nil
}

// CSV log columns (the same from PostgreSQL 13 on; later versions add
// columns at the end).
const (
	colUser     = 1
	colDatabase = 2
	colSeverity = 11
	colMessage  = 13
	colDetail   = 14
	minColumns  = 15
)

// parseStatements picks the statements role ran in database out of CSV log
// records: `statement: ...` (simple protocol) and `execute NAME: ...`
// (extended protocol, with the parameters in the detail).
func parseStatements(data []byte, role, database string) ([]Statement, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	var out []Statement
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read the statement log: %w", err)
		}
		if len(rec) < minColumns || rec[colUser] != role || rec[colDatabase] != database || rec[colSeverity] != "LOG" {
			continue
		}
		text, ok := statementText(rec[colMessage])
		if !ok {
			continue
		}
		out = append(out, Statement{Text: text, Params: strings.TrimPrefix(rec[colDetail], "parameters: ")})
	}
}

// statementText is the statement in a log message, if it is one.
func statementText(msg string) (string, bool) {
	if t, ok := strings.CutPrefix(msg, "statement: "); ok {
		return t, true
	}
	// execute <unnamed>: SELECT ..., execute _pg3_0: ..., and
	// "execute fetch from <unnamed>/C_1: ..." for a portal.
	if rest, ok := strings.CutPrefix(msg, "execute "); ok {
		if i := strings.Index(rest, ": "); i >= 0 {
			return rest[i+2:], true
		}
	}
	return "", false
}
