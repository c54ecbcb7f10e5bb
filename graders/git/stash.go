package git

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/backendroadmap/grader/runner"
)

type stashParams struct {
	Count   *int   `yaml:"count"`
	Min     *int   `yaml:"min"`
	Message string `yaml:"message"`
}

// stashRef is the ref git stash keeps its newest entry in; older entries live
// only in its reflog.
const stashRef = "refs/stash"

// compileStash builds git.stash: the stash holds so many entries, and the
// newest has a message that matches. go-git has no stash API, so it reads
// refs/stash and its reflog, as git stash list does. With neither count nor
// min, at least one entry is required.
func compileStash(_ runner.Params, prm *stashParams) (runner.Checker, error) {
	if err := countParam("count", prm.Count); err != nil {
		return nil, err
	}
	if err := countParam("min", prm.Min); err != nil {
		return nil, err
	}
	if prm.Count != nil && prm.Min != nil {
		return nil, paramErr("min", "cannot be combined with count")
	}
	msgRe, err := regexpParam("message", prm.Message)
	if err != nil {
		return nil, err
	}
	if msgRe != nil && prm.Count != nil && *prm.Count == 0 {
		return nil, paramErr("message", "an empty stash (count: 0) has no message to check")
	}
	minimum := 1
	if prm.Min != nil {
		minimum = *prm.Min
	}
	return check(func(ctx context.Context, r *repo) (runner.Outcome, error) {
		n := 0
		var msg string
		ref, err := r.git.Storer.Reference(plumbing.ReferenceName(stashRef))
		switch {
		case errors.Is(err, plumbing.ErrReferenceNotFound):
		case err != nil:
			return runner.Outcome{}, fmt.Errorf("reading %s: %w", stashRef, err)
		default:
			log, err := r.reflog(stashRef)
			if err != nil {
				return runner.Outcome{}, fmt.Errorf("reading the stash's log: %w", err)
			}
			n = max(len(log), 1)
			c, err := r.commit(ref.Hash())
			if err != nil {
				return runner.Outcome{}, err
			}
			msg = strings.TrimSpace(c.Message)
		}
		got := strconv.Itoa(n)
		switch {
		case prm.Count != nil && n < *prm.Count:
			return runner.Outcome{}, failed(strconv.Itoa(*prm.Count), got,
				"the stash has %s, expected %d: save your uncommitted changes with `git stash push -m \"...\"`", plural(n, "entry"), *prm.Count)
		case prm.Count != nil && n > *prm.Count:
			return runner.Outcome{}, failed(strconv.Itoa(*prm.Count), got,
				"the stash has %s, expected %d: apply and remove an entry with `git stash pop`, or drop one with `git stash drop`", plural(n, "entry"), *prm.Count)
		case prm.Count == nil && n < minimum:
			return runner.Outcome{}, failed(">= "+strconv.Itoa(minimum), got,
				"the stash has %s, expected at least %d: save your uncommitted changes with `git stash push -m \"...\"`", plural(n, "entry"), minimum)
		}
		if msgRe != nil && n > 0 && !msgRe.MatchString(msg) {
			return runner.Outcome{}, failed(pattern(msgRe), msg,
				"the newest stash entry is %q, which does not match %q: stash with a message, `git stash push -m \"...\"`", msg, pattern(msgRe))
		}
		return runner.Passed(fmt.Sprintf("the stash has %s", plural(n, "entry"))), nil
	}), nil
}
