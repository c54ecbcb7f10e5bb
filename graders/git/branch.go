package git

import (
	"context"
	"fmt"
	"strconv"

	"github.com/backendroadmap/grader/runner"
)

type branchParams struct {
	Branch   string `yaml:"branch"`
	Absent   bool   `yaml:"absent"`
	Contains string `yaml:"contains"`
	AheadOf  string `yaml:"ahead_of"`
	MinAhead *int   `yaml:"min_ahead"`
	MaxAhead *int   `yaml:"max_ahead"`
}

// compileBranch builds git.branch: a branch exists (or, with absent, does not),
// optionally contains a commit, and is some number of commits ahead of another
// revision. It is how an exercise asks "did you make a feature branch and commit
// on it".
func compileBranch(_ runner.Params, prm *branchParams) (runner.Checker, error) {
	branch, err := branchParam("branch", prm.Branch, true)
	if err != nil {
		return nil, err
	}
	contains, err := optRev("contains", prm.Contains)
	if err != nil {
		return nil, err
	}
	aheadOf, err := optRev("ahead_of", prm.AheadOf)
	if err != nil {
		return nil, err
	}
	for _, f := range []struct {
		field string
		n     *int
	}{{"min_ahead", prm.MinAhead}, {"max_ahead", prm.MaxAhead}} {
		field, n := f.field, f.n
		if err := countParam(field, n); err != nil {
			return nil, err
		}
		if n != nil && !aheadOf.set() {
			return nil, paramErr(field, "needs ahead_of: ahead of what?")
		}
	}
	if prm.Absent {
		switch {
		case contains.set():
			return nil, paramErr("contains", "cannot be used with absent: true")
		case aheadOf.set():
			return nil, paramErr("ahead_of", "cannot be used with absent: true")
		}
	}
	minAhead, maxAhead := 1, -1
	if prm.MinAhead != nil {
		minAhead = *prm.MinAhead
	}
	if prm.MaxAhead != nil {
		maxAhead = *prm.MaxAhead
		if maxAhead < minAhead {
			return nil, paramErr("max_ahead", "is %d, below min_ahead %d", maxAhead, minAhead)
		}
	}
	return check(func(ctx context.Context, r *repo) (runner.Outcome, error) {
		tip, err := r.branch(branch)
		if prm.Absent {
			switch {
			case isMissing(err):
				return runner.Passed("no branch " + branch), nil
			case err != nil:
				return runner.Outcome{}, err
			}
			how := fmt.Sprintf("delete it with `git branch -d %s`", branch)
			if h, err := r.head(); err == nil && h.branch == branch {
				how = "switch to another branch first (`git switch main`), then " + how
			}
			return runner.Outcome{}, fail("branch %s still exists: %s (use -D if git refuses because it was never merged)", branch, how)
		}
		if err != nil {
			return runner.Outcome{}, err
		}
		if contains.set() {
			c, err := r.resolve(ctx, contains)
			if err != nil {
				return runner.Outcome{}, err
			}
			ok, err := r.isAncestor(ctx, c.Hash, tip.Hash)
			if err != nil {
				return runner.Outcome{}, err
			}
			if !ok {
				name := contains.name(c)
				return runner.Outcome{}, fail("branch %s does not contain commit %s: while on %s, bring it in with `git rebase %s` or `git merge %s`",
					branch, describe(c), branch, name, name)
			}
		}
		if aheadOf.set() {
			base, err := r.resolve(ctx, aheadOf)
			if err != nil {
				return runner.Outcome{}, err
			}
			commits, err := r.only(ctx, tip.Hash, base.Hash)
			if err != nil {
				return runner.Outcome{}, err
			}
			n, name := len(commits), aheadOf.name(base)
			want := ">= " + strconv.Itoa(minAhead)
			if maxAhead >= 0 {
				want = fmt.Sprintf("%d to %d", minAhead, maxAhead)
				if maxAhead == minAhead {
					want = strconv.Itoa(minAhead)
				}
			}
			switch {
			case n < minAhead && n == 0:
				return runner.Outcome{}, failed(want, "0", "branch %s has no commits that %s does not have: switch to it with `git switch %s` and commit your work there",
					branch, name, branch)
			case n < minAhead:
				return runner.Outcome{}, failed(want, strconv.Itoa(n), "branch %s is %s ahead of %s, expected at least %d: commit more of the work on %s",
					branch, plural(n, "commit"), name, minAhead, branch)
			case maxAhead >= 0 && n > maxAhead:
				return runner.Outcome{}, failed(want, strconv.Itoa(n), "branch %s is %s ahead of %s, expected at most %d: combine them with `git rebase -i %s` (mark the extra commits squash or fixup)",
					branch, plural(n, "commit"), name, maxAhead, name)
			}
		}
		return runner.Passed(fmt.Sprintf("branch %s at %s", branch, short(tip.Hash))), nil
	}), nil
}
