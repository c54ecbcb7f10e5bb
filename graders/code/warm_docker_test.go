package code

import (
	"context"
	"testing"
	"time"

	"github.com/backendroadmap/grader/exercises"
	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox"
)

// warmSandbox runs the checks in one warm container, as `grader check` does.
type warmSandbox struct {
	*sandbox.Engine
	w sandbox.Warm
}

func (s warmSandbox) RunWarm(ctx context.Context, spec sandbox.Spec) (*sandbox.Result, error) {
	return s.Engine.RunWarm(ctx, spec, s.w)
}

var _ WarmSandbox = warmSandbox{}

// Each hostile Python submission, then the reference solution, then the
// starter, all in the same warm container: the attack fails as it does in a
// fresh one, and leaves nothing that changes the next verdicts (a fork bomb's
// processes, a full disk, a planted results file, ...).
func TestHostileSubmissionsInAWarmSandbox(t *testing.T) {
	e := requireEngine(t)
	w := sandbox.Warm{StateDir: t.TempDir(), Idle: 5 * time.Minute}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := e.RemoveWarm(ctx, w); err != nil {
			t.Errorf("remove the warm sandbox: %v", err)
		}
	})
	ex := loadExercise(t, Kinds(warmSandbox{e, w}), "py-fizzbuzz")
	grade := func(t *testing.T, r exercises.Recipe) *runner.Report {
		t.Helper()
		dir := t.TempDir()
		if err := exercises.Apply(ex, r, dir); err != nil {
			t.Fatal(err)
		}
		return runner.Run(context.Background(), &ex.Exercise, runner.Attempt{Dir: dir, Strict: true}, runner.Options{})
	}
	for _, hc := range hostileCases {
		if hc.exercise != "" {
			continue
		}
		t.Run(hc.name, func(t *testing.T) {
			assertHostileOutcome(t, gradeHostile(t, ex, hc), hc)
			if rep := grade(t, ex.Solution); rep.Status != runner.Pass {
				t.Errorf("the solution after %s: %s: %+v", hc.name, rep.Status, rep.FirstFailure())
			}
			if rep := grade(t, ex.Starter); rep.Status != runner.Fail {
				t.Errorf("the starter after the solution: %s, want fail", rep.Status)
			}
		})
	}
}
