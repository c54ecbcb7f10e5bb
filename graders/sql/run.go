package sql

import (
	"context"

	"github.com/backendroadmap/grader/runner"
)

// RunParams are sql.run's parameters.
type RunParams struct {
	// File is the learner's .sql file, relative to the workspace.
	File string `yaml:"file"`
	// After lists the learner's files that run first, in order (a schema
	// before the queries that use it).
	After []string `yaml:"after"`
}

// compileRun: sql.run passes when the learner's file runs without an error,
// and reports PostgreSQL's message at its line when a statement fails.
func (k *kinds) compileRun(p runner.Params, ps *RunParams) (runner.Checker, error) {
	// The services block before the parameters' own checks, so its errors
	// come first.
	db, err := loadDatabase(p)
	if err != nil {
		return nil, err
	}
	files, err := fileList(ps.After, ps.File)
	if err != nil {
		return nil, err
	}
	return k.checker(db, nil, func(ctx context.Context, a runner.Attempt) runner.Outcome {
		run, err := k.runFiles(ctx, a, db, files)
		if err != nil {
			return infra(err)
		}
		if run.problem != nil {
			return runner.Failed("%v", run.problem)
		}
		return runner.Passed(ps.File + " runs without errors")
	}), nil
}

// fileList validates the learner's files a check runs: after, then file.
func fileList(after []string, file string) ([]string, error) {
	var files []string
	for _, f := range after {
		clean, err := learnerFile("after", f)
		if err != nil {
			return nil, err
		}
		files = append(files, clean)
	}
	clean, err := learnerFile("file", file)
	if err != nil {
		return nil, err
	}
	return append(files, clean), nil
}
