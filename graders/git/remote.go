package git

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/backendroadmap/grader/runner"
)

type remoteParams struct {
	Remote   string `yaml:"remote"`
	URL      string `yaml:"url"`
	Branch   string `yaml:"branch"`
	Synced   bool   `yaml:"synced"`
	Tracking bool   `yaml:"tracking"`
}

// compileRemote builds git.remote: a remote is configured (with a URL that
// matches), has a branch, holds the same commit as the local branch, and the
// local branch tracks it. Exercises give learners a local bare repository as
// "the server", so the remote's own refs are read when its URL is a folder:
// that is the truth, where refs/remotes/ is only the last fetch's memory of it.
func compileRemote(_ runner.Params, prm *remoteParams) (runner.Checker, error) {
	name := strings.TrimSpace(prm.Remote)
	if name == "" {
		return nil, paramErr("remote", "is required")
	}
	if strings.ContainsAny(name, " /\\:") {
		return nil, paramErr("remote", "%q is not a valid remote name", name)
	}
	urlRe, err := regexpParam("url", prm.URL)
	if err != nil {
		return nil, err
	}
	branch, err := branchParam("branch", prm.Branch, false)
	if err != nil {
		return nil, err
	}
	if branch == "" && prm.Synced {
		return nil, paramErr("synced", "needs branch: synced with which branch?")
	}
	if branch == "" && prm.Tracking {
		return nil, paramErr("tracking", "needs branch: which branch should track the remote?")
	}
	return check(func(ctx context.Context, r *repo) (runner.Outcome, error) {
		rem, err := r.git.Remote(name)
		if errors.Is(err, gogit.ErrRemoteNotFound) {
			return runner.Outcome{}, failed(name, "no such remote", "there is no remote named %s: add it with `git remote add %s <url>`", name, name)
		}
		if err != nil {
			return runner.Outcome{}, fmt.Errorf("reading remote %s: %w", name, err)
		}
		url := ""
		if urls := rem.Config().URLs; len(urls) > 0 {
			url = urls[0]
		}
		if urlRe != nil && !urlRe.MatchString(url) {
			return runner.Outcome{}, failed(pattern(urlRe), url,
				"remote %s points to %q, which does not match %q: change it with `git remote set-url %s <url>`", name, url, pattern(urlRe), name)
		}
		if branch == "" {
			return runner.Passed(fmt.Sprintf("remote %s is %s", name, url)), nil
		}
		// Where the remote's branch stands: in the remote repository itself when
		// it is a folder, else in what the last fetch or push recorded.
		var remoteTip plumbing.Hash
		var remoteRepo *repo
		remoteName := fmt.Sprintf("%s/%s", name, branch)
		if dir, ok := localPath(url, r.dir); ok {
			rr, err := r.openRemote(dir)
			var f *failure
			switch {
			case errors.As(err, &f):
				return runner.Outcome{}, fail("remote %s points to %s, which is not a git repository: fix it with `git remote set-url %s <url>`", name, url, name)
			case err != nil:
				return runner.Outcome{}, fail("remote %s points to %s, which cannot be read as a git repository (%v): fix it with `git remote set-url %s <url>`", name, url, err, name)
			}
			remoteRepo = rr
			c, err := rr.branch(branch)
			if isMissing(err) {
				return runner.Outcome{}, failed(remoteName, "no such branch", "remote %s has no branch %s: push it with `git push -u %s %s`", name, branch, name, branch)
			}
			if err != nil {
				return runner.Outcome{}, fmt.Errorf("reading %s in %s: %w", branch, url, err)
			}
			remoteTip = c.Hash
		} else {
			ref, err := r.git.Reference(plumbing.NewRemoteReferenceName(name, branch), true)
			if errors.Is(err, plumbing.ErrReferenceNotFound) {
				return runner.Outcome{}, failed(remoteName, "no such branch", "there is no %s: push the branch with `git push -u %s %s`, or fetch it with `git fetch %s`", remoteName, name, branch, name)
			}
			if err != nil {
				return runner.Outcome{}, fmt.Errorf("reading %s: %w", remoteName, err)
			}
			remoteTip = ref.Hash()
		}
		if prm.Tracking {
			cfg, err := r.git.Config()
			if err != nil {
				return runner.Outcome{}, fmt.Errorf("reading the configuration: %w", err)
			}
			b := cfg.Branches[branch]
			set := fmt.Sprintf("set it with `git push -u %s %s` or `git branch --set-upstream-to=%s %s`", name, branch, remoteName, branch)
			switch {
			case b == nil || b.Remote == "" || b.Merge == "":
				return runner.Outcome{}, failed(remoteName, "no upstream", "branch %s has no upstream: %s", branch, set)
			case b.Remote != name || b.Merge != plumbing.NewBranchReferenceName(branch):
				got := b.Remote + "/" + branchName(b.Merge)
				return runner.Outcome{}, failed(remoteName, got, "branch %s tracks %s, not %s: %s", branch, got, remoteName, set)
			}
		}
		if prm.Synced {
			local, err := r.branch(branch)
			if err != nil {
				return runner.Outcome{}, err
			}
			if local.Hash != remoteTip {
				return runner.Outcome{}, notSynced(ctx, r, remoteRepo, local.Hash, remoteTip, branch, remoteName, name)
			}
		}
		return runner.Passed(fmt.Sprintf("%s at %s", remoteName, short(remoteTip))), nil
	}), nil
}

// notSynced says which way a local branch and its remote differ, since the fix
// (push, pull, or both) depends on it.
func notSynced(ctx context.Context, r, remote *repo, local, tip plumbing.Hash, branch, remoteName, name string) error {
	expected, actual := short(local), short(tip)
	// Is the remote's commit in the local history? It may not even be in the
	// local repository, if nobody fetched it.
	if _, err := r.commit(tip); err == nil {
		if ahead, err := r.isAncestor(ctx, tip, local); err != nil {
			return err
		} else if ahead {
			return failed(expected, actual, "%s has commits that %s does not: publish them with `git push %s %s`", branch, remoteName, name, branch)
		}
	}
	// Is the local commit in the remote's history?
	behind := false
	if remote != nil {
		if _, err := remote.commit(local); err == nil {
			var err error
			if behind, err = remote.isAncestor(ctx, local, tip); err != nil {
				return err
			}
		}
	} else if _, err := r.commit(tip); err == nil {
		var err error
		if behind, err = r.isAncestor(ctx, local, tip); err != nil {
			return err
		}
	}
	if behind {
		return failed(expected, actual, "%s has commits that your %s does not: bring them in with `git pull %s %s`", remoteName, branch, name, branch)
	}
	return failed(expected, actual, "%s and %s have both moved on: run `git pull %s %s` to combine them, then `git push %s %s`", branch, remoteName, name, branch, name, branch)
}

// localPath returns the folder a remote URL names, when it names one: a plain
// path or a file:// URL. scp-like user@host:path URLs are not folders.
func localPath(url, base string) (string, bool) {
	if p, ok := strings.CutPrefix(url, "file://"); ok {
		return p, true
	}
	if url == "" || strings.Contains(url, "://") {
		return "", false
	}
	if i := strings.Index(url, ":"); i >= 0 && !strings.Contains(url[:i], "/") {
		return "", false
	}
	if !filepath.IsAbs(url) {
		url = filepath.Join(base, url)
	}
	return url, true
}
