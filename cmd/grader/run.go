package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/backendroadmap/grader/fault"
)

// run is the whole program behind main: it parses args, runs the command, and
// returns the exit code. It reads no globals, so tests call it directly.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	a := &app{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, args: args, exec: execReplacing}
	a.svc = &services{getenv: getenv, cacheDir: a.cacheDir, logf: func(format string, args ...any) { a.log.Info().Msgf(format, args...) }}
	defer a.svc.close()
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil && a.code == exitPass && ctx.Err() != nil {
		a.code = exitInterrupted
	}
	if err == nil {
		return a.code
	}
	code := codeFor(ctx, err, a.started)
	msg := err.Error()
	if code == exitInterrupted {
		msg = "interrupted"
	}
	fmt.Fprintf(stderr, "grader: %s\n", strings.TrimSpace(msg))
	if hint := fault.HintOf(err); hint != "" && code != exitInterrupted {
		fmt.Fprintf(stderr, "hint: %s\n", strings.TrimSpace(hint))
	}
	if !a.started {
		fmt.Fprintln(stderr, "Run 'grader help' for usage.")
	}
	return code
}
