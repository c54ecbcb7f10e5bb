package redis

import (
	"context"

	"github.com/backendroadmap/grader/runner"
)

// kinds is the state the kinds of one [Kinds] call share: how to start
// containers, and the reference replies computed so far.
type kinds struct {
	services Services
	refs     *refCache
}

// Kinds returns the Redis kinds of check, keyed by the name an exercise
// spec uses. s starts each attempt's Redis container; it is called only
// when a check runs, so the command may pass an engine that connects to
// Docker lazily, and loading a catalog needs no Docker.
func Kinds(s Services) runner.Kinds {
	k := &kinds{services: s, refs: newRefCache()}
	return runner.Kinds{
		"redis.script": runner.KindFunc(k.compileScript),
		"redis.key":    runner.KindFunc(k.compileKey),
		"redis.result": runner.KindFunc(k.compileResult),
	}
}

// checker is a compiled Redis check. Its Prepare starts and seeds the
// attempt's Redis before the check's deadline starts: a container start on
// a busy machine is not the learner's time.
type checker struct {
	k     *kinds
	e     *env
	check func(ctx context.Context, a runner.Attempt) runner.Outcome
}

var _ runner.Preparer = (*checker)(nil)

func (k *kinds) checker(e *env, check func(ctx context.Context, a runner.Attempt) runner.Outcome) *checker {
	return &checker{k: k, e: e, check: check}
}

// Prepare starts the attempt's Redis (once per attempt).
func (c *checker) Prepare(ctx context.Context, a runner.Attempt) error {
	_, err := c.k.attemptServer(ctx, a, c.e)
	return err
}

// Check runs the check.
func (c *checker) Check(ctx context.Context, a runner.Attempt) runner.Outcome { return c.check(ctx, a) }
