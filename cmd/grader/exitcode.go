package main

import (
	"context"
	"errors"

	"github.com/backendroadmap/grader/fault"
	"github.com/backendroadmap/grader/runner"
)

// Exit codes, documented in `grader help exit-codes`; fault defines them, so
// the kind of an error and its number are decided in one place.
const (
	exitPass        = fault.ExitPass
	exitFail        = fault.ExitFail
	exitUsage       = fault.ExitUsage
	exitInfra       = fault.ExitInfra
	exitInterrupted = fault.ExitInterrupted
)

// usagef returns a mistake in how grader was called or in an exercise spec:
// the user can fix it by changing the command line or the spec.
func usagef(format string, args ...any) error { return fault.Usagef(format, args...) }

// infraf returns grader's environment failing (a catalog that cannot be
// fetched, a disk that cannot be written, Docker down): nobody's work is
// judged.
func infraf(format string, args ...any) error { return fault.Infraf(format, args...) }

// usage marks err as a usage error unless it already says whose it is.
func usage(err error) error { return fault.As(fault.Usage, err) }

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

// codeFor maps an error to an exit code. started says whether a command
// began running; an unclassified error before that came from parsing the
// command line, and after it is grader's own.
func codeFor(ctx context.Context, err error, started bool) int {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		return exitInterrupted
	}
	k, ok := fault.KindOf(err)
	if !ok && !started {
		k = fault.Usage
	}
	return k.ExitCode()
}
