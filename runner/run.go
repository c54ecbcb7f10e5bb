package runner

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"
)

// DefaultTimeout is a check's deadline when its spec sets none.
const DefaultTimeout = 30 * time.Second

// Options tunes [Run].
type Options struct {
	// HintFor returns the hint to show with a check that did not pass; nil shows
	// each check's first hint.
	HintFor func(c *Check) string
	// Progress, when set, is called after each check with its result, so a
	// terminal can show progress while slow checks run.
	Progress func(CheckResult)
	// Now is the clock; nil means time.Now. Tests set it to get stable durations.
	Now func() time.Time
}

// Run grades attempt a against every check of ex, in declared order. A check
// runs only when all the checks it depends on passed; otherwise it is skipped
// with the reason. Each check runs under its own deadline: a check that runs out
// of time fails (a learner's slow or stuck work is the learner's failure). When
// ctx is cancelled, the check under way and all later ones become errors and the
// report is marked interrupted.
//
// Hidden checks are left out unless a.Strict is set. What the checks stored
// in a.Memo is released when Run returns (see [Memo.Cleanup]).
func Run(ctx context.Context, ex *Exercise, a Attempt, opt Options) *Report {
	now := opt.Now
	if now == nil {
		now = time.Now
	}
	start := now()
	if a.Memo == nil {
		a.Memo = &Memo{}
	}
	defer a.Memo.Close()
	rep := &Report{
		Schema:   ResultsSchema,
		Exercise: ExerciseRef{ID: ex.ID, Title: ex.Title, Skill: ex.Skill, Phase: ex.Phase},
		Checks:   []CheckResult{},
	}
	status := map[string]Status{}
	for i := range ex.Checks {
		c := &ex.Checks[i]
		if c.Hidden && !a.Strict {
			continue
		}
		res := CheckResult{ID: c.ID, Name: c.Name, Points: c.Points, Hidden: c.Hidden}
		t0 := now()
		var out Outcome
		switch blocked := blocker(c, status); {
		case ctx.Err() != nil:
			out = Outcome{Status: Error, Message: "interrupted before this check ran"}
		case blocked != "":
			out = Outcome{Status: Skip, Message: fmt.Sprintf("skipped: check %q did not pass", blocked)}
		default:
			out = prepare(ctx, c, a)
			if out.Status == "" {
				out = runOne(ctx, c, a)
			}
		}
		res.Status, res.Message, res.Detail = out.Status, out.Message, out.Detail
		if !c.Hidden {
			res.Expected, res.Actual = out.Expected, out.Actual
		}
		// A learner's hint is for a learner's mistake: an error is grader's
		// environment failing, and its own hint says what to do.
		switch out.Status {
		case Fail:
			res.Hint = hintFor(c, opt)
		case Error:
			res.Hint = out.Hint
		}
		res.DurationMS = now().Sub(t0).Milliseconds()
		status[c.ID] = out.Status
		rep.Checks = append(rep.Checks, res)
		if opt.Progress != nil {
			opt.Progress(res)
		}
	}
	rep.DurationMS = now().Sub(start).Milliseconds()
	rep.Interrupted = ctx.Err() != nil
	rep.Status, rep.Gradable = Pass, true
	for _, r := range rep.Checks {
		rep.MaxScore += r.Points
		switch r.Status {
		case Pass:
			rep.Score += r.Points
		case Error:
			rep.Status, rep.Gradable = Error, false
		case Fail, Skip:
			if rep.Status == Pass {
				rep.Status = Fail
			}
		}
	}
	return rep
}

// blocker returns the first dependency of c that did not pass, or "".
func blocker(c *Check, status map[string]Status) string {
	for _, d := range c.DependsOn {
		if status[d] != Pass {
			return d
		}
	}
	return ""
}

func hintFor(c *Check, opt Options) string {
	if opt.HintFor != nil {
		return opt.HintFor(c)
	}
	if len(c.Hints) > 0 {
		return c.Hints[0]
	}
	return ""
}

// prepare runs a [Preparer]'s setup, outside the check's deadline. It returns
// an empty Outcome when the check is ready to run.
func prepare(ctx context.Context, c *Check, a Attempt) (out Outcome) {
	p, ok := c.Checker.(Preparer)
	if !ok {
		return Outcome{}
	}
	defer func() {
		if r := recover(); r != nil {
			out = bug(c.Kind, fmt.Sprintf("panic in Prepare: %v\n%s", r, debug.Stack()))
		}
	}()
	if err := p.Prepare(ctx, a); err != nil {
		if ctx.Err() != nil {
			return Outcome{Status: Error, Message: "interrupted while preparing this check"}
		}
		return Errored(err)
	}
	return Outcome{}
}

// runOne runs one checker under the check's deadline. The checker runs in its own
// goroutine so that one which ignores its context cannot hold grading past the
// deadline, and a panic in a kind of check becomes an error outcome, not a crash.
func runOne(parent context.Context, c *Check, a Attempt) Outcome {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	done := make(chan Outcome, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- bug(c.Kind, fmt.Sprintf("panic: %v\n%s", p, debug.Stack()))
			}
		}()
		done <- c.Checker.Check(ctx, a)
	}()
	select {
	case out := <-done:
		if out.Status == "" {
			return bug(c.Kind, "the check returned an outcome with no status")
		}
		// A checker that noticed its context end may report that as its own
		// failure: say what really ended it.
		if parent.Err() != nil {
			return interrupted
		}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return timedOut(timeout)
		}
		return out
	case <-ctx.Done():
		if parent.Err() != nil {
			return interrupted
		}
		return timedOut(timeout)
	}
}

// interrupted is never the learner's fault, so it is an error, not a failure.
var interrupted = Outcome{Status: Error, Message: "interrupted"}

// timedOut is a failure: a learner's slow or stuck work is the learner's to fix.
func timedOut(d time.Duration) Outcome {
	return Outcome{Status: Fail, Message: fmt.Sprintf("timed out after %s: the check did not finish in time", d)}
}
