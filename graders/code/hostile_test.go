package code

// Hostile submissions: each tries to pass without solving the exercise, to
// harm the machine, or to outlive its run. They run against the real engine;
// each must fail (gradable, exit 1), say why, end within its deadline plus a
// few seconds, and leave nothing on the engine.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backendroadmap/grader/exercises"
	"github.com/backendroadmap/grader/runner"
)

// hostileSlack is how long past its sandbox deadline a run may take: creating,
// freezing and removing a container.
const hostileSlack = 8 * time.Second

type hostileCase struct {
	name string
	// exercise is the exercise it attacks; its folder is testdata/hostile/name.
	exercise string
	// check must fail with a message holding every one of want.
	check string
	want  []string
	// notWant must appear in no check's message (proof the attack learned nothing).
	notWant []string
	// deadline is the sandbox's wall clock for the suite.
	deadline time.Duration
	// prepare changes the workspace (planted links).
	prepare func(t *testing.T, dir string)
}

var hostileCases = []hostileCase{
	{name: "infinite-loop", check: "small", want: []string{"timed out after 10s"}},
	{name: "fork-bomb", check: "small", want: []string{"too many processes"}},
	{name: "memory-16g", check: "small", want: []string{"ran out of memory (256 MiB)"}},
	{name: "output-1gb", check: "small", want: []string{"printed more than 1024 KiB of output"}},
	{name: "fill-disk", check: "small", want: []string{"raised OSError: [Errno 28] No space left on device", "(at fizzbuzz.py:1"}},
	{name: "exit-at-import", check: "small", want: []string{"exited (exit code 0) during import"}},
	{name: "os-exit-at-import", check: "small", want: []string{"ended without returning a value (exit status 0)"}},
	{name: "fake-pass-lines", check: "small", want: []string{"returned a wrong value", "8 passed"}},
	{name: "fake-harness-json", check: "small", want: []string{"reported more than once"}},
	{name: "monkeypatch", check: "small", want: []string{"the tests could not record the result: does your code replace built-in functions"}},
	{name: "always-equal", check: "small", want: []string{"returned a value of type AlwaysEqual, which the tests cannot compare"}},
	{name: "results-file-everywhere", check: "hundred", want: []string{"reported more than once"}},
	{name: "read-hidden-tests", check: "small", want: []string{"returned a wrong value", "found: []"}, notWant: []string{"HIDDEN TESTS FOUND"}},
	{name: "network-probe", check: "small", want: []string{"returned a wrong value", "unreachable"}, notWant: []string{"NETWORK REACHED"}},
	{name: "go-init-exit", exercise: "go-temperature", deadline: 30 * time.Second, check: "convert",
		want: []string{"has no result"}},
	{name: "go-forge-vet", exercise: "go-temperature", deadline: 30 * time.Second, check: "vet",
		want: []string{"go vet reports problems", "temperature.go", "%d"}},
	{name: "symlink-out", check: "small", want: []string{"has no result", "host-passwd is absent", "host-etc is absent"},
		notWant: []string{"root:x:0:0"},
		prepare: func(t *testing.T, dir string) {
			for link, target := range map[string]string{"host-passwd": "/etc/passwd", "host-etc": "/etc"} {
				if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
					t.Fatal(err)
				}
			}
		}},
}

func TestHostileSubmissions(t *testing.T) {
	e := requireEngine(t)
	kinds := Kinds(e)
	exs := map[string]*exercises.Exercise{}
	for _, hc := range hostileCases {
		id := hc.exercise
		if id == "" {
			id = "py-fizzbuzz"
		}
		if exs[id] == nil {
			exs[id] = loadExercise(t, kinds, id)
		}
		t.Run(hc.name, func(t *testing.T) {
			ex := exs[id]
			deadline := hc.deadline
			if deadline == 0 {
				deadline = 10 * time.Second
			}
			start := time.Now()
			rep := gradeHostile(t, ex, hc)
			took := time.Since(start)
			t.Logf("%s: %s in %v", hc.name, rep.Status, took.Round(time.Millisecond))
			if took > deadline+hostileSlack {
				t.Errorf("took %v, more than the deadline %v plus %v", took, deadline, hostileSlack)
			}
			assertHostileOutcome(t, rep, hc)
			assertNoLeftovers(t, e)
		})
	}
}

