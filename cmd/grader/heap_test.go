package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

func gogc(t *testing.T) uint64 {
	t.Helper()
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestRoomyStartHeap: the start-up percent holds until the first collection,
// and then the percent grader had before is back, so a long run collects as
// usual.
func TestRoomyStartHeap(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	roomyStartHeap(func(string) string { return "" })
	if got := gogc(t); got != startHeapPercent {
		t.Fatalf("GC percent after start = %d, want %d", got, startHeapPercent)
	}
	deadline := time.Now().Add(5 * time.Second)
	for gogc(t) != 100 {
		if time.Now().After(deadline) {
			t.Fatalf("GC percent still %d after collections, want 100 again", gogc(t))
		}
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
}

// TestRoomyStartHeapKeepsGOGC: a GOGC the user set is theirs.
func TestRoomyStartHeapKeepsGOGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	roomyStartHeap(func(k string) string {
		if k == "GOGC" {
			return "100"
		}
		return ""
	})
	if got := gogc(t); got != 100 {
		t.Fatalf("GC percent = %d with GOGC set, want it left at 100", got)
	}
}
