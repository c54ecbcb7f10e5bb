package git

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	gogit "github.com/go-git/go-git/v5"

	"github.com/backendroadmap/grader/runner"
)

type cleanParams struct {
	Untracked *bool `yaml:"untracked"`
}

// compileClean builds git.clean: the working tree and the staging area match
// HEAD, as `git status` would say "nothing to commit, working tree clean". It
// is the usual last check of an exercise, so that "I did it but forgot to
// commit" is caught. untracked: false lets stray new files pass.
func compileClean(_ runner.Params, prm *cleanParams) (runner.Checker, error) {
	untracked := prm.Untracked == nil || *prm.Untracked
	return check(func(ctx context.Context, r *repo) (runner.Outcome, error) {
		if _, err := r.headCommit(); err != nil {
			return runner.Outcome{}, err
		}
		wt, err := r.git.Worktree()
		if errors.Is(err, gogit.ErrIsBareRepository) {
			return runner.Outcome{}, fail("this is a bare repository: it has no working tree to be clean")
		}
		if err != nil {
			return runner.Outcome{}, err
		}
		status, err := wt.Status()
		if err != nil {
			return runner.Outcome{}, fmt.Errorf("reading the status: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return runner.Outcome{}, err
		}
		// go-git's Status shows a conflicted file as staged and modified; the
		// index says what it really is.
		idx, err := r.git.Storer.Index()
		if err != nil {
			return runner.Outcome{}, fmt.Errorf("reading the index: %w", err)
		}
		conflicted := map[string]bool{}
		for _, e := range idx.Entries {
			if e.Stage != stageMerged {
				conflicted[e.Name] = true
			}
		}
		// go-git's Status applies ignore rules to untracked files one name at
		// a time, so files inside an ignored folder can slip through; and it
		// knows nothing of the learner's global excludes file.
		var rules *ignoreRules
		var dirty []string
		for path, fs := range status {
			if isGraderPath(path) {
				continue
			}
			if conflicted[path] {
				continue
			}
			var states []string
			switch fs.Staging {
			case gogit.Unmodified, gogit.Untracked:
			case gogit.UpdatedButUnmerged:
				states = append(states, "unmerged")
			default:
				states = append(states, "staged")
			}
			switch fs.Worktree {
			case gogit.Modified:
				states = append(states, "modified")
			case gogit.Deleted:
				states = append(states, "deleted")
			case gogit.UpdatedButUnmerged:
				if len(states) == 0 || states[0] != "unmerged" {
					states = append(states, "unmerged")
				}
			case gogit.Untracked:
				if !untracked {
					continue
				}
				if rules == nil {
					rs := r.statusIgnoreRules()
					rules = &rs
				}
				if rules.ignored(path, false) {
					continue
				}
				states = append(states, "untracked")
			}
			if len(states) > 0 {
				dirty = append(dirty, path+" ("+strings.Join(states, ", ")+")")
			}
		}
		for path := range conflicted {
			if !isGraderPath(path) {
				dirty = append(dirty, path+" (conflicted)")
			}
		}
		if len(dirty) == 0 {
			return runner.Passed("working tree clean"), nil
		}
		sort.Strings(dirty)
		if len(conflicted) > 0 {
			return runner.Outcome{}, failed("nothing to commit", plural(len(dirty), "changed file"),
				"the working tree is not clean: %s. Resolve the conflicts, `git add` the files and finish with `git commit` (or abort the merge, rebase or cherry-pick under way)",
				listSome(dirty, 5))
		}
		return runner.Outcome{}, failed("nothing to commit", plural(len(dirty), "changed file"),
			"the working tree is not clean: %s. Commit the changes (`git add` and `git commit`), or discard them (`git restore` for changed files, `git clean` for new ones)",
			listSome(dirty, 5))
	}), nil
}
