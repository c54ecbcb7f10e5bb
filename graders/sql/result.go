package sql

import (
	"context"
	"crypto/sha256"
	"fmt"
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
}

// shownRows bounds the rows an outcome's Expected and Actual show.
const shownRows = 12

// compileResult: sql.result compares the learner's result set with the
// reference solution's on the same data: column names, row count, values
// (numbers by value, NULL as NULL, text and timestamps exactly), and order
// when Ordered.
func (k *kinds) compileResult(p runner.Params) (runner.Checker, error) {
	var ps ResultParams
	if err := p.Decode(&ps); err != nil {
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
	db, err := loadDatabase(p)
	if err != nil {
		return nil, err
	}
	refScripts := append(refAfter, ref)
	return runner.CheckerFunc(func(ctx context.Context, a runner.Attempt) runner.Outcome {
		want, err := k.refs.result(ctx, k, db, refScripts)
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
		if msg := diff(want, run.result, ps.Ordered); msg != "" {
			return runner.Outcome{Status: runner.Fail, Message: msg,
				Expected: want.table(shownRows), Actual: run.result.table(shownRows)}
		}
		return runner.Passed(fmt.Sprintf("%s returns the expected %s", ps.File, plural(len(want.rows), "row")))
	}), nil
}

// refCache holds reference results, computed once per process for each
// template and reference: a batch of a hundred attempts runs the reference
// once.
type refCache struct {
	m sync.Map // key → *refEntry
}

type refEntry struct {
	once sync.Once
	rs   *resultSet
	err  error
}

func (c *refCache) result(ctx context.Context, k *kinds, db *database, scripts []script) (*resultSet, error) {
	h := sha256.New()
	h.Write([]byte(db.key))
	for _, s := range scripts {
		h.Write([]byte{0})
		h.Write([]byte(s.text))
	}
	v, _ := c.m.LoadOrStore(string(h.Sum(nil)), &refEntry{})
	e := v.(*refEntry)
	e.once.Do(func() { e.rs, e.err = k.reference(ctx, db, scripts) })
	if e.err != nil && ctx.Err() != nil {
		c.m.Delete(string(h.Sum(nil))) // interrupted, not wrong: try again next time
	}
	return e.rs, e.err
}

// reference runs the exercise's reference scripts on a fresh copy of the
// data of its own and returns the last result set.
func (k *kinds) reference(ctx context.Context, db *database, scripts []script) (*resultSet, error) {
	var drop func()
	d, err := k.clone(ctx, db, func(f func()) { drop = f })
	if drop != nil {
		defer drop()
	}
	if err != nil {
		return nil, err
	}
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
