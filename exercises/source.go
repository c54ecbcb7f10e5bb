package exercises

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport/client"
	"github.com/go-git/go-git/v5/plumbing/transport/server"

	"github.com/backendroadmap/grader/fault"
	"github.com/backendroadmap/grader/runner"
)

// Source says where a catalog comes from: empty for the embedded one, a folder,
// or a git URL with an optional #REF (branch, tag or commit).
type Source struct {
	Spec string
	// CacheDir holds clones of git catalogs, one folder per URL.
	CacheDir string
	// Refresh fetches a git catalog again instead of using the pinned clone.
	Refresh bool
}

// ErrCatalog marks a catalog that cannot be fetched (an unreachable or
// malformed repository): the environment's fault, not a typo.
var ErrCatalog error = &fault.Error{Kind: fault.Infra, Msg: "catalog unavailable"}

// ErrBadSource marks a --catalog value that names nothing usable: the user's
// typo, fixed by changing the command line.
var ErrBadSource error = &fault.Error{Kind: fault.Usage, Msg: "not a catalog"}

// Compiled on first use, not in package init, which every grader start pays.
var scpLike = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w.-]+@[\w.-]+:`) })

// Open returns the catalog src names. A git catalog is cloned once into the
// cache and pinned to the commit it resolved; later opens use that clone without
// the network until Refresh is set.
func Open(ctx context.Context, src Source, kinds runner.Kinds) (*Catalog, error) {
	if src.Spec == "" {
		return NewCatalog(Embedded(), EmbeddedName, kinds)
	}
	url, ref, _ := strings.Cut(src.Spec, "#")
	if st, err := os.Stat(url); err == nil && st.IsDir() && !isBareRepo(url) {
		if ref != "" {
			return nil, fmt.Errorf("%w: %s is a folder, so #%s cannot select a commit; give a git URL", ErrBadSource, url, ref)
		}
		c, err := NewCatalog(os.DirFS(url), url, kinds)
		if c != nil {
			c.Origin, _ = filepath.Abs(url)
		}
		return c, err
	}
	if !isGitURL(url) {
		return nil, fmt.Errorf("%w: %s is neither a folder nor a git URL (https://, ssh://, file://, git@host:path)", ErrBadSource, src.Spec)
	}
	dir, commit, err := clone(ctx, url, ref, src)
	if err != nil {
		return nil, err
	}
	c, err := NewCatalog(os.DirFS(dir), url+"@"+commit[:12], kinds)
	if c != nil {
		c.Origin = url
	}
	return c, err
}

func isBareRepo(dir string) bool {
	_, errHead := os.Stat(filepath.Join(dir, "HEAD"))
	_, errObj := os.Stat(filepath.Join(dir, "objects"))
	return errHead == nil && errObj == nil
}

func isGitURL(s string) bool {
	for _, p := range []string{"https://", "http://", "ssh://", "git://", "file://"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return scpLike().MatchString(s) || isBareRepo(s)
}

var installFile sync.Once

// installFileTransport makes go-git serve file:// URLs in-process; otherwise it
// shells out to git-upload-pack, and grader would need a git binary.
func installFileTransport() { client.InstallProtocol("file", server.DefaultServer) }

// clone makes or reuses the cached clone of url and checks out ref. It returns
// the clone's folder and the commit it is pinned to.
func clone(ctx context.Context, url, ref string, src Source) (string, string, error) {
	installFile.Do(installFileTransport)
	if isBareRepo(url) {
		abs, err := filepath.Abs(url)
		if err != nil {
			return "", "", err
		}
		url = "file://" + abs
	}
	if src.CacheDir == "" {
		return "", "", fmt.Errorf("%w: no cache folder for git catalogs", ErrCatalog)
	}
	sum := sha256.Sum256([]byte(url + "#" + ref))
	dir := filepath.Join(src.CacheDir, "catalogs", hex.EncodeToString(sum[:8]))
	if !src.Refresh {
		if repo, err := git.PlainOpen(dir); err == nil {
			if head, err := repo.Head(); err == nil {
				return dir, head.Hash().String(), nil
			}
		}
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", "", err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".clone-")
	if err != nil {
		return "", "", err
	}
	defer os.RemoveAll(tmp)
	repo, err := git.PlainCloneContext(ctx, tmp, false, &git.CloneOptions{URL: url, Tags: git.AllTags})
	if err != nil {
		return "", "", fmt.Errorf("%w: cloning %s: %v; check the URL and your network, or use a local folder", ErrCatalog, url, err)
	}
	hash, err := resolve(repo, ref)
	if err != nil {
		return "", "", fmt.Errorf("%w: %s has no branch, tag or commit %q", ErrBadSource, url, ref)
	}
	wt, err := repo.Worktree()
	if err != nil {
		return "", "", err
	}
	if err := wt.Checkout(&git.CheckoutOptions{Hash: hash, Force: true}); err != nil {
		return "", "", fmt.Errorf("%w: checking out %s: %v", ErrCatalog, ref, err)
	}
	// Swap the new clone in whole, so a reader never sees half a catalog.
	old := dir + ".old"
	_ = os.RemoveAll(old)
	_ = os.Rename(dir, old)
	if err := os.Rename(tmp, dir); err != nil {
		return "", "", err
	}
	_ = os.RemoveAll(old)
	return dir, hash.String(), nil
}

// resolve finds ref as a remote branch, a tag or a commit; empty means the
// remote's default branch.
func resolve(repo *git.Repository, ref string) (plumbing.Hash, error) {
	if ref == "" {
		head, err := repo.Head()
		if err != nil {
			return plumbing.ZeroHash, err
		}
		return head.Hash(), nil
	}
	for _, rev := range []string{"refs/remotes/origin/" + ref, "refs/tags/" + ref, ref} {
		if h, err := repo.ResolveRevision(plumbing.Revision(rev)); err == nil {
			return *h, nil
		}
	}
	return plumbing.ZeroHash, fmt.Errorf("unknown revision %s", ref)
}
