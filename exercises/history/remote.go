package history

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/revlist"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/backendroadmap/grader/runner"
)

// remote is `git init --bare path && git remote add name path && git push -u
// name branch...`: a local bare repository stands in for a server, so a
// learner's `git push` and `git fetch` work without a network. The URL in
// .git/config is the path relative to the working tree's top, which git
// resolves from there whatever folder it runs in, so the workspace can move.
func (p *player) remote(s Step) error {
	cfg, err := p.repo.Config()
	if err != nil {
		return err
	}
	if _, ok := cfg.Remotes[s.Remote]; ok {
		return fmt.Errorf("remote %s already exists", s.Remote)
	}
	rel := s.Path
	if rel == "" {
		rel = runner.MetaDir + "/" + s.Remote + ".git"
	}
	if p.exists(rel) {
		return fmt.Errorf("%s already exists: give the remote another path", rel)
	}
	branches := s.Branches
	if len(branches) == 0 {
		if branches, err = p.localBranches(); err != nil {
			return err
		}
	}
	for _, b := range branches {
		if _, err := p.repo.Storer.Reference(plumbing.NewBranchReferenceName(b)); err != nil {
			return fmt.Errorf("there is no branch %s to put in the remote", b)
		}
	}
	if !runner.InMetaDir(rel) {
		// Keep the bare repository out of `git status` and out of commits.
		if err := addExclude(p.dir, "/"+rel+"/"); err != nil {
			return err
		}
	}
	// The remote's HEAD (what a clone checks out) is the current branch if
	// it goes there, as GitHub's default branch would be.
	head := plumbing.NewBranchReferenceName(DefaultBranch)
	if current, _, err := p.head(); err == nil && slices.Contains(branches, current.Short()) {
		head = current
	} else if len(branches) > 0 && !slices.Contains(branches, DefaultBranch) {
		head = plumbing.NewBranchReferenceName(branches[0])
	}
	bare, err := git.PlainInitWithOptions(filepath.Join(p.dir, filepath.FromSlash(rel)), &git.PlainInitOptions{
		Bare:        true,
		InitOptions: git.InitOptions{DefaultBranch: head},
	})
	if err != nil {
		return fmt.Errorf("creating the remote's repository at %s: %w", rel, err)
	}
	cfg.Remotes[s.Remote] = &config.RemoteConfig{
		Name:  s.Remote,
		URLs:  []string{rel},
		Fetch: []config.RefSpec{config.RefSpec(fmt.Sprintf("+refs/heads/*:refs/remotes/%s/*", s.Remote))},
	}
	for _, b := range branches {
		if err := p.pushBranch(bare, s.Remote, b, cfg); err != nil {
			return err
		}
	}
	if err := bare.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, head)); err != nil {
		return err
	}
	return p.repo.SetConfig(cfg)
}

// localBranches lists the local branches, sorted.
func (p *player) localBranches() ([]string, error) {
	refs, err := p.repo.Storer.IterReferences()
	if err != nil {
		return nil, err
	}
	var out []string
	err = refs.ForEach(func(r *plumbing.Reference) error {
		if r.Name().IsBranch() {
			out = append(out, r.Name().Short())
		}
		return nil
	})
	slices.Sort(out)
	return out, err
}

// push is `git push -u to branch`: it copies the branch's objects into the
// remote's repository, moves the remote's branch and the remote-tracking ref,
// and makes the remote branch the upstream when the branch has none. Like git,
// it refuses to drop commits the remote has and the branch lacks.
func (p *player) push(s Step) error {
	to := s.To
	if to == "" {
		to = DefaultRemote
	}
	if _, err := p.repo.Storer.Reference(plumbing.NewBranchReferenceName(s.Push)); err != nil {
		return fmt.Errorf("there is no branch %s", s.Push)
	}
	cfg, err := p.repo.Config()
	if err != nil {
		return err
	}
	rc, ok := cfg.Remotes[to]
	if !ok {
		return fmt.Errorf("there is no remote %s: add it with a remote step", to)
	}
	dir, err := p.remoteDir(rc)
	if err != nil {
		return err
	}
	bare, err := git.PlainOpen(dir)
	if err != nil {
		return fmt.Errorf("opening remote %s at %s: %w", to, dir, err)
	}
	if err := p.pushBranch(bare, to, s.Push, cfg); err != nil {
		return err
	}
	return p.repo.SetConfig(cfg)
}

