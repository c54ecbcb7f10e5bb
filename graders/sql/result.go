package sql

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/backendroadmap/grader/runner"
)

// ResultParams are sql.result's parameters.
type ResultParams struct {
	// File is the learner's query file; its last statement that returns
	// rows is compared.
	File string `yaml:"file"`
	// After lists the learner's files that run first.
	After []string `yaml:"after"`
	// Reference is the exercise's own query file (usually the solution's
	// copy of File). It runs on a fresh copy of the same data, never in the
	// learner's workspace.
	Reference string `yaml:"reference"`
	// ReferenceAfter lists exercise files the reference needs first (the
	// solution's versions of After).
	ReferenceAfter []string `yaml:"reference_after"`
	// Ordered makes row order part of the answer (the exercise asks for an
	// ORDER BY). Otherwise rows are compared as a multiset.
	Ordered bool `yaml:"ordered"`
	// Setup, when set, lists setup files of the exercise that replace the
	// services block's for this check: the learner's files and the
	// reference run on a database of its own, built from them (the same
	// schema with other rows). With `visibility: hidden`, it judges the
	// learner's query on data they never saw.
	Setup []string `yaml:"setup"`
}

// shownRows bounds the rows of each side a failure names and shows: enough
// to see the mistake, never the whole expected result to copy.
const shownRows = 2

// compileResult: sql.result compares the learner's result set with the
// reference solution's on the same data: column names, row count, values
// (numbers by value, NULL as NULL, text and timestamps exactly), and order
// when Ordered.
func (k *kinds) compileResult(p runner.Params, ps *ResultParams) (runner.Checker, error) {
	// The services block before the parameters' own checks, so its errors
	// come first.
	db, err := loadDatabase(p)
	if err != nil {
		return nil, err
	}
	if db, err = db.withSetup(p, ps.Setup); err != nil {
		return nil, err
	}
	files, err := fileList(ps.After, ps.File)
	if err != nil {
		return nil, err
	}
	ref, err := readExerciseFile(p, "reference", ps.Reference)
	if err != nil {
		return nil, err
	}
	var refAfter []script
	for _, name := range ps.ReferenceAfter {
		s, err := readExerciseFile(p, "reference_after", name)
		if err != nil {
			return nil, err
		}
		refAfter = append(refAfter, s)
	}
	refScripts := append(refAfter, ref)
	return k.checker(db, refScripts, func(ctx context.Context, a runner.Attempt) runner.Outcome {
		want, err := k.refs.result(ctx, k, a, db, refScripts)
		if err != nil {
			return infra(err)
		}
		run, err := k.runFiles(ctx, a, db, files)
		if err != nil {
			return infra(err)
		}
		if run.problem != nil {
			return runner.Failed("%v", run.problem)
		}
		if run.result == nil {
			return runner.Failed("%s returns no rows: it must end with a query (SELECT ...)", ps.File)
		}
		if m := diff(want, run.result, ps.Ordered); m != nil {
			return runner.Outcome{Status: runner.Fail, Message: m.message(p.Hidden),
				Expected: want.excerpt(m.want), Actual: run.result.excerpt(m.got)}
		}
		return runner.Passed(fmt.Sprintf("%s returns the expected %s", ps.File, plural(len(want.rows), "row")))
	}), nil
}

// refCache holds reference results, computed once per process for each
// template and reference (a batch of a hundred attempts runs the reference
// once) and, with a folder, kept on disk for the next process.
type refCache struct {
	dir string
	m   sync.Map // key → *refEntry
}

type refEntry struct {
	once sync.Once
	rs   *resultSet
	err  error
}

func (c *refCache) result(ctx context.Context, k *kinds, a runner.Attempt, db *database, scripts []script) (*resultSet, error) {
	h := sha256.New()
	h.Write([]byte(db.key))
	for _, s := range scripts {
		h.Write([]byte{0})
		h.Write([]byte(s.text))
	}
	key := hex.EncodeToString(h.Sum(nil))[:32]
	v, _ := c.m.LoadOrStore(key, &refEntry{})
	e := v.(*refEntry)
	e.once.Do(func() {
		if e.rs = c.load(key); e.rs == nil {
			e.rs, e.err = k.reference(ctx, a, db, scripts)
			if e.err == nil {
				c.store(key, e.rs)
			}
		}
	})
	if e.err != nil && ctx.Err() != nil {
		c.m.Delete(key) // interrupted, not wrong: try again next time
	}
	return e.rs, e.err
}

// storedResult is a result set as kept on disk. Version is the server's:
// another PostgreSQL may print values differently, so it misses.
type storedResult struct {
	Version string      `json:"version"`
	Columns []column    `json:"columns"`
	Rows    [][]*string `json:"rows"`
}

// load returns a stored result, or nil. Anything unreadable is a miss.
func (c *refCache) load(key string) *resultSet {
	if c.dir == "" {
		return nil
	}
	b, err := os.ReadFile(filepath.Join(c.dir, key+".json"))
	if err != nil {
		return nil
	}
	var st storedResult
	if json.Unmarshal(b, &st) != nil || st.Version == "" {
		return nil
	}
	return &resultSet{columns: st.Columns, rows: st.Rows, version: st.Version}
}

// store keeps a result for the next process, atomically; failing to is
// only slower next time.
func (c *refCache) store(key string, rs *resultSet) {
	if c.dir == "" || rs.version == "" {
		return
	}
	b, err := json.Marshal(storedResult{Version: rs.version, Columns: rs.columns, Rows: rs.rows})
	if err != nil || os.MkdirAll(c.dir, 0o755) != nil {
		return
	}
	f, err := os.CreateTemp(c.dir, "."+key+".*")
	if err != nil {
		return
	}
	_, werr := f.Write(b)
	if cerr := f.Close(); werr != nil || cerr != nil || os.Rename(f.Name(), filepath.Join(c.dir, key+".json")) != nil {
		_ = os.Remove(f.Name())
	}
}

// reference runs the exercise's reference scripts on a fresh copy of the
// data of their own and returns the last result set. The copy is dropped at
// once, not at the attempt's end.
func (k *kinds) reference(ctx context.Context, a runner.Attempt, db *database, scripts []script) (*resultSet, error) {
	d, err := k.open(ctx, a, db, fmt.Sprintf("reference/%d", k.refRuns.Add(1)))
	if err != nil {
		return nil, err
	}
	defer func() {
		d.close()
		_ = d.pg.Drop()
	}()
	var last *resultSet
	for _, s := range scripts {
		rs, err := d.exec(ctx, s)
		if err != nil {
			return nil, fmt.Errorf("the exercise's reference solution fails (fix the exercise): %w", err)
		}
		if rs != nil {
			last = rs
		}
	}
	if last == nil {
		return nil, fmt.Errorf("the exercise's reference %s returns no rows (fix the exercise)", scripts[len(scripts)-1].name)
	}
	return last, nil
}
