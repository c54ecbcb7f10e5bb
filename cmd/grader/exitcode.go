package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/backendroadmap/grader/exercises"
	"github.com/backendroadmap/grader/runner"
)

// Exit codes, documented in `grader help exit-codes`. They are a contract with
// scripts and CI: never renumber one.
const (
	exitPass        = 0
	exitFail        = 1
	exitUsage       = 2
	exitInfra       = 3
	exitInterrupted = 130
)

// usageError is a mistake in how grader was called or in an exercise spec: the
// user can fix it by changing the command line or the spec.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// infraError is grader's environment failing (a catalog that cannot be fetched,
// a disk that cannot be written, Docker down): nobody's work is judged.
type infraError struct{ err error }

func (e *infraError) Error() string { return e.err.Error() }
func (e *infraError) Unwrap() error { return e.err }

func infraf(format string, args ...any) error {
	return &infraError{fmt.Errorf(format, args...)}
}

// statusCode maps a report's status to the process's exit code.
func statusCode(s runner.Status) int {
	switch s {
	case runner.Pass:
		return exitPass
	case runner.Fail, runner.Skip:
		return exitFail
	default:
		return exitInfra
	}
}

// codeFor maps an error to an exit code: the one place that decides. started
// says whether a command began running; an unclassified error before that came
// from parsing the command line.
func codeFor(ctx context.Context, err error, started bool) int {
	var (
		ue  *usageError
		ie  *infraError
		se  *exercises.SpecError
		une *exercises.UnknownError
	)
	switch {
	case ctx.Err() != nil || errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.As(err, &ue), errors.As(err, &se), errors.As(err, &une), errors.Is(err, exercises.ErrNotEmpty), errors.Is(err, exercises.ErrBadSource):
		return exitUsage
	case errors.As(err, &ie), errors.Is(err, exercises.ErrCatalog):
		return exitInfra
	case !started:
		return exitUsage
	default:
		return exitInfra
	}
}
