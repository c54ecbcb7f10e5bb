package git

import (
	"context"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/backendroadmap/grader/runner"
)

type revertedParams struct {
	Branch string `yaml:"branch"`
	Commit string `yaml:"commit"`
}

// compileReverted builds git.reverted: a commit is still in a branch's history
// and a later commit puts every file it touched back as it was. That is what
// `git revert` does; resetting the commit away also undoes it, but by
// rewriting history others may have, which is the lesson, so it fails with its
// own message.
func compileReverted(_ runner.Params, prm *revertedParams) (runner.Checker, error) {
	branch, err := branchParam("branch", prm.Branch, true)
	if err != nil {
		return nil, err
	}
	commit, err := parseRev("commit", prm.Commit)
	if err != nil {
		return nil, err
	}
	return check(func(ctx context.Context, r *repo) (runner.Outcome, error) {
		tip, err := r.branch(branch)
		if err != nil {
			return runner.Outcome{}, err
		}
		orig, err := r.resolveOriginal(ctx, commit)
		if isMissing(err) {
			what := commit.text
			if commit.re != nil {
				what = fmt.Sprintf("the commit whose message matches %q", pattern(commit.re))
			}
			return runner.Outcome{}, gone(branch, what, commit.text)
		}
		if err != nil {
			return runner.Outcome{}, err
		}
		name := commit.name(orig)
		in, err := r.isAncestor(ctx, orig.Hash, tip.Hash)
		if err != nil {
			return runner.Outcome{}, err
		}
		if !in {
			return runner.Outcome{}, gone(branch, describe(orig), name)
		}
		did, err := r.changeOf(ctx, orig)
		if err != nil {
			return runner.Outcome{}, err
		}
		if len(did) == 0 {
			return runner.Outcome{}, fail("commit %s changes no files, so there is nothing to revert", describe(orig))
		}
		// undo is the state to return to: each touched path as orig's parent had it.
		var parentTree plumbing.Hash
		if ps := r.parents(orig); len(ps) > 0 {
			pc, err := r.commit(ps[0])
			if err != nil {
				return runner.Outcome{}, err
			}
			parentTree = pc.TreeHash
		}
		undo := change{}
		for p := range did {
			if undo[p], err = r.lookup(parentTree, p); err != nil {
				return runner.Outcome{}, err
			}
		}
		revert, partial, left, err := findUndo(ctx, r, tip.Hash, orig.Hash, undo)
		if err != nil {
			return runner.Outcome{}, err
		}
		switch {
		case revert != nil:
			return runner.Passed(fmt.Sprintf("%s was reverted by %s", short(orig.Hash), describe(revert))), nil
		case partial != nil:
			return runner.Outcome{}, failed(strings.Join(undo.paths(), ", "), describe(partial),
				"commit %s undoes only part of %s; not back as they were: %s. Undo the whole commit with `git revert %s`",
				describe(partial), describe(orig), listSome(left, 5), name)
		}
		return runner.Outcome{}, failed("a commit reverting "+short(orig.Hash), "none",
			"the change of %s is still on %s: undo it with a new commit, `git revert %s`, while on %s",
			describe(orig), branch, name, branch)
	}), nil
}

// gone explains a commit that left the branch's history.
func gone(branch, what, name string) error {
	return failed("still in "+branch+"'s history, then reverted", "gone from "+branch,
		"%s is no longer in %s's history: it was removed (with git reset or git rebase), and that rewrote shared history others may already have. Get it back (find the old tip with `git reflog %s`, then `git reset --hard <that commit>` on %s) and undo it with `git revert %s` instead",
		what, branch, branch, branch, name)
}

// findUndo looks among the commits made after orig on tip for one that puts
// every path of undo back, changing each of them itself (so it is the undoing
// commit, not merely a later one). partial is the commit that put back the
// most paths, if no commit put back all; left lists what it missed.
func findUndo(ctx context.Context, r *repo, tip, orig plumbing.Hash, undo change) (found, partial *object.Commit, left []string, err error) {
	old, err := r.ancestryOf(ctx, orig)
	if err != nil {
		return nil, nil, nil, err
	}
	paths := undo.paths()
	best := 0
	err = r.walk(ctx, []plumbing.Hash{tip}, func(h plumbing.Hash) bool { _, ok := old[h]; return ok },
		func(c *object.Commit) (bool, error) {
			var parentTree plumbing.Hash
			if ps := r.parents(c); len(ps) > 0 {
				pc, err := r.commit(ps[0])
				if err != nil {
					return false, err
				}
				parentTree = pc.TreeHash
			}
			var restored, missed []string
			for _, p := range paths {
				after, err := r.lookup(c.TreeHash, p)
				if err != nil {
					return false, err
				}
				before, err := r.lookup(parentTree, p)
				if err != nil {
					return false, err
				}
				if after == undo[p] && before != after {
					restored = append(restored, p)
				} else {
					missed = append(missed, p)
				}
			}
			if len(missed) == 0 {
				found = c
				return true, nil
			}
			if len(restored) > best {
				best, partial, left = len(restored), c, missed
			}
			return false, nil
		})
	return found, partial, left, err
}
