package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/backendroadmap/grader/sandbox/postgres"
)

// BenchmarkDatabaseCheck times whole `grader check` processes on a solved
// sql-joins workspace, each warm check interleaved with a cold one (no warm
// server: a container start, initdb, the template, the attempt), and a batch
// of 100 attempts in one `grader grade` against a fresh container per
// attempt (a cold check). The targets are ratios measured in one run: warm at
// least 4x faster than cold; the batch at least 10x faster per attempt; and,
// since issue 12, a warm re-check under 100 ms (`make bench` judges them).
// It also times the warm re-check a learner runs, the lean grader handing it
// to grader-full, against grader-full run directly: what the hand-off costs.
// Needs Docker and the local images (`make images`).
func BenchmarkDatabaseCheck(b *testing.B) {
	bin := graderBinary(b)
	ws := solved(b, "sql-joins")
	home := b.TempDir()
	env := graderEnv(home)
	warm := &postgres.Service{StateDir: filepath.Join(home, "cache", "postgres")}
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := warm.RemoveWarm(ctx); err != nil {
			b.Fatalf("stop the warm server: %v", err)
		}
	}
	b.Cleanup(stop)

	b.Run("warm/vs-cold", func(b *testing.B) {
		var tWarm, tCold time.Duration
		n := 0
		for b.Loop() {
			stop()
			tCold += timed(b, env, ws, bin, "check")
			tWarm += timed(b, env, ws, bin, "check")
			n++
		}
		b.ReportMetric(float64(tWarm.Milliseconds())/float64(n), "warm-ms/check")
		b.ReportMetric(float64(tCold.Milliseconds())/float64(n), "cold-ms/check")
		b.ReportMetric(float64(tCold)/float64(tWarm), "x-faster")
	})

	// The same warm re-check through the lean grader, which hands it to
	// grader-full, and by grader-full alone: the second process start a
	// database learner pays for git checks that start in a third the time.
	full := filepath.Join(filepath.Dir(bin), fullBinary)
	b.Run("warm-handed-off/vs-warm-full-build", func(b *testing.B) {
		var tPair, tFull time.Duration
		n := 0
		timed(b, env, ws, bin, "check") // the warm server up
		for b.Loop() {
			tPair += timed(b, env, ws, bin, "check")
			tFull += timed(b, env, ws, full, "check")
			n++
		}
		b.ReportMetric(float64(tPair.Microseconds())/1e3/float64(n), "handed-off-ms/check")
		b.ReportMetric(float64(tFull.Microseconds())/1e3/float64(n), "full-build-ms/check")
		b.ReportMetric(float64(tPair)/float64(tFull), "x-slower")
	})

	subs := make([]string, 100)
	for i := range subs {
		subs[i] = filepath.Join(b.TempDir(), "sub"+strconv.Itoa(i))
		if err := os.CopyFS(subs[i], os.DirFS(ws)); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("batch-100/vs-container-per-attempt", func(b *testing.B) {
		var tBatch, tFresh time.Duration
		n := 0
		for b.Loop() {
			tBatch += timed(b, env, ws, bin, append([]string{"grade", "--exercise", "sql-joins", "--format", "json"}, subs...)...)
			stop()
			tFresh += timed(b, env, ws, bin, "check")
			n++
		}
		perAttempt := float64(tBatch) / float64(n*len(subs))
		b.ReportMetric(perAttempt/1e6, "batch-ms/attempt")
		b.ReportMetric(float64(tFresh.Milliseconds())/float64(n), "fresh-container-ms/attempt")
		b.ReportMetric(float64(tFresh)/float64(n)/perAttempt, "x-faster")
	})
}
