package sandbox

import (
	"testing"
	"time"
)

func TestHolderProcess(t *testing.T) {
	for _, tc := range []struct {
		name, status string
		want         bool
	}{
		{"holder", "Name:\tsleep\nState:\tS (sleeping)\nUid:\t65534\t65534\t65534\t65534\n", true},
		{"learner", "Name:\tsh\nState:\tS (sleeping)\nUid:\t10001\t10001\t10001\t10001\n", false},
		{"one uid differs", "Name:\tx\nState:\tR (running)\nUid:\t65534\t10001\t65534\t65534\n", false},
		{"zombie", "Name:\tsh\nState:\tZ (zombie)\nUid:\t10001\t10001\t10001\t10001\n", true},
		{"no uid line", "Name:\tx\nState:\tS (sleeping)\n", false},
	} {
		if got := holderProcess(tc.status); got != tc.want {
			t.Errorf("%s: holderProcess = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestWarmIdleArgs(t *testing.T) {
	for _, tc := range []struct {
		idle        time.Duration
		limit, step int
	}{
		{0, 900, 15}, {3 * time.Second, 3, 1}, {time.Minute, 60, 15}, {20 * time.Second, 20, 5},
	} {
		if l, s := (Warm{Idle: tc.idle}).idleArgs(); l != tc.limit || s != tc.step {
			t.Errorf("idle %v: %d s every %d s, want %d every %d", tc.idle, l, s, tc.limit, tc.step)
		}
	}
}
