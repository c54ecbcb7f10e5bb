package main

import (
	"os/exec"
	"testing"
	"time"
)

// BenchmarkWarmCodeCheck times a learner's whole `grader check` of a solved
// programming exercise as a process, three ways in the same run: warm (the
// kept sandbox container, reset since the last check), cold (after `grader
// stop`: a new container), and the floor, a bare hardened `docker run` of
// the language's interpreter or toolchain. A second passes between the cold
// and the warm check, as a learner reads and edits; the reset of the kept
// container runs then (a check started at once waits for it). warm-ms is
// the figure the learner sees on every re-check, x-bare its ratio to the
// bare run; the targets (issue 12, judged by `make bench`) are under 0.5 s
// for py-fizzbuzz and 1.5 s for a Go exercise. Needs Docker and the local
// images.
func BenchmarkWarmCodeCheck(b *testing.B) {
	bin := graderBinary(b)
	for _, bc := range []struct {
		id, image string
		floor     []string
	}{
		{"py-fizzbuzz", "python:3.11", []string{"python3", "-c", "print(1)"}},
		{"go-temperature", "golang:1.26", []string{"go", "version"}},
	} {
		b.Run(bc.id+"/warm/vs-bare", func(b *testing.B) {
			ws, env := solved(b, bc.id), graderEnv(b.TempDir())
			b.Cleanup(func() {
				stop := exec.Command(bin, "stop")
				stop.Env = env
				_ = stop.Run()
			})
			floor := append([]string{"run", "--rm", "--network", "none", "--read-only", "--cap-drop", "ALL",
				"--security-opt", "no-new-privileges", "--user", "10001:10001", "--memory", "1g", "--pids-limit", "256",
				"--label", "org.grader.bench=warm", localImage(b, bc.image)}, bc.floor...)

			var warm, cold, bare time.Duration
			n := 0
			for b.Loop() {
				timed(b, env, ws, bin, "stop")
				cold += timed(b, env, ws, bin, "check")
				// The learner reads the result and edits before checking
				// again: the reset of the kept container runs meanwhile,
				// detached, after the check has answered.
				time.Sleep(time.Second)
				warm += timed(b, env, ws, bin, "check")
				bare += timed(b, env, ws, "docker", floor...)
				n++
			}
			timed(b, env, ws, bin, "stop")
			ms := func(d time.Duration) float64 { return float64(d.Milliseconds()) / float64(n) }
			b.ReportMetric(ms(warm), "warm-ms")
			b.ReportMetric(ms(cold), "cold-ms")
			b.ReportMetric(ms(bare), "bare-ms")
			b.ReportMetric(float64(warm)/float64(bare), "x-bare")
			b.ReportMetric(float64(cold)/float64(bare), "cold/bare")
			b.ReportMetric(float64(warm)/float64(cold), "warm/cold")
		})
	}
}
