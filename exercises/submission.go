package exercises

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
)

// IsRemote reports whether a submission names a git URL rather than a folder.
func IsRemote(s string) bool { return isGitURL(s) }

// FetchSubmission copies the repository at url into dir the way a grader needs
// it: every branch of the remote becomes a local branch, as it was in the
// learner's repository, with every tag, and HEAD on the remote's default branch.
// It does not rely on the remote's HEAD naming an existing branch, which a bare
// repository made with `git init --bare` and pushed `main` to often does not.
func FetchSubmission(ctx context.Context, url, dir string) error {
	installFile.Do(installFileTransport)
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		return err
	}
	remote, err := repo.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{url}})
	if err != nil {
		return err
	}
	err = remote.FetchContext(ctx, &git.FetchOptions{
		RefSpecs: []config.RefSpec{"+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"},
		Tags:     git.NoTags,
	})
	if errors.Is(err, git.NoErrAlreadyUpToDate) {
		return fmt.Errorf("cloning submission %s: it has no branches", url)
	}
	if err != nil {
		return fmt.Errorf("cloning submission %s: %w", url, err)
	}
	head, err := defaultBranch(ctx, repo, remote)
	if err != nil {
		return fmt.Errorf("cloning submission %s: %w", url, err)
	}
	if err := repo.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, head)); err != nil {
		return err
	}
	wt, err := repo.Worktree()
	if err != nil {
		return err
	}
	return wt.Checkout(&git.CheckoutOptions{Branch: head, Force: true})
}

// defaultBranch is the branch the remote's HEAD names when that branch exists,
// else main, else master, else the first branch fetched.
func defaultBranch(ctx context.Context, repo *git.Repository, remote *git.Remote) (plumbing.ReferenceName, error) {
	var candidates []plumbing.ReferenceName
	if refs, err := remote.ListContext(ctx, &git.ListOptions{}); err == nil {
		for _, r := range refs {
			if r.Name() == plumbing.HEAD && r.Type() == plumbing.SymbolicReference {
				candidates = append(candidates, r.Target())
			}
		}
	}
	candidates = append(candidates, plumbing.NewBranchReferenceName("main"), plumbing.NewBranchReferenceName("master"))
	for _, c := range candidates {
		if _, err := repo.Reference(c, false); err == nil {
			return c, nil
		}
	}
	branches, err := repo.Branches()
	if err != nil {
		return "", err
	}
	defer branches.Close()
	first, err := branches.Next()
	if err != nil {
		return "", errors.New("it has no branches")
	}
	return first.Name(), nil
}
