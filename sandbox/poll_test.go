package sandbox

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestPoll: the wait ends when try is done, with try's own error when it
// gives up (its diagnosis, not a generic timeout), and with the context's
// error when the caller stops waiting (Ctrl-C), without another try.
func TestPoll(t *testing.T) {
	calls := 0
	err := Poll(t.Context(), time.Millisecond, func() (bool, error) { calls++; return calls == 3, nil })
	if err != nil || calls != 3 {
		t.Errorf("ready at the third try: err %v after %d tries", err, calls)
	}

	exited := errors.New("the container exited while starting")
	calls = 0
	err = Poll(t.Context(), time.Millisecond, func() (bool, error) {
		calls++
		if calls == 2 {
			return false, exited
		}
		return false, nil
	})
	if !errors.Is(err, exited) || calls != 2 {
		t.Errorf("try gave up at the second try: err %v after %d tries", err, calls)
	}

	ctx, cancel := context.WithCancel(t.Context())
	calls = 0
	start := time.Now()
	err = Poll(ctx, time.Hour, func() (bool, error) { calls++; cancel(); return false, nil })
	if !errors.Is(err, context.Canceled) || calls != 1 || time.Since(start) > time.Second {
		t.Errorf("cancelled while waiting: err %v after %d tries and %v", err, calls, time.Since(start))
	}
}
