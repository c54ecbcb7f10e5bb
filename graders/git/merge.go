package git

import (
	"context"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/backendroadmap/grader/runner"
)

type mergeParams struct {
	Into    string `yaml:"into"`
	From    string `yaml:"from"`
	Message string `yaml:"message"`
}

// compileMerge builds git.merge: a merge commit on into's first-parent chain
// brought from in. Checking for the merge commit, not just reachability, is the
// point: it tells a real merge from a fast-forward, which leaves no trace of the
// branch in history.
func compileMerge(_ runner.Params, prm *mergeParams) (runner.Checker, error) {
	into, err := branchParam("into", prm.Into, true)
	if err != nil {
		return nil, err
	}
	from, err := parseRev("from", prm.From)
	if err != nil {
		return nil, err
	}
	msgRe, err := regexpParam("message", prm.Message)
	if err != nil {
		return nil, err
	}
	return check(func(ctx context.Context, r *repo) (runner.Outcome, error) {
		tip, err := r.branch(into)
		if err != nil {
			return runner.Outcome{}, err
		}
		src, err := r.resolve(ctx, from)
		if err != nil {
			return runner.Outcome{}, err
		}
		fromName := from.name(src)
		m, err := introducedBy(ctx, r, tip, src.Hash)
		if err != nil {
			return runner.Outcome{}, err
		}
		switch {
		case m == nil:
			msg := fmt.Sprintf("%s is not merged into %s: %s does not contain %s. Merge it with `git switch %s` and `git merge --no-ff %s`",
				fromName, into, into, describe(src), into, fromName)
			if r.gitFileExists("MERGE_HEAD") {
				msg = fmt.Sprintf("%s is not merged into %s yet: a merge is under way. Resolve any conflicts, `git add` the files, then finish it with `git merge --continue`",
					fromName, into)
			}
			return runner.Outcome{}, failed(fromName+" merged into "+into, "not merged", "%s", msg)
		case m.Hash == src.Hash:
			return runner.Outcome{}, fastForward(r, into, fromName, tip)
		case msgRe != nil && !msgRe.MatchString(m.Message):
			return runner.Outcome{}, failed(pattern(msgRe), strings.TrimSpace(m.Message),
				"the merge commit %s has a message that does not match %q: if it is the latest commit, reword it with `git commit --amend`",
				describe(m), pattern(msgRe))
		}
		return runner.Passed(fmt.Sprintf("%s merged into %s by %s", fromName, into, describe(m))), nil
	}), nil
}

// introducedBy returns the commit on tip's first-parent chain that brought src
// into tip's history: the oldest commit on that chain that contains src. It is
// a merge commit when src came in by a merge, src itself when it sits on the
// chain (a fast-forward, or work committed straight onto the branch), and nil
// when tip does not contain src at all.
//
// Asking only "is there a merge whose second parent contains src" would also
// accept a later merge of some other branch that happens to contain src, so a
// fast-forward followed by any real merge would pass.
//
// It walks tip's history once, recording children, then climbs from src to
// find its descendants; containment along the first-parent chain holds for a
// prefix of the chain, so the last descendant met going down is the answer.
func introducedBy(ctx context.Context, r *repo, tip *object.Commit, src plumbing.Hash) (*object.Commit, error) {
	children := map[plumbing.Hash][]plumbing.Hash{}
	found := false
	err := r.walk(ctx, []plumbing.Hash{tip.Hash}, nil, func(c *object.Commit) (bool, error) {
		found = found || c.Hash == src
		for _, p := range r.parents(c) {
			children[p] = append(children[p], c.Hash)
		}
		return false, nil
	})
	if err != nil || !found {
		return nil, err
	}
	desc := map[plumbing.Hash]bool{src: true}
	for queue := []plumbing.Hash{src}; len(queue) > 0; {
		h := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		for _, ch := range children[h] {
			if !desc[ch] {
				desc[ch] = true
				queue = append(queue, ch)
			}
		}
	}
	var last *object.Commit
	for c := tip; c != nil && desc[c.Hash]; {
		last = c
		ps := r.parents(c)
		if len(ps) == 0 {
			break
		}
		if c, err = r.commit(ps[0]); err != nil {
			return nil, err
		}
	}
	return last, nil
}

// fastForward explains a merge that left no merge commit, with the exact
// commit to go back to when the branch's reflog shows the fast-forward.
func fastForward(r *repo, into, from string, tip *object.Commit) error {
	undo := fmt.Sprintf("Find where %s was before the merge with `git reflog %s`, go back there with `git switch %s` and `git reset --hard <that commit>`", into, into, into)
	if log, err := r.reflog("refs/heads/" + into); err == nil {
		for i := len(log) - 1; i >= 0; i-- {
			e := log[i]
			if e.new == tip.Hash && strings.Contains(e.message, "Fast-forward") && !e.old.IsZero() {
				undo = fmt.Sprintf("Undo it with `git switch %s` and `git reset --hard %s` (where %s was before)", into, short(e.old), into)
				break
			}
		}
	}
	return failed("a merge commit", "fast-forward",
		"%s contains %s, but there is no merge commit: %s was fast-forwarded to %s, so history shows no merge. %s, then merge with `git merge --no-ff %s`",
		into, from, into, from, undo, from)
}
