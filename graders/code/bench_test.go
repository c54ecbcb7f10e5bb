package code

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backendroadmap/grader/exercises"
	"github.com/backendroadmap/grader/runner"
)

// BenchmarkCodeCheck grades the py-fizzbuzz reference solution (every check,
// one sandbox run) and reports it against the baseline measured in the same
// run: the same harness and cases run directly by the host's python3, with
// no container. x-host is the sandbox's cost as a multiple of the bare run.
func BenchmarkCodeCheck(b *testing.B) {
	e := requireEngine(b)
	ex := loadExercise(b, Kinds(e), "py-fizzbuzz")
	dir := b.TempDir()
	for _, r := range []exercises.Recipe{ex.Starter, ex.Solution} {
		if err := exercises.Apply(ex, r, dir); err != nil {
			b.Fatal(err)
		}
	}
	host := hostBaseline(b, ex, dir, 10)
	b.ResetTimer()
	for b.Loop() {
		rep := runner.Run(context.Background(), &ex.Exercise, runner.Attempt{Dir: dir, Strict: true}, runner.Options{})
		if rep.Status != runner.Pass {
			b.Fatalf("the solution does not pass: %+v", rep.FirstFailure())
		}
	}
	perOp := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(host.Microseconds())/1000, "host-ms/op")
	b.ReportMetric(float64(perOp)/float64(host), "x-host")
}

// hostBaseline runs the Python harness on the host n times over the
// exercise's cases against dir and returns the mean time of one run.
func hostBaseline(b *testing.B, ex *exercises.Exercise, dir string, n int) time.Duration {
	b.Helper()
	// The interpreter itself, not a version manager's shim in front of it
	// (pyenv's adds half a second a start).
	exe, err := exec.Command("python3", "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		b.Skip("no python3 on the host for the baseline")
	}
	python := strings.TrimSpace(string(exe))
	s, err := loadSuite(ex.Files, "suite", DefaultSuite)
	if err != nil {
		b.Fatal(err)
	}
	own := filepath.Join(dir, ".grader-bench")
	if err := os.MkdirAll(own, 0o755); err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(own)
	harness := filepath.Join(own, "harness.py")
	if err := os.WriteFile(harness, pythonHarness, 0o644); err != nil {
		b.Fatal(err)
	}
	cfg, _ := json.Marshal(map[string]any{"nonce": "bench", "dir": own, "module": s.module,
		"case_timeout": s.caseTime.Seconds(), "cases": s.inputs()})
	start := time.Now()
	for range n {
		cmd := exec.Command(python, "-I", "-B", harness)
		cmd.Dir, cmd.Stdin = dir, bytes.NewReader(cfg)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("harness on the host: %v\n%s", err, out)
		}
	}
	return time.Since(start) / time.Duration(n)
}

// BenchmarkBatch grades a batch of eight py-fizzbuzz submissions (the
// reference solution) with 1, 2 and 4 attempts at a time, each attempt in a
// fresh container, and reports submissions per second. Containers are never
// reused across attempts: a submission could leave processes or files behind
// for the next one; within an attempt every check shares one run.
func BenchmarkBatch(b *testing.B) {
	e := requireEngine(b)
	ex := loadExercise(b, Kinds(e), "py-fizzbuzz")
	const batch = 8
	dirs := make([]string, batch)
	for i := range dirs {
		dirs[i] = b.TempDir()
		for _, r := range []exercises.Recipe{ex.Starter, ex.Solution} {
			if err := exercises.Apply(ex, r, dirs[i]); err != nil {
				b.Fatal(err)
			}
		}
	}
	for _, jobs := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("fresh-jobs-%d", jobs), func(b *testing.B) {
			for b.Loop() {
				gradeBatch(b, ex, dirs, jobs)
			}
			b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "submissions/s")
		})
	}
}

func gradeBatch(b *testing.B, ex *exercises.Exercise, dirs []string, jobs int) {
	work := make(chan string)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed []string
	for range jobs {
		wg.Go(func() {
			for dir := range work {
				rep := runner.Run(context.Background(), &ex.Exercise, runner.Attempt{Dir: dir, Strict: true}, runner.Options{})
				if rep.Status != runner.Pass {
					mu.Lock()
					failed = append(failed, fmt.Sprintf("%s: %+v", dir, rep.FirstFailure()))
					mu.Unlock()
				}
			}
		})
	}
	for _, d := range dirs {
		work <- d
	}
	close(work)
	wg.Wait()
	if len(failed) > 0 {
		b.Fatalf("solutions failed: %v", failed)
	}
}
