package git

import (
	"context"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/backendroadmap/grader/runner"
)

type pickedParams struct {
	Onto   string `yaml:"onto"`
	Commit string `yaml:"commit"`
}

// compilePicked builds git.picked: a branch has a copy of a commit, one that
// makes the same change, as `git cherry-pick` makes. A merge would also bring
// the change in, but with the commit itself and everything before it, which is
// what the exercise tells the learner not to do, so that fails too.
func compilePicked(_ runner.Params, prm *pickedParams) (runner.Checker, error) {
	onto, err := branchParam("onto", prm.Onto, true)
	if err != nil {
		return nil, err
	}
	commit, err := parseRev("commit", prm.Commit)
	if err != nil {
		return nil, err
	}
	return check(func(ctx context.Context, r *repo) (runner.Outcome, error) {
		tip, err := r.branch(onto)
		if err != nil {
			return runner.Outcome{}, err
		}
		orig, err := r.resolveOriginal(ctx, commit)
		if err != nil {
			return runner.Outcome{}, err
		}
		name := commit.name(orig)
		merged, err := r.isAncestor(ctx, orig.Hash, tip.Hash)
		if err != nil {
			return runner.Outcome{}, err
		}
		if merged {
			return runner.Outcome{}, failed("a copy of "+short(orig.Hash), "the commit itself",
				"%s has commit %s itself, not a copy of it: it was merged (or %s was built on it) rather than cherry-picked. Put %s back where it was (`git reflog %s` shows where), then run `git cherry-pick %s` while on %s",
				onto, describe(orig), onto, onto, onto, name, onto)
		}
		want, err := r.changeOf(ctx, orig)
		if err != nil {
			return runner.Outcome{}, err
		}
		pick, near, err := findChange(ctx, r, tip.Hash, orig.Hash, want)
		if err != nil {
			return runner.Outcome{}, err
		}
		switch {
		case pick != nil:
			return runner.Passed(fmt.Sprintf("%s was picked onto %s as %s", short(orig.Hash), onto, describe(pick))), nil
		case near != nil:
			return runner.Outcome{}, failed(fmt.Sprint(want.paths()), describe(near),
				"commit %s on %s changes the same files as %s, but not in the same way: if you resolved a conflict, compare the two with `git diff %s %s`; to start again, `git reset --hard HEAD~1` and `git cherry-pick %s` while on %s",
				describe(near), onto, describe(orig), name, short(near.Hash), name, onto)
		}
		return runner.Outcome{}, failed("a copy of "+short(orig.Hash), "none",
			"no commit on %s makes the change of %s: copy it with `git switch %s` and `git cherry-pick %s`",
			onto, describe(orig), onto, name)
	}), nil
}

// findChange looks among the commits of tip that orig's history lacks for one
// whose change equals want. Old history cannot hold the copy, so it is never
// walked. Each candidate is first screened by looking up only want's paths in
// its tree, so full diffs are computed for few commits. near is a commit that
// touched the same paths differently, for a better message.
func findChange(ctx context.Context, r *repo, tip, orig plumbing.Hash, want change) (found, near *object.Commit, err error) {
	old, err := r.ancestryOf(ctx, orig)
	if err != nil {
		return nil, nil, err
	}
	paths := want.paths()
	err = r.walk(ctx, []plumbing.Hash{tip}, func(h plumbing.Hash) bool { _, ok := old[h]; return ok },
		func(c *object.Commit) (bool, error) {
			exact, err := treeHas(r, c.TreeHash, want)
			if err != nil {
				return false, err
			}
			if exact {
				got, err := r.changeOf(ctx, c)
				if err != nil {
					return false, err
				}
				if got.equal(want) {
					found = c
					return true, nil
				}
			}
			if near != nil || len(want) == 0 {
				return false, nil
			}
			// A near miss touches every path of want, and only those.
			var parentTree plumbing.Hash
			if ps := r.parents(c); len(ps) > 0 {
				pc, err := r.commit(ps[0])
				if err != nil {
					return false, err
				}
				parentTree = pc.TreeHash
			}
			for _, p := range paths {
				before, err := r.lookup(parentTree, p)
				if err != nil {
					return false, err
				}
				after, err := r.lookup(c.TreeHash, p)
				if err != nil || before == after {
					return false, err
				}
			}
			got, err := r.changeOf(ctx, c)
			if err != nil {
				return false, err
			}
			if got.samePaths(want) {
				near = c
			}
			return false, nil
		})
	return found, near, err
}

// treeHas reports whether the tree h has every path of ch as ch left it.
func treeHas(r *repo, h plumbing.Hash, ch change) (bool, error) {
	for p, want := range ch {
		got, err := r.lookup(h, p)
		if err != nil || got != want {
			return false, err
		}
	}
	return true, nil
}
