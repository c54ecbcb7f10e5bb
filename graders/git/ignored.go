package git

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/backendroadmap/grader/runner"
)

type ignoredParams struct {
	Paths []string `yaml:"paths"`
}

// compileIgnored builds git.ignored: each path is ignored by the repository's
// own rules (.gitignore files, .git/info/exclude) and git does not track it.
// Both halves matter: a .gitignore line does nothing for a file git already
// tracks, which is the mistake the exercise on ignoring secrets is about.
// The paths need not exist; end one with / to mean a folder.
func compileIgnored(_ runner.Params, prm *ignoredParams) (runner.Checker, error) {
	if len(prm.Paths) == 0 {
		return nil, paramErr("paths", "is required: list the paths that must be ignored")
	}
	type target struct {
		path  string
		isDir bool
	}
	var targets []target
	for _, raw := range prm.Paths {
		p, err := pathParam("paths", raw)
		if err != nil {
			return nil, err
		}
		targets = append(targets, target{p, strings.HasSuffix(raw, "/")})
	}
	return check(func(ctx context.Context, r *repo) (runner.Outcome, error) {
		idx, err := r.git.Storer.Index()
		if err != nil {
			return runner.Outcome{}, fmt.Errorf("reading the index: %w", err)
		}
		h, err := r.head()
		if err != nil {
			return runner.Outcome{}, err
		}
		var tree *object.Tree
		if h.commit != nil {
			if tree, err = r.git.TreeObject(h.commit.TreeHash); err != nil {
				return runner.Outcome{}, fmt.Errorf("reading HEAD's tree: %w", err)
			}
		}
		rules := r.repoIgnoreRules()
		root, err := os.OpenRoot(r.dir)
		if err != nil {
			return runner.Outcome{}, err
		}
		defer root.Close()
		var problems []string
		for _, t := range targets {
			p := t.path
			staged := false
			for _, e := range idx.Entries {
				if e.Name == p || strings.HasPrefix(e.Name, p+"/") {
					staged = true
					break
				}
			}
			committed := false
			if tree != nil {
				_, err := tree.FindEntry(p)
				committed = err == nil
				if err != nil && !errors.Is(err, object.ErrEntryNotFound) && !errors.Is(err, object.ErrDirectoryNotFound) {
					return runner.Outcome{}, fmt.Errorf("reading HEAD's tree: %w", err)
				}
			}
			isDir := t.isDir
			if fi, err := root.Lstat(p); err == nil && fi.IsDir() {
				isDir = true
			}
			switch {
			case staged:
				problems = append(problems, fmt.Sprintf("%s is tracked by git, so ignore rules do not apply to it: stop tracking it with `git rm -r --cached %s` and commit", p, p))
			case committed:
				problems = append(problems, fmt.Sprintf("%s is still in your latest commit: commit its removal with `git commit`", p))
			case !rules.ignored(p, isDir):
				line := p
				if isDir {
					line += "/"
				}
				msg := fmt.Sprintf("%s is not ignored: add a line such as `%s` to .gitignore and commit it", p, line)
				if !isDir && rules.ignored(p, true) {
					msg = fmt.Sprintf("%s is not ignored: the rules ignore a folder named %s, but not a file: add a line such as `%s` to .gitignore and commit it", p, p, line)
				}
				problems = append(problems, msg)
			}
		}
		if len(problems) > 0 {
			return runner.Outcome{}, fail("%s", strings.Join(problems, "; "))
		}
		return runner.Passed(fmt.Sprintf("%s ignored", plural(len(targets), "path"))), nil
	}), nil
}
