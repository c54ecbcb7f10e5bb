package sandbox

import (
	"context"
	"math"
	"sync"

	"golang.org/x/sync/semaphore"
)

// turns queues runs so that those under way never ask for more cores in all
// than [Engine.Cores].
type turns struct {
	once  sync.Once
	sem   *semaphore.Weighted // nil: no queue
	cores int64
}

// takeTurn waits until cpus cores (rounded up, at most all of them) are free
// for a run, and returns the function that frees them again. Cancelling ctx
// ends the wait with ctx's error.
func (e *Engine) takeTurn(ctx context.Context, cpus float64) (release func(), err error) {
	t := &e.turns
	t.once.Do(func() {
		if e.Cores > 0 {
			t.cores = int64(e.Cores)
			t.sem = semaphore.NewWeighted(t.cores)
		}
	})
	if t.sem == nil {
		return func() {}, nil
	}
	n := min(max(int64(math.Ceil(cpus)), 1), t.cores)
	if err := t.sem.Acquire(ctx, n); err != nil {
		return nil, err
	}
	return func() { t.sem.Release(n) }, nil
}
