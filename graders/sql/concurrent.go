package sql

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"go.yaml.in/yaml/v3"

	"github.com/backendroadmap/grader/runner"
)

// ConcurrentParams are sql.concurrent's parameters: the learner's
// transaction script, how many sessions run it at once and how often, and
// the state the database must be in afterwards.
type ConcurrentParams struct {
	// After lists the learner's files that run first, once (a schema).
	After []string `yaml:"after"`
	// File is the learner's script: one unit of work (a withdrawal, an
	// increment), sent statement by statement as psql would.
	File string `yaml:"file"`
	// Sessions is how many sessions run File at once (default 8, at most
	// 16), each a connection of its own as the attempt's role.
	Sessions int `yaml:"sessions"`
	// Repeat is how many times each session runs File (default 25).
	Repeat int `yaml:"repeat"`
	// RetryOn lists SQLSTATEs after which a run of File is rolled back and
	// started again, as a client does: 40001 (serialization failure) lets
	// SERIALIZABLE solutions pass, 40P01 (deadlock detected) solutions that
	// lock in different orders. Write them quoted: "40001".
	RetryOn []string `yaml:"retry_on"`
	// Retries bounds the retries of one run (default 100).
	Retries int `yaml:"retries"`
	// Expect is the state the runs must leave: no update lost.
	Expect ConcurrentExpect `yaml:"expect"`
}

// ConcurrentExpect is a query of the exercise's that proves a
// sql.concurrent check's invariant (the counter equals sessions × repeat;
// the balance equals the start minus the ledger, never below zero), and the
// rows it must return.
type ConcurrentExpect struct {
	// Query is SQL the exercise runs after every session finished.
	Query string `yaml:"query"`
	// Columns, if set, are the column names Query must return.
	Columns []string `yaml:"columns"`
	// Rows are the expected rows, as in sql.query.
	Rows [][]yaml.Node `yaml:"rows"`
	// Ordered makes row order matter.
	Ordered bool `yaml:"ordered"`
	// Explain says what the rows prove, for the failure message ("no
	// withdrawal is lost and the balance never goes below zero").
	Explain string `yaml:"explain"`
}

const (
	defaultSessions = 8
	maxSessions     = 16 // an attempt's role may open 32 connections
	defaultRepeat   = 25
	defaultRetries  = 100
)

