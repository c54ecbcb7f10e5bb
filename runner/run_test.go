package runner

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backendroadmap/grader/fault"
)

func outcome(o Outcome) Checker {
	return CheckerFunc(func(context.Context, Attempt) Outcome { return o })
}

// blockUntilDone is a checker that honours its context, as kinds must.
var blockUntilDone = CheckerFunc(func(ctx context.Context, _ Attempt) Outcome {
	<-ctx.Done()
	return Failed("gave up: %v", ctx.Err())
})

// ignoresContext is a badly behaved checker: the runner must not wait for it.
var ignoresContext = CheckerFunc(func(context.Context, Attempt) Outcome {
	time.Sleep(time.Hour)
	return Passed("")
})

func TestRunStatusesAndScore(t *testing.T) {
	tests := []struct {
		name      string
		checks    []Check
		want      []Status
		status    Status
		gradable  bool
		score     int
		max       int
		msgSubstr map[string]string
	}{
		{
			name: "all pass",
			checks: []Check{
				{ID: "a", Points: 2, Checker: outcome(Passed(""))},
				{ID: "b", Points: 3, DependsOn: []string{"a"}, Checker: outcome(Passed(""))},
			},
			want: []Status{Pass, Pass}, status: Pass, gradable: true, score: 5, max: 5,
		},
		{
			name: "a failed dependency skips its dependents, with the reason",
			checks: []Check{
				{ID: "a", Points: 1, Checker: outcome(Failed("no branch"))},
				{ID: "b", Points: 1, DependsOn: []string{"a"}, Checker: outcome(Passed(""))},
				{ID: "c", Points: 1, Checker: outcome(Passed(""))},
			},
			want: []Status{Fail, Skip, Pass}, status: Fail, gradable: true, score: 1, max: 3,
			msgSubstr: map[string]string{"b": `"a" did not pass`},
		},
		{
			name: "a skip propagates to checks that depend on the skipped one",
			checks: []Check{
				{ID: "a", Checker: outcome(Failed("x"))},
				{ID: "b", DependsOn: []string{"a"}, Checker: outcome(Passed(""))},
				{ID: "c", DependsOn: []string{"b"}, Checker: outcome(Passed(""))},
			},
			want: []Status{Fail, Skip, Skip}, status: Fail, gradable: true,
		},
		{
			name: "an error makes the report ungradable even beside failures",
			checks: []Check{
				{ID: "a", Points: 1, Checker: outcome(Failed("x"))},
				{ID: "b", Points: 1, Checker: outcome(Outcome{Status: Error, Message: "docker is down"})},
			},
			want: []Status{Fail, Error}, status: Error, gradable: false, max: 2,
		},
		{
			name: "a panicking kind is an error, not a crash",
			checks: []Check{
				{ID: "a", Kind: "git.oops", Checker: CheckerFunc(func(context.Context, Attempt) Outcome { panic("boom") })},
			},
			want: []Status{Error}, status: Error, gradable: false,
			msgSubstr: map[string]string{"a": "grader failed inside check kind git.oops: a bug in grader"},
		},
		{
			name: "a kind that returns no status is an error",
			checks: []Check{
				{ID: "a", Checker: outcome(Outcome{})},
			},
			want: []Status{Error}, status: Error, gradable: false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := Run(t.Context(), &Exercise{ID: "x", Checks: tt.checks}, Attempt{}, Options{})
			if len(rep.Checks) != len(tt.want) {
				t.Fatalf("got %d results, want %d", len(rep.Checks), len(tt.want))
			}
			for i, w := range tt.want {
				if rep.Checks[i].Status != w {
					t.Errorf("check %s: status %s, want %s (%s)", rep.Checks[i].ID, rep.Checks[i].Status, w, rep.Checks[i].Message)
				}
			}
			if rep.Status != tt.status || rep.Gradable != tt.gradable || rep.Score != tt.score || rep.MaxScore != tt.max {
				t.Errorf("report: status %s gradable %v score %d/%d; want %s %v %d/%d",
					rep.Status, rep.Gradable, rep.Score, rep.MaxScore, tt.status, tt.gradable, tt.score, tt.max)
			}
			for _, r := range rep.Checks {
				if sub, ok := tt.msgSubstr[r.ID]; ok && !strings.Contains(r.Message, sub) {
					t.Errorf("check %s message %q does not mention %q", r.ID, r.Message, sub)
				}
			}
		})
	}
}

