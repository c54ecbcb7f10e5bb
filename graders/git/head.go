package git

import (
	"context"

	"github.com/backendroadmap/grader/runner"
)

type headParams struct {
	Branch string `yaml:"branch"`
}

// compileHead builds git.head: HEAD is on the given branch, and the branch has
// commits. Exercises use it to make sure the learner ends where later checks
// (and the next exercise) expect to be.
func compileHead(_ runner.Params, prm *headParams) (runner.Checker, error) {
	branch, err := branchParam("branch", prm.Branch, true)
	if err != nil {
		return nil, err
	}
	return check(func(ctx context.Context, r *repo) (runner.Outcome, error) {
		h, err := r.head()
		if err != nil {
			return runner.Outcome{}, err
		}
		switch {
		case h.branch == "":
			how := "switch back with `git switch " + branch + "`"
			switch {
			case rebasing(r):
				how = "a rebase is under way: finish it with `git rebase --continue` (or give up with `git rebase --abort`), then `git switch " + branch + "` if needed"
			case r.gitFileExists("BISECT_LOG"):
				how = "a bisect is under way: when it has found the commit, end it with `git bisect reset`, which takes you back"
			}
			return runner.Outcome{}, failed(branch, "detached HEAD at "+short(h.commit.Hash),
				"HEAD is detached at %s instead of being on %s: %s", describe(h.commit), branch, how)
		case h.branch != branch:
			return runner.Outcome{}, failed(branch, h.branch,
				"you are on branch %s, not %s: switch with `git switch %s`", h.branch, branch, branch)
		case h.commit == nil:
			return runner.Outcome{}, noCommits(branch)
		}
		return runner.Passed("on " + branch), nil
	}), nil
}

// rebasing reports whether a rebase left HEAD detached, to explain a detached
// HEAD the learner did not ask for (rebase and bisect both detach it).
func rebasing(r *repo) bool {
	return r.gitFileExists("rebase-merge") || r.gitFileExists("rebase-apply")
}
