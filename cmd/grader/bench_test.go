package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/backendroadmap/grader/exercises"
	"github.com/backendroadmap/grader/runner"
)

// BenchmarkCheckVsGit times a learner's `grader check` of a solved git-branching
// workspace as a whole process, interleaved with a git command over the same
// repository, and reports the ratio: the speed targets are relative (within 4x
// of `git status`; within 10x of `git log --oneline` on 5,000 commits), and a
// ratio measured in one run does not depend on how fast the machine is.
// grader is the lean build learners run; full-build is the same check by
// grader-full, which links every kind: what the split saves.
func BenchmarkCheckVsGit(b *testing.B) {
	lean := graderBinary(b)
	full := filepath.Join(filepath.Dir(lean), fullBinary)
	for _, bc := range []struct {
		name     string
		bin      string
		commits  int
		baseline []string
	}{
		{"solved/vs-git-status", lean, 0, []string{"status"}},
		{"solved-full-build/vs-git-status", full, 0, []string{"status"}},
		{"5000-commits/vs-git-log-oneline", lean, 5000, []string{"log", "--oneline"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ws := solvedWorkspace(b, bc.commits)
			env := append(os.Environ(), "GRADER_HOME="+b.TempDir(), "NO_COLOR=1")
			var grader, baseline time.Duration
			n := 0
			for b.Loop() {
				grader += timed(b, env, ws, bc.bin, "check")
				baseline += timed(b, env, ws, "git", bc.baseline...)
				n++
			}
			b.ReportMetric(float64(grader.Nanoseconds())/float64(n), "grader-ns/op")
			b.ReportMetric(float64(baseline.Nanoseconds())/float64(n), "git-ns/op")
			b.ReportMetric(float64(grader)/float64(baseline), "x-git")
		})
	}
}

// BenchmarkGradeInProcess is the in-process cost of grading a solved
// git-branching workspace: opening the repository and running every check,
// without process start-up or catalog loading.
func BenchmarkGradeInProcess(b *testing.B) {
	ws := solvedWorkspace(b, 0)
	ex := embeddedExercise(b, "git-branching")
	for b.Loop() {
		if rep := runner.Run(b.Context(), &ex.Exercise, runner.Attempt{Dir: ws}, runner.Options{}); rep.Status != runner.Pass {
			b.Fatalf("solved workspace graded %s", rep.Status)
		}
	}
}

// buildOnce builds grader as `make build` does: static, trimmed paths, the
// lean grader with grader-full beside it.
var buildOnce = sync.OnceValues(func() (string, error) { return buildPair(false) })

func graderBinary(b *testing.B) string {
	b.Helper()
	bin, err := buildOnce()
	if err != nil {
		b.Fatal(err)
	}
	return bin
}

func timed(b *testing.B, env []string, dir, name string, args ...string) time.Duration {
	b.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil {
		b.Fatalf("%s %v: %v\n%s", name, args, err, out.String())
	}
	return d
}

// solvedWorkspace makes a git-branching workspace and solves it with the
// reference solution; with commits > 0, that many commits are first added to
// main with git fast-import, so history walks have real length.
func solvedWorkspace(b *testing.B, commits int) string {
	b.Helper()
	ex := embeddedExercise(b, "git-branching")
	dir := filepath.Join(b.TempDir(), "ws")
	if _, err := exercises.Start(ex, exercises.EmbeddedName, "", dir); err != nil {
		b.Fatal(err)
	}
	if commits > 0 {
		var stream bytes.Buffer
		for i := 1; i <= commits; i++ {
			fmt.Fprintf(&stream, "commit refs/heads/main\ncommitter Bench <bench@example.com> %d +0000\ndata <<EOM\nChange %d\nEOM\n", 1767600000+i*60, i)
			if i == 1 {
				stream.WriteString("from refs/heads/main^0\n")
			}
			body := fmt.Sprintf("line %d\n", i)
			fmt.Fprintf(&stream, "M 644 inline history.txt\ndata %d\n%s\n", len(body), body)
		}
		for _, c := range [][]string{{"fast-import", "--quiet"}, {"reset", "--hard", "-q", "main"}} {
			cmd := exec.Command("git", c...)
			cmd.Dir = dir
			if c[0] == "fast-import" {
				cmd.Stdin = &stream
			}
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("git %v: %v\n%s", c, err, out)
			}
		}
	}
	if err := exercises.Apply(ex, ex.Solution, dir); err != nil {
		b.Fatal(err)
	}
	return dir
}

// solved starts exercise id of the embedded catalog in a new folder and
// applies its reference solution, as a learner who has done the work.
func solved(b *testing.B, id string) string {
	b.Helper()
	ex := embeddedExercise(b, id)
	dir := filepath.Join(b.TempDir(), id)
	if _, err := exercises.Start(ex, exercises.EmbeddedName, "", dir); err != nil {
		b.Fatal(err)
	}
	if err := exercises.Apply(ex, ex.Solution, dir); err != nil {
		b.Fatal(err)
	}
	return dir
}

// graderEnv is the environment of a grader process a benchmark starts: its
// home, state and cache under home (so warm servers and sandboxes are the
// benchmark's own), no colour, and the tests' image map.
func graderEnv(home string) []string {
	return append(os.Environ(), "HOME="+home, "GRADER_HOME="+filepath.Join(home, "state"),
		"GRADER_CACHE="+filepath.Join(home, "cache"), "NO_COLOR=1", "GRADER_IMAGE_MAP="+imageMap)
}

func embeddedExercise(b *testing.B, id string) *exercises.Exercise {
	b.Helper()
	return readExercise(b, kinds(&services{}), id)
}

// readExercise reads exercise id of the embedded catalog with ks.
func readExercise(tb testing.TB, ks runner.Kinds, id string) *exercises.Exercise {
	tb.Helper()
	cat, err := exercises.NewCatalog(exercises.Embedded(), exercises.EmbeddedName, ks)
	if err != nil {
		tb.Fatal(err)
	}
	ex, err := cat.Exercise(id)
	if err != nil {
		tb.Fatal(err)
	}
	return ex
}
