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
	// Every redis kind reads the exercise's redis block (loadEnv).
	uses := map[string]any{"redis": &serviceConfig{}}
	return runner.Kinds{
		"redis.script": runner.WithServices(runner.ParamsKind[scriptParams](k.compileScript), uses),
		"redis.key":    runner.WithServices(runner.ParamsKind[keyParams](k.compileKey), uses),
		"redis.result": runner.WithServices(runner.ParamsKind[resultParams](k.compileResult), uses),
	}
}

// checker makes a Redis check whose setup starts and seeds the attempt's
// Redis (once per attempt) before the check's deadline starts: a container
// start on a busy machine is not the learner's time.
func (k *kinds) checker(e *env, check runner.CheckerFunc) runner.Checker {
	return runner.Prepared{
		Setup: func(ctx context.Context, a runner.Attempt) error {
			_, err := k.attemptServer(ctx, a, e)
			return err
		},
		Run: check,
	}
}