// gradeHostile grades the submission in testdata/hostile/NAME on top of the
// exercise's starter.
func gradeHostile(t *testing.T, ex *exercises.Exercise, hc hostileCase) *runner.Report {
	t.Helper()
	dir := t.TempDir()
	if err := exercises.Apply(ex, ex.Starter, dir); err != nil {
		t.Fatal(err)
	}
	copyOver(t, filepath.Join("testdata", "hostile", hc.name), dir)
	if hc.prepare != nil {
		hc.prepare(t, dir)
	}
	return runner.Run(context.Background(), &ex.Exercise, runner.Attempt{Dir: dir, Strict: true}, runner.Options{})
}

func copyOver(t *testing.T, src, dst string) {
	t.Helper()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range entries {
		data, err := os.ReadFile(filepath.Join(src, en.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, en.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func assertHostileOutcome(t *testing.T, rep *runner.Report, hc hostileCase) {
	t.Helper()
	if rep.Status != runner.Fail || !rep.Gradable {
		t.Errorf("report status %s, gradable %v; want fail, gradable", rep.Status, rep.Gradable)
	}
	var target *runner.CheckResult
	for i := range rep.Checks {
		c := &rep.Checks[i]
		if c.ID == hc.check {
			target = c
		}
		for _, bad := range hc.notWant {
			if strings.Contains(c.Message, bad) {
				t.Errorf("check %s says %q, which the attack must not achieve: %s", c.ID, bad, c.Message)
			}
		}
	}
	if target == nil {
		t.Fatalf("no check %s in the report", hc.check)
	}
	if target.Status != runner.Fail {
		t.Errorf("check %s: %s (%s), want fail", hc.check, target.Status, target.Message)
	}
	for _, w := range hc.want {
		if !strings.Contains(target.Message, w) {
			t.Errorf("check %s message lacks %q:\n%s", hc.check, w, target.Message)
		}
	}
	if t.Failed() {
		for _, c := range rep.Checks {
			t.Logf("%s %s: %s", c.ID, c.Status, c.Message)
		}
	}
}

// Twenty hostile submissions graded at once, in parallel goroutines: every
// one fails, none hangs, and nothing is left on the engine. Twenty containers
// on two cores queue for the CPU and for the engine, so the slack here is
// wider than a lone run's; the log shows the real figures.
func TestTwentySubmissionsAtOnce(t *testing.T) {
	e := requireEngine(t)
	ex := loadExercise(t, Kinds(e), "py-fizzbuzz")
	const n = 20
	var wg sync.WaitGroup
	reps := make([]*runner.Report, n)
	took := make([]time.Duration, n)
	names := make([]string, n)
	var python []hostileCase
	for _, hc := range hostileCases {
		if hc.exercise == "" {
			python = append(python, hc)
		}
	}
	for i := range n {
		hc := python[i%len(python)]
		names[i] = hc.name
		wg.Go(func() {
			start := time.Now()
			reps[i] = gradeHostile(t, ex, hc)
			took[i] = time.Since(start)
		})
	}
	wg.Wait()
	// Each run's own deadline is asserted one at a time by
	// TestHostileSubmissions. Twenty at once take turns for the cores (one
	// CPU each, see sandbox.Engine.Cores), so the last may wait for the others: the
	// bound is every turn ending at its 10 s deadline plus 20 s of engine
	// work (a create, a copy and a removal, slow while CI runs other
	// packages' Docker tests). It says that none hangs and the queue moves.
	turns := (n + runtime.NumCPU() - 1) / runtime.NumCPU()
	limit := time.Duration(turns) * (10*time.Second + 20*time.Second)
	var slowest time.Duration
	for i, rep := range reps {
		label := fmt.Sprintf("#%d %s", i, names[i])
		slowest = max(slowest, took[i])
		if rep.Status != runner.Fail || !rep.Gradable {
			t.Errorf("%s: status %s gradable %v, want fail", label, rep.Status, rep.Gradable)
			for _, c := range rep.Checks {
				t.Logf("  %s %s: %s", c.ID, c.Status, c.Message)
			}
		}
		if took[i] > limit {
			t.Errorf("%s took %v, more than %v", label, took[i], limit)
		}
	}
	t.Logf("twenty hostile submissions at once: slowest %v", slowest.Round(time.Millisecond))
	assertNoLeftovers(t, e)
}
