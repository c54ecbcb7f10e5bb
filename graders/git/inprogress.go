package git

import (
	"context"
	"strings"

	"github.com/backendroadmap/grader/runner"
)

type inProgressParams struct{}

// operation is a multi-step git command that leaves state in .git until it is
// finished or aborted.
type operation struct {
	file string // its marker in the .git folder
	what string
	how  string
}

// operations lists what git.in-progress looks for, in the order git status
// reports them. A rebase-apply folder with an "applying" file is git am.
var operations = []operation{
	{"rebase-merge", "a rebase", "resolve any conflicts and `git add` the files, then `git rebase --continue`, or give up with `git rebase --abort`"},
	{"rebase-apply/applying", "a `git am`", "`git am --continue` after fixing the patch, or `git am --abort`"},
	{"rebase-apply", "a rebase", "resolve any conflicts and `git add` the files, then `git rebase --continue`, or give up with `git rebase --abort`"},
	{"MERGE_HEAD", "a merge", "resolve any conflicts and `git add` the files, then `git merge --continue`, or give up with `git merge --abort`"},
	{"CHERRY_PICK_HEAD", "a cherry-pick", "resolve any conflicts and `git add` the files, then `git cherry-pick --continue`, or give up with `git cherry-pick --abort`"},
	{"REVERT_HEAD", "a revert", "resolve any conflicts and `git add` the files, then `git revert --continue`, or give up with `git revert --abort`"},
	{"sequencer", "a series of cherry-picks or reverts", "`git cherry-pick --continue` (or `git revert --continue`) to go on, or `--quit` to stop where you are"},
	{"BISECT_LOG", "a bisect", "when you have found the commit, end it with `git bisect reset`"},
}

// compileInProgress builds git.in-progress: no merge, rebase, cherry-pick,
// revert or bisect is under way. Other checks can pass in the middle of one
// (the files may look right), so exercises add this to make sure the learner
// finished the operation rather than abandoning it half way.
func compileInProgress(_ runner.Params, _ *inProgressParams) (runner.Checker, error) {
	return check(func(ctx context.Context, r *repo) (runner.Outcome, error) {
		var found []operation
		for _, op := range operations {
			if !r.gitFileExists(op.file) {
				continue
			}
			if op.file == "rebase-apply" && len(found) > 0 && found[len(found)-1].file == "rebase-apply/applying" {
				continue
			}
			if op.file == "sequencer" && len(found) > 0 {
				continue // the pick or revert under way already says how to go on
			}
			found = append(found, op)
		}
		if len(found) == 0 {
			return runner.Passed("no operation under way"), nil
		}
		if len(found) == 1 {
			op := found[0]
			return runner.Outcome{}, failed("nothing under way", op.what,
				"%s is still under way: %s", op.what, op.how)
		}
		var whats, hows []string
		for _, op := range found {
			whats = append(whats, op.what)
			hows = append(hows, "for "+op.what+", "+op.how)
		}
		return runner.Outcome{}, failed("nothing under way", strings.Join(whats, ", "),
			"%s are still under way. Finish them: %s", strings.Join(whats, " and "), strings.Join(hows, "; "))
	}), nil
}
