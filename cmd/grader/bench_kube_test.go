package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/backendroadmap/grader/runner"
)

// BenchmarkKubeCheck times a learner's `grader check` of a solved k8s-deploy
// workspace as a whole process, which pays for decompressing and compiling
// the Kubernetes schemas every time (they are loaded on first use), against
// `grader check` of a solved git-branching workspace in the same run: the
// Kubernetes checks should cost no more than the git ones a learner already
// waits for.
func BenchmarkKubeCheck(b *testing.B) {
	bin := graderBinary(b)
	kube := solved(b, "k8s-deploy")
	git := solvedWorkspace(b, 0)
	env := append(os.Environ(), "GRADER_HOME="+b.TempDir(), "NO_COLOR=1")
	var tKube, tGit time.Duration
	n := 0
	for b.Loop() {
		tKube += timed(b, env, kube, bin, "check")
		tGit += timed(b, env, git, bin, "check")
		n++
	}
	b.ReportMetric(float64(tKube.Nanoseconds())/float64(n), "kube-ns/op")
	b.ReportMetric(float64(tGit.Nanoseconds())/float64(n), "git-ns/op")
	b.ReportMetric(float64(tKube)/float64(tGit), "x-git-check")
}

// BenchmarkKubeGradeInProcess is the in-process cost of grading a solved
// k8s-deploy workspace (every check: reading, schema validation, policy),
// with the schemas already compiled, against decoding the same manifests
// with yaml.v3 alone: the ratio is what the checks add to reading the files.
func BenchmarkKubeGradeInProcess(b *testing.B) {
	ws := solved(b, "k8s-deploy")
	ex := embeddedExercise(b, "k8s-deploy")
	files, err := filepath.Glob(filepath.Join(ws, "k8s", "*.yaml"))
	if err != nil || len(files) == 0 {
		b.Fatalf("no manifests: %v", err)
	}
	var tGrade, tDecode time.Duration
	n := 0
	for b.Loop() {
		start := time.Now()
		if rep := runner.Run(b.Context(), &ex.Exercise, runner.Attempt{Dir: ws}, runner.Options{}); rep.Status != runner.Pass {
			b.Fatalf("solved workspace graded %s", rep.Status)
		}
		tGrade += time.Since(start)
		start = time.Now()
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				b.Fatal(err)
			}
			var v any
			if err := yaml.Unmarshal(src, &v); err != nil {
				b.Fatal(err)
			}
		}
		tDecode += time.Since(start)
		n++
	}
	b.ReportMetric(float64(tGrade.Nanoseconds())/float64(n), "grade-ns/op")
	b.ReportMetric(float64(tDecode.Nanoseconds())/float64(n), "decode-ns/op")
	b.ReportMetric(float64(tGrade)/float64(tDecode), "x-yaml-decode")
}
