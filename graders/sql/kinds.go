package sql

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox/attempt"
	"github.com/backendroadmap/grader/sandbox/postgres"
)

// DefaultImage is the server image an exercise gets when its services block
// names none.
const DefaultImage = postgres.DefaultImage

// Databases gives an attempt its copies of an exercise's data: a database
// and a role of the attempt's own, cloned from a template on first request
// and dropped when the attempt ends. It is called when a check first needs a
// database, so exercises that need none never start a server. An error it
// returns (no Docker, an image missing) makes the check an error: the
// learner is not at fault. In the CLI the attempt's environment
// ([attempt.Env.Database]) serves it.
type Databases interface {
	Database(ctx context.Context, a runner.Attempt, spec attempt.DatabaseSpec) (*postgres.Attempt, error)
}

// Option tunes [Kinds].
type Option func(*kinds)

// CacheDir keeps reference results in dir across processes, so a learner's
// second `grader check` does not run the reference solution again. They are
// keyed by the exercise's data, the reference's text and the server's
// version.
func CacheDir(dir string) Option { return func(k *kinds) { k.refs.dir = dir } }

// Kinds returns the sql.* check kinds, whose databases come from dbs.
func Kinds(dbs Databases, opts ...Option) runner.Kinds {
	k := &kinds{dbs: dbs}
	for _, o := range opts {
		o(k)
	}
	// Every sql kind reads the exercise's postgres block (loadDatabase).
	uses := map[string]any{"postgres": &ServiceConfig{}}
	return runner.Kinds{
		"sql.run":        runner.WithServices(runner.ParamsKind[RunParams](k.compileRun), uses),
		"sql.result":     runner.WithServices(runner.ParamsKind[ResultParams](k.compileResult), uses),
		"sql.query":      runner.WithServices(runner.ParamsKind[QueryParams](k.compileQuery), uses),
		"sql.rejects":    runner.WithServices(runner.ParamsKind[RejectsParams](k.compileRejects), uses),
		"sql.schema":     runner.WithServices(runner.ParamsKind[SchemaParams](k.compileSchema), uses),
		"sql.plan":       runner.WithServices(runner.ParamsKind[PlanParams](k.compilePlan), uses),
		"sql.concurrent": runner.WithServices(runner.ParamsKind[ConcurrentParams](k.compileConcurrent), uses),
	}
}

type kinds struct {
	dbs  Databases
	refs refCache
	// refRuns names each reference run's copy: a run interrupted at a
	// check's deadline is tried again by the next check, which needs a
	// fresh copy, not the dropped (or half-changed) one.
	refRuns atomic.Int64
}

// ServiceConfig is the exercise's `services.postgres` block.
type ServiceConfig struct {
	// Image is the PostgreSQL image (default postgres:15); an image map may
	// redirect it.
	Image string `yaml:"image"`
	// Setup lists .sql files of the exercise, run in order as the owner of
	// the template database: the schema and the seed every attempt starts
	// from.
	Setup []string `yaml:"setup"`
	// StatementTimeout bounds each of the learner's statements, as a Go
	// duration (default 10s): PostgreSQL cancels a runaway query and the
	// check says so.
	StatementTimeout string `yaml:"statement_timeout"`
}

// database is an exercise's database as its checks see it: where to get a
// server and how to build the template.
type database struct {
	image string
	// key names the template: a hash of the image and the setup files'
	// contents, so an edited seed builds a new template.
	key   string
	setup []script
	// timeout is the learner's statement_timeout.
	timeout time.Duration
}

// script is one .sql file: its name for messages and its text.
type script struct {
	name string
	text string
}

// loadDatabase decodes the services block and reads its setup files.
func loadDatabase(p runner.Params) (*database, error) {
	var cfg ServiceConfig
	if p.Service != nil {
		if err := p.Service("postgres", &cfg); err != nil {
			return nil, err
		}
	}
	db := &database{image: cfg.Image, timeout: DefaultStatementTimeout}
	if db.image == "" {
		db.image = DefaultImage
	}
	if cfg.StatementTimeout != "" {
		d, err := time.ParseDuration(cfg.StatementTimeout)
		if err != nil || d < time.Millisecond || d > 10*time.Minute {
			return nil, &runner.ServiceError{Service: "postgres", Field: "statement_timeout",
				Msg: fmt.Sprintf("%q must be a duration between 1ms and 10m, like 10s", cfg.StatementTimeout)}
		}
		db.timeout = d
	}
	err := db.readSetup(p.Files, cfg.Setup, func(name string, err error) error {
		return &runner.ServiceError{Service: "postgres", Field: "setup",
			Msg: fmt.Sprintf("cannot read %s from the exercise folder: %v", name, err)}
	})
	if err != nil {
		return nil, err
	}
	return db, nil
}

