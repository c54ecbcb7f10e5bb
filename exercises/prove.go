package exercises

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/backendroadmap/grader/fault"
	"github.com/backendroadmap/grader/runner"
)

// Proof is what `grader validate` found for one exercise: the starter fails,
// the reference solution passes every check, and every known-wrong solution
// fails. An exercise whose checks are too lenient or too strict shows up here,
// not in front of a learner.
type Proof struct {
	Exercise string `json:"exercise"`
	// Problems is empty when the exercise is proven.
	Problems []string `json:"problems"`
	// Reports are the graded runs behind the verdict, by role: "starter",
	// "solution", "wrong: NAME".
	Reports map[string]*runner.Report `json:"-"`
}

// OK reports whether the exercise is proven.
func (p *Proof) OK() bool { return len(p.Problems) == 0 }

// Prove grades the starter, the reference solution and each known-wrong
// solution in scratch folders under tmp (removed afterwards), strictly, so
// hidden checks count. It returns an error only when grading itself broke (a
// check errored or the recipe could not be played); wrong verdicts are Problems.
func Prove(ctx context.Context, ex *Exercise, tmp string) (*Proof, error) {
	p := &Proof{Exercise: ex.ID, Problems: []string{}, Reports: map[string]*runner.Report{}}
	grade := func(role string, recipes ...Recipe) (*runner.Report, error) {
		dir, err := os.MkdirTemp(tmp, ex.ID+"-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		for _, r := range recipes {
			if err := Apply(ex, r, dir); err != nil {
				return nil, fmt.Errorf("%s: playing the %s: %w", ex.ID, role, err)
			}
		}
		rep := runner.Run(ctx, &ex.Exercise, runner.Attempt{Dir: dir, Strict: true}, runner.Options{})
		p.Reports[role] = rep
		if rep.Status == runner.Error {
			f := rep.FirstFailure()
			// The author needs grader's own error text too: -v is not theirs
			// to give to a proof run inside validate.
			msg := f.Message
			if f.Detail != "" {
				msg += " (" + f.Detail + ")"
			}
			return nil, fault.WithHint(fmt.Errorf("%s: grading the %s: check %s could not run: %s", ex.ID, role, f.ID, msg), f.Hint)
		}
		return rep, nil
	}

	starter, err := grade("starter", ex.Starter)
	if err != nil {
		return nil, err
	}
	if starter.Status == runner.Pass {
		p.Problems = append(p.Problems, "the starter passes every check: a learner would pass without doing anything")
	}
	sol, err := grade("solution", ex.Starter, ex.Solution)
	if err != nil {
		return nil, err
	}
	for _, c := range sol.Checks {
		if c.Status != runner.Pass {
			p.Problems = append(p.Problems, fmt.Sprintf("the reference solution does not pass check %s (%s): %s", c.ID, c.Status, oneLine(c.Message)))
		}
	}
	for _, w := range ex.Wrong {
		role := "wrong: " + w.Name
		rep, err := grade(role, ex.Starter, w.Recipe)
		if err != nil {
			return nil, err
		}
		if rep.Status == runner.Pass {
			p.Problems = append(p.Problems, fmt.Sprintf("known-wrong solution %q passes every check: the checks are too lenient", w.Name))
			continue
		}
		status := map[string]runner.Status{}
		var firstFail *runner.CheckResult
		for i, c := range rep.Checks {
			status[c.ID] = c.Status
			if c.Status == runner.Fail && firstFail == nil {
				firstFail = &rep.Checks[i]
			}
		}
		failed := 0
		for _, id := range w.MustFail {
			switch status[id] {
			case runner.Pass:
				p.Problems = append(p.Problems, fmt.Sprintf("known-wrong solution %q passes check %s, which it must fail", w.Name, id))
			case runner.Fail:
				failed++
			}
		}
		// Skipped checks count as not passed, but a wrong solution that
		// fails only for another reason (it does not even start) proves
		// nothing about the checks it names.
		if len(w.MustFail) > 0 && failed == 0 && firstFail != nil {
			p.Problems = append(p.Problems, fmt.Sprintf("known-wrong solution %q fails none of the checks it names itself: they were skipped after check %s failed (%s); fix the solution so it fails for the mistake it shows",
				w.Name, firstFail.ID, oneLine(firstFail.Message)))
		}
	}
	return p, nil
}

func oneLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
