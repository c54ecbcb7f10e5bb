package sandbox

import (
	"context"
	"time"
)

// Poll is the one readiness wait for what the sandbox starts: a service
// (PostgreSQL, Redis), grader's probe, a browser, the learner's server and
// its companions. It calls try until try reports done or returns an error,
// waiting every between calls. try decides what ends the wait early (a
// container that exited, a deadline passed, each with its own message), so
// each caller keeps its diagnosis, while the loop, its pace and
// cancellation live here. When ctx ends first, Poll returns ctx's error.
// A service container's wait goes through [Service.Await], which adds the
// diagnosis every container shares (it stopped, its time passed, what it
// printed).
func Poll(ctx context.Context, every time.Duration, try func() (done bool, err error)) error {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		done, err := try()
		if err != nil || done {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		t.Reset(every)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
