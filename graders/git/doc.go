// Package git holds grader's version-control check kinds: git.head, git.branch,
// git.merge and the rest that [Kinds] returns. They judge a learner's repository
// the way a reviewer would, by its history, refs and files, so that an exercise
// can ask "did you merge with a merge commit" or "did you revert rather than
// reset" and get an answer a learner can act on.
//
// Every kind reads the repository through go-git, never the git binary: go-git
// runs no hooks and no fsmonitor a learner could plant, and it needs no git on
// the grading machine. Nothing here writes to the repository. The checks of one
// attempt share one opened repository and its decoded commits through
// [runner.Memo], so ten checks on a long history cost about one walk of it.
//
// A finding about the learner's work (a missing branch, a fast-forward where a
// merge commit was asked for, a corrupt .git folder) is a [runner.Fail] whose
// message names the git command that fixes it. Paths under .grader/, the
// workspace's own metadata, never count as the learner's changes.
//
// # Revisions
//
// Revision parameters accept a branch, tag, full or short hash, HEAD, and the
// ~N, ^N suffixes (main~2, HEAD^2), and `:/REGEX`: the newest commit reachable
// from any branch (or HEAD) whose message matches. Exercises use `:/` to name a
// commit their starter repository made. Like every pattern here, REGEX is Go
// syntax in multi-line mode: ^ and $ match at line breaks. In git.picked and
// git.reverted, `:/` finds the oldest match instead, because the learner's
// cherry-pick repeats the message and a revert quotes it.
//
// # Kinds
//
//	git.head        branch
//	git.branch      branch, absent, contains, ahead_of, min_ahead, max_ahead
//	git.file        path, ref (revision | worktree | index), content, contains,
//	                not_contains, matches, absent, executable
//	git.merge       into, from, message
//	git.ancestor    ancestor, of, negate
//	git.clean       untracked
//	git.tag         tag, annotated, at, reveal, message, absent
//	git.commits     ref, base, count, min, max, subject, any_subject,
//	                no_merges, author
//	git.conflicts   paths
//	git.in-progress (none)
//	git.remote      remote, url, branch, synced, tracking
//	git.ignored     paths
//	git.stash       count, min, message
//	git.tree        ref, same_as, paths
//	git.picked      onto, commit
//	git.reverted    branch, commit
//
// Each kind's compile function documents what it passes on.
package git
