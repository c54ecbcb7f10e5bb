package redis

import (
	"context"
	"errors"
	"fmt"

	"github.com/backendroadmap/grader/runner"
)

// scriptParams are redis.script's parameters.
type scriptParams struct {
	// File is the learner's command file, relative to the workspace.
	File string `yaml:"file"`
}

// compileScript builds redis.script: it runs the learner's command file
// against the attempt's Redis, as the learner's ACL user, and passes when
// every command succeeds. The first failing command fails the check with
// Redis's own error, the file, the line and the command.
func (k *kinds) compileScript(p runner.Params, sp *scriptParams) (runner.Checker, error) {
	// The services block before the parameters' own checks, so its errors
	// come first.
	e, err := loadEnv(p)
	if err != nil {
		return nil, err
	}
	file, err := workspaceFileParam("file", sp.File, true)
	if err != nil {
		return nil, err
	}
	return k.checker(e, func(ctx context.Context, a runner.Attempt) runner.Outcome {
		return k.runScriptOnce(ctx, a, e, file)
	}), nil
}

// runScriptOnce runs a learner's command file on the attempt's Redis the
// first time a check asks for it, and returns that run's outcome every
// time: a file changes the data, so it must not run twice in one attempt.
// A file that is missing or does not parse fails before any container
// starts.
func (k *kinds) runScriptOnce(ctx context.Context, a runner.Attempt, e *env, file string) runner.Outcome {
	cmds, out, ok := readLearnerCommands(a.Dir, file)
	if !ok {
		return out
	}
	srv, err := k.attemptServer(ctx, a, e)
	if err != nil {
		return runner.Errored(err)
	}
	v, _ := a.Memo.Do(memoKey{what: "script", env: e.key, file: file}, func() (any, error) {
		return runScript(ctx, srv, file, cmds), nil
	})
	return v.(runner.Outcome)
}

// runScript runs a learner's commands as the learner, stopping at the
// first error.
func runScript(ctx context.Context, srv *server, file string, cmds []Command) runner.Outcome {
	c := srv.learner()
	defer c.Close()
	replies, err := runCommands(ctx, c, cmds, true)
	if err != nil {
		return stopOutcome(file, err)
	}
	if n := len(replies); n > 0 && replies[n-1].err != "" {
		return commandFailed(file, replies[n-1])
	}
	return runner.Passed(fmt.Sprintf("%s: %d commands ran without errors", file, len(cmds)))
}

// readLearnerCommands reads and parses a learner's file; when that fails
// it returns the outcome to report (a missing file or a syntax error is a
// failure; an unreadable workspace, an error).
func readLearnerCommands(dir, file string) ([]Command, runner.Outcome, bool) {
	data, err := readWorkspaceFile(dir, file)
	var missing *missingFileError
	var fe *runner.FileError
	switch {
	case errors.As(err, &missing), errors.As(err, &fe):
		return nil, runner.Failed("%v", err), false
	case err != nil:
		return nil, runner.Errored(err), false
	}
	cmds, err := ParseCommands(file, data)
	if err != nil {
		return nil, runner.Failed("%v", err), false
	}
	if len(cmds) == 0 {
		return nil, runner.Failed("%s holds no commands yet: write one Redis command per line", file), false
	}
	return cmds, runner.Outcome{}, true
}

// commandFailed is a learner's command that Redis answered with an error.
func commandFailed(file string, r reply) runner.Outcome {
	if refused(r.err) {
		return runner.Failed("%s:%d: %s is not allowed in this exercise (Redis answered: %s). Use data commands such as SET, HSET, EXPIRE, ZADD", file, r.cmd.Line, r.cmd.Name(), r.err)
	}
	return runner.Failed("%s:%d: %s failed: %s", file, r.cmd.Line, r.cmd, r.err)
}

// stopOutcome reports a run that could not go on.
func stopOutcome(file string, err error) runner.Outcome {
	var se *stopError
	if !errors.As(err, &se) {
		return runner.Errored(fmt.Errorf("running %s: %w", file, err))
	}
	if se.timeout {
		return runner.Failed("%s:%d: %s did not answer within %s: a blocking command (BLPOP, BRPOP, XREAD BLOCK ...) waits until data arrives; give it a short timeout or push the data first", file, se.cmd.Line, se.cmd, se.waited)
	}
	return runner.Errored(fmt.Errorf("%s:%d: %s: lost the connection to Redis: %w", file, se.cmd.Line, se.cmd, se.err))
}