func TestRunTimeoutIsTheLearnersFailure(t *testing.T) {
	for name, c := range map[string]Checker{"honours context": blockUntilDone, "ignores context": ignoresContext} {
		t.Run(name, func(t *testing.T) {
			ex := &Exercise{Checks: []Check{
				{ID: "slow", Timeout: 20 * time.Millisecond, Checker: c},
				{ID: "after", Checker: outcome(Passed(""))},
			}}
			start := time.Now()
			rep := Run(t.Context(), ex, Attempt{}, Options{})
			if el := time.Since(start); el > 5*time.Second {
				t.Fatalf("runner waited %s for a check with a 20ms deadline", el)
			}
			got := rep.Checks[0]
			if got.Status != Fail || !strings.Contains(got.Message, "timed out after 20ms") {
				t.Fatalf("slow check: %s %q; want fail saying it timed out", got.Status, got.Message)
			}
			if rep.Checks[1].Status != Pass || !rep.Gradable {
				t.Fatalf("a timeout must not stop later checks or make the report ungradable: %+v", rep)
			}
		})
	}
}

func TestRunCancellationIsAnInterruption(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	ex := &Exercise{Checks: []Check{
		{ID: "first", Checker: CheckerFunc(func(ctx context.Context, _ Attempt) Outcome {
			cancel()
			<-ctx.Done()
			return Failed("learner blamed for a cancel")
		})},
		{ID: "second", Checker: outcome(Passed(""))},
	}}
	rep := Run(ctx, ex, Attempt{}, Options{})
	if !rep.Interrupted || rep.Status != Error || rep.Gradable {
		t.Fatalf("cancelled run: interrupted=%v status=%s gradable=%v; want true error false", rep.Interrupted, rep.Status, rep.Gradable)
	}
	for _, c := range rep.Checks {
		if c.Status != Error {
			t.Errorf("check %s after cancel: %s %q, want error", c.ID, c.Status, c.Message)
		}
	}
}

func TestRunHiddenChecks(t *testing.T) {
	ex := &Exercise{Checks: []Check{
		{ID: "open", Checker: outcome(Passed(""))},
		{ID: "secret", Hidden: true, Checker: outcome(Outcome{Status: Fail, Message: "wrong", Expected: "42", Actual: "41"})},
	}}
	practice := Run(t.Context(), ex, Attempt{}, Options{})
	if len(practice.Checks) != 1 || practice.Status != Pass {
		t.Fatalf("practice run must not run hidden checks: %+v", practice.Checks)
	}
	strict := Run(t.Context(), ex, Attempt{Strict: true}, Options{})
	if len(strict.Checks) != 2 || strict.Status != Fail {
		t.Fatalf("strict run must run hidden checks: %+v", strict.Checks)
	}
	if h := strict.Checks[1]; h.Expected != "" || h.Actual != "" || !h.Hidden {
		t.Fatalf("hidden check leaked its expected/actual values: %+v", h)
	}
}

