package sql

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox/attempt"
	"github.com/backendroadmap/grader/sandbox/postgres"
)

// DefaultStatementTimeout bounds each statement of the learner's (a cross
// join of big tables, a recursive query that never ends) unless the exercise
// sets its own: PostgreSQL cancels it and the check says so. The check's own
// deadline still bounds the whole file.
const DefaultStatementTimeout = 10 * time.Second

// attemptDB is an attempt's own database and the learner's session on it.
// The session is shared by the attempt's checks, one statement at a time.
type attemptDB struct {
	pg      *postgres.Attempt
	timeout time.Duration

	mu   sync.Mutex
	conn *pgx.Conn
}

type attemptKey struct{ db string }

// attempt returns the attempt's database with the learner's session on
// it, cloned by the first check that needs it; the attempt's end closes the
// session, then drops the database.
func (k *kinds) attempt(ctx context.Context, a runner.Attempt, db *database) (*attemptDB, error) {
	v, err := a.Memo.Do(attemptKey{db.key}, func() (any, error) {
		d, err := k.open(ctx, a, db, "")
		if err != nil {
			return nil, err
		}
		a.Memo.Cleanup(d.close)
		return d, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*attemptDB), nil
}

// open opens a session on the attempt's copy of db's data named name (""
// is the attempt's own, which the learner's files change), building the
// template on the server's first use. The caller closes the session; the
// copy is dropped when the attempt ends.
func (k *kinds) open(ctx context.Context, a runner.Attempt, db *database, name string) (*attemptDB, error) {
	if k.dbs == nil {
		return nil, errors.New("no PostgreSQL server is configured for database checks")
	}
	pa, err := k.dbs.Database(ctx, a, attempt.DatabaseSpec{Image: db.image, Key: "sql/" + db.key, Build: db.build, Name: name})
	if err != nil {
		return nil, err
	}
	d := &attemptDB{pg: pa, timeout: db.timeout}
	if d.conn, err = d.connect(ctx); err != nil {
		return nil, err
	}
	return d, nil
}

// connect opens a session as the attempt's role, with the statement timeout.
// The learner may lift the timeout in their own session; the check's
// deadline still cancels the query. The timeouts travel in the session's
// start-up message, as SET would make them, without a round trip of their own.
func (d *attemptDB) connect(ctx context.Context) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(d.pg.DSN)
	if err != nil {
		return nil, fmt.Errorf("connect to the attempt's database: %w", err)
	}
	ms := func(t time.Duration) string { return strconv.FormatInt(t.Milliseconds(), 10) }
	cfg.RuntimeParams["statement_timeout"] = ms(d.timeout)
	cfg.RuntimeParams["lock_timeout"] = ms(d.timeout)
	cfg.RuntimeParams["idle_in_transaction_session_timeout"] = ms(3 * d.timeout)
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to the attempt's database: %w", err)
	}
	return conn, nil
}

// close ends the learner's session; the attempt's end drops the database.
func (d *attemptDB) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = d.conn.Close(ctx)
}

// exec runs s on the learner's session.
func (d *attemptDB) exec(ctx context.Context, s script) (*resultSet, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return runScript(ctx, d.conn, s)
}

// fileRun is what running one of the learner's files did: the last result
// set, or the learner's error (a *ScriptError, or the file missing).
type fileRun struct {
	result  *resultSet
	problem error
}

type fileKey struct{ db, file string }

// runFile runs the learner's file once per attempt, however many checks
// read it, so a CREATE TABLE is not run twice. A learner's mistake is in
// the fileRun; an error returned is the infrastructure's.
func (k *kinds) runFile(ctx context.Context, a runner.Attempt, db *database, file string) (*fileRun, error) {
	v, err := a.Memo.Do(fileKey{db.key, file}, func() (any, error) {
		sc, problem, err := readScript(a, file)
		if err != nil {
			return nil, err
		}
		if problem != nil {
			return &fileRun{problem: problem}, nil
		}
		adb, err := k.attempt(ctx, a, db)
		if err != nil {
			return nil, err
		}
		rs, err := adb.exec(ctx, sc)
		var se *ScriptError
		if errors.As(err, &se) {
			return &fileRun{problem: se}, nil
		}
		if err != nil {
			return nil, err
		}
		return &fileRun{result: rs}, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*fileRun), nil
}

// runFiles runs files in order, stopping at the first learner problem.
func (k *kinds) runFiles(ctx context.Context, a runner.Attempt, db *database, files []string) (*fileRun, error) {
	var last *fileRun
	for _, f := range files {
		run, err := k.runFile(ctx, a, db, f)
		if err != nil || run.problem != nil {
			return run, err
		}
		last = run
	}
	if last == nil {
		last = &fileRun{}
	}
	return last, nil
}

// infra turns an error that is not the learner's (no server, a broken
// exercise setup) into an error outcome: the attempt cannot be graded.
func infra(err error) runner.Outcome { return runner.Errored(err) }

// maxScript bounds a learner's .sql file: an exercise's query or migration
// is a few KiB, and a huge file (or a link to /dev/zero) must not fill
// grader's memory.
const maxScript = 1 << 20

// readScript reads a learner's file: for runFile, and for checks that send
// it themselves (a query to explain, a script run many times). It reads
// through [runner.Attempt.ReadFile], so a link to a host file, a named pipe
// or a huge file is refused before a statement of it could be quoted in a
// report. problem is the learner's to fix; err is the infrastructure's (the
// workspace could not be opened).
func readScript(a runner.Attempt, file string) (s script, problem, err error) {
	b, err := a.ReadFile(file, maxScript)
	var fe *runner.FileError
	switch {
	case errors.As(err, &fe):
		return script{}, fe, nil
	case err != nil:
		return script{}, nil, fmt.Errorf("read %s: %w", file, err)
	case blank(string(b)):
		return script{}, fmt.Errorf("%s has no SQL in it yet", file), nil
	}
	return script{name: file, text: string(b)}, nil, nil
}

// afterFiles runs the learner's files a check starts from (a schema, a
// migration), then returns the attempt's database for the check's own
// statements. A non-empty outcome is the check's verdict instead: the
// learner's error in a file, or the infrastructure's.
func (k *kinds) afterFiles(ctx context.Context, a runner.Attempt, db *database, files []string) (*attemptDB, runner.Outcome) {
	if len(files) > 0 {
		run, err := k.runFiles(ctx, a, db, files)
		if err != nil {
			return nil, infra(err)
		}
		if run.problem != nil {
			return nil, runner.Failed("%v", run.problem)
		}
	}
	adb, err := k.attempt(ctx, a, db)
	if err != nil {
		return nil, infra(err)
	}
	return adb, runner.Outcome{}
}
