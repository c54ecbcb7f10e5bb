package git

import (
	"context"
	"fmt"

	"github.com/backendroadmap/grader/runner"
)

type ancestorParams struct {
	Ancestor string `yaml:"ancestor"`
	Of       string `yaml:"of"`
	Negate   bool   `yaml:"negate"`
}

// compileAncestor builds git.ancestor: one commit is in another's history, or,
// with negate, is not. The negated form is how an exercise checks that a bad
// commit was reset away; a `:/` ancestor that no branch reaches any more counts
// as not in the history.
func compileAncestor(_ runner.Params, prm *ancestorParams) (runner.Checker, error) {
	anc, err := parseRev("ancestor", prm.Ancestor)
	if err != nil {
		return nil, err
	}
	of, err := parseRev("of", prm.Of)
	if err != nil {
		return nil, err
	}
	return check(func(ctx context.Context, r *repo) (runner.Outcome, error) {
		tip, err := r.resolve(ctx, of)
		if err != nil {
			return runner.Outcome{}, err
		}
		a, err := r.resolve(ctx, anc)
		if prm.Negate && isMissing(err) {
			return runner.Passed(fmt.Sprintf("%s is gone", anc.text)), nil
		}
		if err != nil {
			return runner.Outcome{}, err
		}
		in, err := r.isAncestor(ctx, a.Hash, tip.Hash)
		if err != nil {
			return runner.Outcome{}, err
		}
		switch {
		case in && prm.Negate:
			how := fmt.Sprintf("drop it with `git rebase -i %s^` (delete its line)", short(a.Hash))
			if a.Hash == tip.Hash {
				how = fmt.Sprintf("it is the latest commit: remove it with `git reset --hard HEAD~1` while on %s", of.text)
			}
			return runner.Outcome{}, failed("not in the history of "+of.text, "in the history of "+of.text,
				"commit %s is still in the history of %s: %s", describe(a), of.text, how)
		case !in && !prm.Negate:
			return runner.Outcome{}, failed("in the history of "+of.text, "not in the history of "+of.text,
				"commit %s is not in the history of %s: bring it in with `git merge %s` or `git rebase %s` while on %s",
				describe(a), of.text, anc.name(a), anc.name(a), of.text)
		}
		if prm.Negate {
			return runner.Passed(fmt.Sprintf("%s is not in the history of %s", short(a.Hash), of.text)), nil
		}
		return runner.Passed(fmt.Sprintf("%s is in the history of %s", short(a.Hash), of.text)), nil
	}), nil
}