// remoteDir is the folder of a remote that is a repository on this machine.
func (p *player) remoteDir(rc *config.RemoteConfig) (string, error) {
	if len(rc.URLs) == 0 {
		return "", fmt.Errorf("remote %s has no URL", rc.Name)
	}
	url := rc.URLs[0]
	if rest, ok := strings.CutPrefix(url, "file://"); ok {
		url = rest
	} else if strings.Contains(url, "://") || (strings.Contains(url, ":") && !filepath.IsAbs(url)) {
		return "", fmt.Errorf("remote %s is at %s, not in a folder on this machine: push only reaches local remotes", rc.Name, url)
	}
	if !filepath.IsAbs(url) {
		url = filepath.Join(p.dir, filepath.FromSlash(url))
	}
	if st, err := os.Stat(url); err != nil || !st.IsDir() {
		return "", fmt.Errorf("remote %s is at %s, which is not a folder", rc.Name, url)
	}
	return url, nil
}

// pushBranch copies local branch b into the remote repository bare known as
// remote here, updates refs/remotes/remote/b, and records the upstream in cfg
// (which the caller saves) when b has none.
func (p *player) pushBranch(bare *git.Repository, remote, b string, cfg *config.Config) error {
	name := plumbing.NewBranchReferenceName(b)
	local, err := p.repo.Storer.Reference(name)
	if err != nil {
		return fmt.Errorf("there is no branch %s", b)
	}
	theirs, err := bare.Storer.Reference(name)
	switch {
	case errors.Is(err, plumbing.ErrReferenceNotFound):
	case err != nil:
		return err
	case theirs.Hash() != local.Hash():
		anc, err := p.ancestors(local.Hash())
		if err != nil {
			return err
		}
		if _, ok := anc[theirs.Hash()]; !ok {
			return fmt.Errorf("%s's %s has commits that the local %s lacks, so git would reject this push (fetch and merge first)", remote, b, b)
		}
	}
	if err := copyObjects(p.repo.Storer, bare.Storer, local.Hash()); err != nil {
		return fmt.Errorf("copying %s to %s: %w", b, remote, err)
	}
	if err := bare.Storer.SetReference(plumbing.NewHashReference(name, local.Hash())); err != nil {
		return err
	}
	// Like a hosting service, the first branch pushed to an empty remote
	// becomes its default.
	if head, err := bare.Storer.Reference(plumbing.HEAD); err == nil && head.Type() == plumbing.SymbolicReference {
		if _, err := bare.Storer.Reference(head.Target()); errors.Is(err, plumbing.ErrReferenceNotFound) {
			if err := bare.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, name)); err != nil {
				return err
			}
		}
	}
	if err := p.repo.Storer.SetReference(plumbing.NewHashReference(plumbing.NewRemoteReferenceName(remote, b), local.Hash())); err != nil {
		return err
	}
	if _, ok := cfg.Branches[b]; !ok {
		cfg.Branches[b] = &config.Branch{Name: b, Remote: remote, Merge: name}
	}
	return nil
}

// copyObjects copies every object reachable from tip that dst lacks, storer to
// storer: a transport would need git-upload-pack for file:// URLs.
func copyObjects(src, dst storer.EncodedObjectStorer, tip plumbing.Hash) error {
	hashes, err := revlist.Objects(src, []plumbing.Hash{tip}, nil)
	if err != nil {
		return err
	}
	for _, h := range hashes {
		if dst.HasEncodedObject(h) == nil {
			continue
		}
		obj, err := src.EncodedObject(plumbing.AnyObject, h)
		if err != nil {
			return err
		}
		if _, err := dst.SetEncodedObject(obj); err != nil {
			return err
		}
	}
	return nil
}
