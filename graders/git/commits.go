package git

import (
	"context"
	"fmt"
	"regexp"
	"strconv"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/backendroadmap/grader/runner"
)

type commitsParams struct {
	Ref        string `yaml:"ref"`
	Base       string `yaml:"base"`
	Count      *int   `yaml:"count"`
	Min        *int   `yaml:"min"`
	Max        *int   `yaml:"max"`
	Subject    string `yaml:"subject"`
	AnySubject string `yaml:"any_subject"`
	NoMerges   bool   `yaml:"no_merges"`
	Author     string `yaml:"author"`
}

// compileCommits builds git.commits: the commits of ref that base lacks (all of
// ref's history without base) are so many, are not merges, and have subjects
// and authors that match. Exercises on commit hygiene, squashing and rebasing
// are graded with it.
func compileCommits(_ runner.Params, prm *commitsParams) (runner.Checker, error) {
	ref := rev{text: "HEAD"}
	var err error
	if prm.Ref != "" {
		if ref, err = parseRev("ref", prm.Ref); err != nil {
			return nil, err
		}
	}
	base, err := optRev("base", prm.Base)
	if err != nil {
		return nil, err
	}
	for _, f := range []struct {
		field string
		n     *int
	}{{"count", prm.Count}, {"min", prm.Min}, {"max", prm.Max}} {
		if err := countParam(f.field, f.n); err != nil {
			return nil, err
		}
	}
	if prm.Count != nil && (prm.Min != nil || prm.Max != nil) {
		return nil, paramErr("count", "cannot be combined with min or max")
	}
	if prm.Min != nil && prm.Max != nil && *prm.Max < *prm.Min {
		return nil, paramErr("max", "is %d, below min %d", *prm.Max, *prm.Min)
	}
	subj, err := regexpParam("subject", prm.Subject)
	if err != nil {
		return nil, err
	}
	anySubj, err := regexpParam("any_subject", prm.AnySubject)
	if err != nil {
		return nil, err
	}
	author, err := regexpParam("author", prm.Author)
	if err != nil {
		return nil, err
	}
	if prm.Count == nil && prm.Min == nil && prm.Max == nil && subj == nil && anySubj == nil && author == nil && !prm.NoMerges {
		return nil, paramErr("count", "nothing to check: set count, min, max, subject, any_subject, no_merges or author")
	}
	return check(func(ctx context.Context, r *repo) (runner.Outcome, error) {
		tip, err := r.resolve(ctx, ref)
		if err != nil {
			return runner.Outcome{}, err
		}
		var baseHash plumbing.Hash
		what := ref.text
		squash := "`git rebase -i --root`"
		if base.set() {
			b, err := r.resolve(ctx, base)
			if err != nil {
				return runner.Outcome{}, err
			}
			baseHash = b.Hash
			what = fmt.Sprintf("%s since %s", ref.text, base.name(b))
			squash = fmt.Sprintf("`git rebase -i %s`", base.name(b))
		}
		commits, err := r.only(ctx, tip.Hash, baseHash)
		if err != nil {
			return runner.Outcome{}, err
		}
		n := len(commits)
		got := strconv.Itoa(n)
		switch {
		case prm.Count != nil && n != *prm.Count:
			return runner.Outcome{}, failed(strconv.Itoa(*prm.Count), got, "%s has %s, expected exactly %d: %s",
				what, plural(n, "commit"), *prm.Count, countFix(n > *prm.Count, squash))
		case prm.Min != nil && n < *prm.Min:
			return runner.Outcome{}, failed(">= "+strconv.Itoa(*prm.Min), got, "%s has %s, expected at least %d: %s",
				what, plural(n, "commit"), *prm.Min, countFix(false, squash))
		case prm.Max != nil && n > *prm.Max:
			return runner.Outcome{}, failed("<= "+strconv.Itoa(*prm.Max), got, "%s has %s, expected at most %d: %s",
				what, plural(n, "commit"), *prm.Max, countFix(true, squash))
		}
		for _, c := range commits {
			if prm.NoMerges && len(c.ParentHashes) > 1 {
				return runner.Outcome{}, failed("no merge commits", describe(c),
					"%s includes the merge commit %s, but its history should be linear: replay your commits on top instead, with `git rebase` rather than `git merge`",
					what, describe(c))
			}
			if subj != nil && !subj.MatchString(subject(c)) {
				return runner.Outcome{}, failed(pattern(subj), subject(c),
					"the subject of commit %s does not match %q: %s", describe(c), pattern(subj), reword(c, tip, squash))
			}
			if author != nil && !author.MatchString(signature(c)) {
				return runner.Outcome{}, failed(pattern(author), signature(c),
					"commit %s was authored by %s, which does not match %q: set your name and email with `git config user.name` and `git config user.email`, then redo the commit (`git commit --amend --reset-author` for the latest one)",
					describe(c), signature(c), pattern(author))
			}
		}
		if anySubj != nil && !anyMatch(commits, anySubj) {
			return runner.Outcome{}, failed(pattern(anySubj), "no such commit",
				"none of the %s of %s has a subject matching %q", plural(n, "commit"), what, pattern(anySubj))
		}
		return runner.Passed(fmt.Sprintf("%s has %s", what, plural(n, "commit"))), nil
	}), nil
}

// countFix says how to change the number of commits.
func countFix(tooMany bool, squash string) string {
	if tooMany {
		return "combine them with " + squash + " (mark the extra commits squash or fixup)"
	}
	return "commit each step on its own with `git add` and `git commit`"
}

// reword says how to change one commit's message.
func reword(c, tip *object.Commit, rebase string) string {
	if c.Hash == tip.Hash {
		return "change it with `git commit --amend`"
	}
	return "change it with " + rebase + " (mark the commit reword)"
}

// signature is an author as git log prints it, for author patterns.
func signature(c *object.Commit) string {
	return fmt.Sprintf("%s <%s>", c.Author.Name, c.Author.Email)
}

func anyMatch(commits []*object.Commit, re *regexp.Regexp) bool {
	for _, c := range commits {
		if re.MatchString(subject(c)) {
			return true
		}
	}
	return false
}