func TestRunHints(t *testing.T) {
	ex := &Exercise{Checks: []Check{
		{ID: "a", Hints: []string{"first", "second"}, Checker: outcome(Failed("x"))},
		{ID: "b", Hints: []string{"unused"}, Checker: outcome(Passed(""))},
		{ID: "c", Hints: []string{"learner's"}, Checker: outcome(Errored(errors.New("docker is not running")))},
	}}
	rep := Run(t.Context(), ex, Attempt{}, Options{})
	if rep.Checks[0].Hint != "first" || rep.Checks[1].Hint != "" || rep.Checks[2].Hint == "learner's" || !strings.Contains(rep.Checks[2].Hint, "-v") {
		t.Fatalf("default hints: failing check %q, passing check %q, errored check %q (an error is not the learner's to fix)", rep.Checks[0].Hint, rep.Checks[1].Hint, rep.Checks[2].Hint)
	}
	rep = Run(t.Context(), ex, Attempt{}, Options{HintFor: func(c *Check) string { return c.Hints[1] }})
	if rep.Checks[0].Hint != "second" {
		t.Fatalf("HintFor ignored: %q", rep.Checks[0].Hint)
	}
}

func TestMemoSharesAcrossChecks(t *testing.T) {
	opens := 0
	open := CheckerFunc(func(_ context.Context, a Attempt) Outcome {
		_, _ = a.Memo.Do("repo", func() (any, error) { opens++; return 1, nil })
		return Passed("")
	})
	ex := &Exercise{Checks: []Check{{ID: "a", Checker: open}, {ID: "b", Checker: open}, {ID: "c", Checker: open}}}
	Run(t.Context(), ex, Attempt{}, Options{})
	if opens != 1 {
		t.Fatalf("three checks of one attempt opened the repository %d times, want 1", opens)
	}
	Run(t.Context(), ex, Attempt{}, Options{})
	if opens != 2 {
		t.Fatalf("a second attempt must not reuse the first one's memo (opens=%d)", opens)
	}
}

// TestMemoCleanupsRunAfterLastCheck: what a kind made for an attempt (a
// database) is removed once grading ends — also when it is interrupted — and
// not before the last check.
func TestMemoCleanupsRunAfterLastCheck(t *testing.T) {
	var events []string
	mk := func(id string) CheckerFunc {
		return func(_ context.Context, a Attempt) Outcome {
			events = append(events, "check "+id)
			_, _ = a.Memo.Do(id, func() (any, error) {
				a.Memo.Cleanup(func() { events = append(events, "drop "+id) })
				return nil, nil
			})
			return Passed("")
		}
	}
	ex := &Exercise{Checks: []Check{{ID: "a", Checker: mk("a")}, {ID: "b", Checker: mk("b")}}}
	Run(t.Context(), ex, Attempt{}, Options{})
	want := []string{"check a", "check b", "drop b", "drop a"}
	if !slices.Equal(events, want) {
		t.Fatalf("events = %q, want %q", events, want)
	}

	events = nil
	ctx, cancel := context.WithCancel(t.Context())
	stop := CheckerFunc(func(_ context.Context, a Attempt) Outcome {
		a.Memo.Cleanup(func() { events = append(events, "drop stop") })
		cancel()
		return Passed("")
	})
	ex = &Exercise{Checks: []Check{{ID: "a", Checker: stop}, {ID: "b", Checker: mk("b")}}}
	rep := Run(ctx, ex, Attempt{}, Options{})
	if !rep.Interrupted || !slices.Equal(events, []string{"drop stop"}) {
		t.Fatalf("interrupted run: interrupted=%v events=%q; want the cleanup to run anyway", rep.Interrupted, events)
	}
}

// TestMemoNests: a value made from another (a file's run from the attempt's
// database) is made inside Do without deadlocking.
func TestMemoNests(t *testing.T) {
	m := &Memo{}
	v, err := m.Do("outer", func() (any, error) {
		inner, err := m.Do("inner", func() (any, error) { return 1, nil })
		return inner.(int) + 1, err
	})
	if err != nil || v.(int) != 2 {
		t.Fatalf("Do = %v, %v; want 2", v, err)
	}
}