// Compiled on first use, not in package init, which every grader start pays.
var sqlstatePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9A-Z]{5}$`) })

// concurrentCheck is a compiled sql.concurrent check.
type concurrentCheck struct {
	file             string
	sessions, repeat int
	retryOn          []string
	retries          int
	expect           ConcurrentExpect
	want             *resultSet
}

// compileConcurrent: sql.concurrent runs the learner's script in several
// sessions at once, many times each, the way an application's requests
// arrive, then checks the state they leave with a query of the exercise's.
// A lost update or an overdraft shows up there; a statement that fails
// (other than one the exercise says to retry) fails the check with
// PostgreSQL's message.
func (k *kinds) compileConcurrent(p runner.Params, ps *ConcurrentParams) (runner.Checker, error) {
	c, err := newConcurrentCheck(*ps)
	if err != nil {
		return nil, err
	}
	files, err := afterList(ps.After)
	if err != nil {
		return nil, err
	}
	db, err := loadDatabase(p)
	if err != nil {
		return nil, err
	}
	return k.checker(db, nil, func(ctx context.Context, a runner.Attempt) runner.Outcome {
		adb, out := k.afterFiles(ctx, a, db, files)
		if out.Status != "" {
			return out
		}
		s, problem, err := readScript(a, c.file)
		if err != nil {
			return infra(err)
		}
		if problem != nil {
			return runner.Failed("%v", problem)
		}
		if out := c.race(ctx, adb, s); out.Status != "" {
			return out
		}
		return c.verify(ctx, adb)
	}), nil
}

// newConcurrentCheck validates the parameters and applies the defaults.
func newConcurrentCheck(ps ConcurrentParams) (*concurrentCheck, error) {
	file, err := learnerFile("file", ps.File)
	if err != nil {
		return nil, err
	}
	c := &concurrentCheck{file: file, sessions: ps.Sessions, repeat: ps.Repeat, retryOn: ps.RetryOn, retries: ps.Retries, expect: ps.Expect}
	if c.sessions == 0 {
		c.sessions = defaultSessions
	}
	if c.repeat == 0 {
		c.repeat = defaultRepeat
	}
	if c.retries == 0 {
		c.retries = defaultRetries
	}
	switch {
	case c.sessions < 2 || c.sessions > maxSessions:
		return nil, &runner.ParamError{Field: "sessions", Msg: fmt.Sprintf("must be between 2 and %d", maxSessions)}
	case c.repeat < 1 || c.repeat > 1000:
		return nil, &runner.ParamError{Field: "repeat", Msg: "must be between 1 and 1000"}
	case c.retries < 1:
		return nil, &runner.ParamError{Field: "retries", Msg: "must be positive"}
	}
	for i, code := range c.retryOn {
		if !sqlstatePattern().MatchString(code) {
			return nil, &runner.ParamError{Field: fmt.Sprintf("retry_on[%d]", i), Msg: fmt.Sprintf("%q is not a SQLSTATE, like 40001", code)}
		}
	}
	if strings.TrimSpace(ps.Expect.Query) == "" {
		return nil, &runner.ParamError{Field: "expect.query", Msg: "required: the SQL whose rows prove no update was lost"}
	}
	if c.want, err = literalRows(ps.Expect.Columns, ps.Expect.Rows); err != nil {
		var pe *runner.ParamError
		if errors.As(err, &pe) {
			pe.Field = "expect." + pe.Field
		}
		return nil, err
	}
	return c, nil
}

// race runs the script in every session at once. It returns an empty
// Outcome when every run succeeded, else the first failure.
func (c *concurrentCheck) race(ctx context.Context, adb *attemptDB, s script) runner.Outcome {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	conns := make([]*pgx.Conn, 0, c.sessions)
	defer func() {
		cctx, ccancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer ccancel()
		for _, conn := range conns {
			_ = conn.Close(cctx)
		}
	}()
	for range c.sessions { // connect first, so the sessions start together
		conn, err := adb.connect(ctx)
		if err != nil {
			return infra(err)
		}
		conns = append(conns, conn)
	}
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	start := make(chan struct{})
	for _, conn := range conns {
		wg.Go(func() {
			<-start
			for range c.repeat {
				if err := c.runOnce(ctx, conn, s); err != nil {
					once.Do(func() { first = err; cancel() })
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()
	return c.outcome(first)
}

// outcome turns a session's error into the check's outcome.
func (c *concurrentCheck) outcome(err error) runner.Outcome {
	var se *ScriptError
	var open openTxError
	switch {
	case err == nil:
		return runner.Outcome{}
	case errors.As(err, &open):
		return runner.Failed("%s leaves a transaction open (%s): end it with COMMIT", c.file, open.state)
	case errors.As(err, &se) && isRetryCode(se.Code) && !slices.Contains(c.retryOn, se.Code):
		return runner.Failed("%s fails when %d sessions run it at once: %v\nthis check does not retry it: lock the rows you read (SELECT ... FOR UPDATE) or make the change in one statement", c.file, c.sessions, se)
	case errors.As(err, &se):
		return runner.Failed("%s fails when %d sessions run it at once: %v", c.file, c.sessions, err)
	}
	return infra(err)
}

// isRetryCode reports whether a SQLSTATE asks the client to retry the
// transaction: serialization failure or deadlock.
func isRetryCode(code string) bool { return code == "40001" || code == "40P01" }

// openTxError is a run that ended inside a transaction.
type openTxError struct{ state string }

func (e openTxError) Error() string { return "the script leaves a transaction " + e.state }

// runOnce runs the script once on conn, retrying from the start, after a
// rollback and a short random pause, when it fails with a SQLSTATE of
// RetryOn.
func (c *concurrentCheck) runOnce(ctx context.Context, conn *pgx.Conn, s script) error {
	for try := 0; ; try++ {
		_, err := runScript(ctx, conn, s)
		if err == nil {
			switch conn.PgConn().TxStatus() {
			case 'T':
				return openTxError{"open"}
			case 'E':
				return openTxError{"open, and failed"}
			}
			return nil
		}
		if rerr := rollback(ctx, conn); rerr != nil && ctx.Err() == nil {
			return rerr
		}
		var se *ScriptError
		if !errors.As(err, &se) || !slices.Contains(c.retryOn, se.Code) {
			return err
		}
		if try == c.retries {
			return fmt.Errorf("%w\n(still failing after %d retries)", err, c.retries)
		}
		pause := time.Duration(1+rand.IntN(5*min(try+1, 10))) * time.Millisecond
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
	}
}

// rollback ends whatever transaction a failed run left, as a client's
// error handling would; outside a transaction it does nothing.
func rollback(ctx context.Context, conn *pgx.Conn) error {
	if conn.PgConn().TxStatus() == 'I' {
		return nil
	}
	_, err := conn.Exec(ctx, "ROLLBACK")
	return err
}

// verify runs the expect query on the learner's session and compares its
// rows with the spec's.
func (c *concurrentCheck) verify(ctx context.Context, adb *attemptDB) runner.Outcome {
	got, err := adb.exec(ctx, script{name: "the check's query", text: c.expect.Query})
	var se *ScriptError
	switch {
	case errors.As(err, &se):
		return runner.Failed("%s fails after your script ran: %s", oneLine(c.expect.Query), se.Msg)
	case err != nil:
		return infra(err)
	case got == nil:
		return runner.Errored(fmt.Errorf("the check's query returns no rows (fix the exercise): %s", oneLine(c.expect.Query)))
	}
	want := *c.want
	want.columns = slices.Clone(c.want.columns)
	if len(c.expect.Columns) == 0 {
		want.columns = got.columns // names not checked
	}
	for i := range min(len(want.columns), len(got.columns)) {
		want.columns[i].Type = got.columns[i].Type
	}
	m := diff(&want, got, c.expect.Ordered)
	if m == nil {
		return runner.Passed(fmt.Sprintf("%d sessions ran %s %d times each without losing an update", c.sessions, c.file, c.repeat))
	}
	what := oneLine(c.expect.Query)
	if c.expect.Explain != "" {
		what = c.expect.Explain
	}
	return runner.Outcome{Status: runner.Fail,
		Message:  fmt.Sprintf("after %d sessions ran %s %d times each, at once: %s: %s", c.sessions, c.file, c.repeat, what, strings.Replace(m.msg, "your query returns", "the check's query returns", 1)),
		Expected: want.excerpt(m.want), Actual: got.excerpt(m.got)}
}