// readSetup reads the setup files into db and names its template after
// them; fail says what a file that cannot be read is.
func (db *database) readSetup(files fs.FS, names []string, fail func(name string, err error) error) error {
	h := sha256.New()
	h.Write([]byte(db.image))
	db.setup = nil
	for _, name := range names {
		b, err := fs.ReadFile(files, path.Clean(name))
		if err != nil {
			return fail(name, err)
		}
		db.setup = append(db.setup, script{name: name, text: string(b)})
		h.Write([]byte{0})
		h.Write(b)
	}
	db.key = hex.EncodeToString(h.Sum(nil))[:20]
	return nil
}

// withSetup returns the database a check runs on when it names setup files
// of its own (the `setup` parameter): db's image and statement timeout, built
// from those files instead of the services block's. It gets a template, and
// each attempt a clone, of its own, on which the learner's files run again:
// a hidden check on data the learner never saw catches a query that returns
// the rows it was shown rather than computing them. Without names, db
// itself.
func (db *database) withSetup(p runner.Params, names []string) (*database, error) {
	if len(names) == 0 {
		return db, nil
	}
	other := &database{image: db.image, timeout: db.timeout}
	err := other.readSetup(p.Files, names, func(name string, err error) error {
		return &runner.ParamError{Field: "setup", Msg: fmt.Sprintf("cannot read %s from the exercise folder: %v", name, err)}
	})
	if err != nil {
		return nil, err
	}
	return other, nil
}

// build runs the setup files in order, then ANALYZE so plans see the seed's
// real sizes.
func (db *database) build(ctx context.Context, conn *pgx.Conn) error {
	for _, s := range db.setup {
		if _, err := runScript(ctx, conn, s); err != nil {
			return fmt.Errorf("exercise setup: %w", err)
		}
	}
	_, err := conn.Exec(ctx, "ANALYZE")
	return err
}

// readExerciseFile reads a file of the exercise folder at compile time, for
// parameters that name one (a reference query).
func readExerciseFile(p runner.Params, field, name string) (script, error) {
	if name == "" {
		return script{}, &runner.ParamError{Field: field, Msg: "required: a .sql file in the exercise folder"}
	}
	b, err := fs.ReadFile(p.Files, path.Clean(name))
	if err != nil {
		return script{}, &runner.ParamError{Field: field, Msg: fmt.Sprintf("cannot read %s from the exercise folder", name)}
	}
	return script{name: name, text: string(b)}, nil
}

// learnerFile checks a parameter naming a file of the learner's workspace.
func learnerFile(field, name string) (string, error) {
	if name == "" {
		return "", &runner.ParamError{Field: field, Msg: "required: the learner's .sql file, relative to the workspace"}
	}
	clean := path.Clean(name)
	if path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
		return "", &runner.ParamError{Field: field, Msg: fmt.Sprintf("%q must be a path inside the workspace", name)}
	}
	if clean == runner.MetaDir || strings.HasPrefix(clean, runner.MetaDir+"/") {
		return "", &runner.ParamError{Field: field, Msg: fmt.Sprintf("%q is inside %s, grader's own folder, which learners do not write", name, runner.MetaDir)}
	}
	return clean, nil
}

// checker makes a check on db's data. Its setup gets the attempt's database
// (and, when ref is set, the result of that reference solution, which the
// check compares with) before the check's deadline starts: a cold server
// start on a busy machine is not the learner's time.
func (k *kinds) checker(db *database, ref []script, check runner.CheckerFunc) runner.Checker {
	return runner.Prepared{
		Setup: func(ctx context.Context, a runner.Attempt) error {
			if _, err := k.attempt(ctx, a, db); err != nil {
				return err
			}
			if ref != nil {
				_, err := k.refs.result(ctx, k, a, db, ref)
				return err
			}
			return nil
		},
		Run: check,
	}
}