// TestPrepareIsNotTheLearnersTime: setup runs before the check's deadline
// starts, and a setup that fails is an error, not the learner's failure.
func TestPrepareIsNotTheLearnersTime(t *testing.T) {
	pass := CheckerFunc(func(context.Context, Attempt) Outcome { return Passed("") })
	// A database server's cold start, longer than the check's own deadline.
	slow := Prepared{Run: pass, Setup: func(ctx context.Context, _ Attempt) error {
		select {
		case <-time.After(200 * time.Millisecond):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}}
	ex := &Exercise{Checks: []Check{{ID: "db", Checker: slow, Timeout: 50 * time.Millisecond}}}
	if rep := Run(t.Context(), ex, Attempt{}, Options{}); rep.Status != Pass {
		t.Fatalf("slow setup counted against the check: %+v", rep.Checks)
	}
	broken := Prepared{Run: pass, Setup: func(context.Context, Attempt) error { return errors.New("no Docker") }}
	ex = &Exercise{Checks: []Check{{ID: "db", Checker: broken}}}
	rep := Run(t.Context(), ex, Attempt{}, Options{})
	if rep.Status != Error || rep.Gradable || !strings.Contains(rep.Checks[0].Message, "not your work") || rep.Checks[0].Detail != "no Docker" {
		t.Fatalf("failed setup: %+v", rep)
	}
}

func TestUsing(t *testing.T) {
	judge := func(_ context.Context, _ Attempt, v string) Outcome { return Passed("got " + v) }
	for name, tc := range map[string]struct {
		err    error
		status Status
		msg    string
	}{
		"started":       {nil, Pass, "got server"},
		"learner's":     {Failure("your server exited with status 1"), Fail, "your server exited with status 1"},
		"environment's": {&fault.Error{Msg: "docker is not running", Hint: "start it"}, Error, "docker is not running"},
		"a library's":   {errors.New("dial unix /var/run/docker.sock: connect: refused"), Error, "grader could not run this check: something in its own environment failed, not your work"},
	} {
		t.Run(name, func(t *testing.T) {
			calls := 0
			c := Using(func(context.Context, Attempt) (string, error) { calls++; return "server", tc.err }, judge)
			if err := c.(Preparer).Prepare(t.Context(), Attempt{}); !errors.Is(err, tc.err) {
				t.Errorf("Prepare = %v; want %v", err, tc.err)
			}
			out := c.Check(t.Context(), Attempt{})
			if out.Status != tc.status || out.Message != tc.msg || calls != 2 {
				t.Errorf("Check = %v %q after %d gets; want %v %q after 2", out.Status, out.Message, calls, tc.status, tc.msg)
			}
		})
	}
}

// A learner reads whose fault a broken kind is; what broke (the panic and
// its stack) is kept for -v, the JSON report and a bug report.
func TestPanicTextStaysOutOfTheMessage(t *testing.T) {
	ex := &Exercise{Checks: []Check{{ID: "a", Kind: "git.oops", Checker: CheckerFunc(func(context.Context, Attempt) Outcome {
		counts()["x"]++ // a nil map write: runtime's text, not the learner's business
		return Passed("")
	})}}}
	c := Run(t.Context(), ex, Attempt{}, Options{}).Checks[0]
	if c.Status != Error || strings.Contains(c.Message, "nil map") || strings.Contains(c.Message, "panic") {
		t.Errorf("message %q shows grader's internals to the learner", c.Message)
	}
	if !strings.Contains(c.Detail, "assignment to entry in nil map") || !strings.Contains(c.Detail, "run_test.go") {
		t.Errorf("detail %q lacks the panic and its stack", c.Detail)
	}
	if c.Hint == "" {
		t.Error("no hint says what to do next")
	}
}

// A learner's failure found by a kind that reports it through Errored is a
// failure, not an error that would make the attempt ungradable.
func TestErroredWithTheLearnersFaultFails(t *testing.T) {
	out := Errored(fmt.Errorf("read the script: %w", Failure("There is no %s in your folder", "query.sql")))
	if out.Status != Fail || out.Message != "There is no query.sql in your folder" {
		t.Errorf("Errored = %s %q", out.Status, out.Message)
	}
}

// counts returns a map that a buggy kind forgot to make.
func counts() map[string]int { return nil }
