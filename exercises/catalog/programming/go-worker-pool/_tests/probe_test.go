package pool

// Drives the learner's Map for grader's hidden cases. No expected values here.

import (
	graderJSON "encoding/json"
	graderFmt "fmt"
	graderSync "sync"
	graderAtomic "sync/atomic"
	graderTime "time"
)

func graderProbe(call string, args []graderJSON.RawMessage) (any, error) {
	var n, workers, sleepMicros int
	if len(args) != 3 || graderJSON.Unmarshal(args[0], &n) != nil || graderJSON.Unmarshal(args[1], &workers) != nil || graderJSON.Unmarshal(args[2], &sleepMicros) != nil {
		return nil, graderFmt.Errorf("probe: %s wants n, workers, sleep", call)
	}
	inputs := make([]string, n)
	for i := range inputs {
		inputs[i] = graderFmt.Sprintf("job-%d", i)
	}
	var active, peak, calls graderAtomic.Int64
	// Not max and min: the learner's package may declare its own.
	limit := workers
	if limit < 1 {
		limit = 1
	}
	overlap := int64(2)
	if limit < 2 {
		overlap = 1
	}
	// A negative sleep gathers the workers: each call waits (up to 1 ms) for
	// the others, so they all return, and write their results, at the same
	// moment, round after round. An unguarded map then fails for certain
	// ("concurrent map writes"), not by luck of scheduling.
	var mu graderSync.Mutex
	waiting, release := 0, make(chan struct{})
	gather := func() {
		mu.Lock()
		waiting++
		ch := release
		if waiting >= limit {
			close(release)
			waiting, release = 0, make(chan struct{})
			mu.Unlock()
			return
		}
		mu.Unlock()
		select {
		case <-ch:
		case <-graderTime.After(graderTime.Millisecond):
		}
	}
	f := func(s string) int {
		calls.Add(1)
		now := active.Add(1)
		for {
			p := peak.Load()
			if now <= p || peak.CompareAndSwap(p, now) {
				break
			}
		}
		if sleepMicros > 0 {
			graderTime.Sleep(graderTime.Duration(sleepMicros) * graderTime.Microsecond)
		}
		if sleepMicros < 0 {
			gather()
		}
		active.Add(-1)
		return len(s)
	}
	out := Map(inputs, workers, f)
	sum := 0
	for _, in := range inputs {
		sum += out[in]
	}
	return map[string]any{
		"results": len(out),
		"sum":     sum,
		"calls":   calls.Load(),
		// Only calls that take a while are sure to overlap, so concurrency is
		// judged only where they do (the bounded group's cases): a call that
		// returns at once may or may not meet another, and a verdict must not
		// depend on the scheduler's luck.
		"within_limit":    sleepMicros == 0 || peak.Load() <= int64(limit),
		"used_goroutines": sleepMicros == 0 || peak.Load() >= overlap,
	}, nil
}
