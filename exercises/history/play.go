package history

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// The defaults below decide the hash of every commit a starter makes. Changing
// any of them changes every learner's starting repository, so the golden test
// in play_test.go pins them.
const (
	// DefaultAuthor is the author and committer of every commit and annotated
	// tag whose step sets no Author.
	DefaultAuthor = "Ada Lovelace <ada@example.com>"
	// DefaultBranch is the branch a new repository starts on.
	DefaultBranch = "main"
	// DefaultRemote is the remote a Push goes to when it sets no To.
	DefaultRemote = "origin"
)

var (
	// epoch is the date of the first commit of a new history.
	epoch = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	// tick is how far the clock moves per commit or annotated tag.
	tick = time.Minute
)

// StepError is the error [Play] returns when a step is invalid or cannot be
// applied. It says which step, by its 1-based position and its action, so the
// author of an exercise can find it; errors.As reaches a *[runner.ParamError]
// through it when the step itself is malformed.
type StepError struct {
	Index  int    // 1-based position of the step
	Action string // the action and its argument, e.g. "merge feature"
	Err    error
}

// Error says which step failed and why, e.g. `step 4 (merge feature): both
// sides changed notes.txt; give its resolution in files`.
func (e *StepError) Error() string {
	return fmt.Sprintf("step %d (%s): %v", e.Index, e.Action, e.Err)
}

// Unwrap returns the step's own error, so errors.As finds a
// *[runner.ParamError] behind it.
func (e *StepError) Unwrap() error { return e.Err }

// Play applies steps, in order, to the repository in dir, creating the
// repository (on branch main, with no commits, .grader/ excluded in
// .git/info/exclude) when dir holds none; files already in dir stay and are
// committed by the first commit step. Every step is validated before any is
// applied. On an existing repository the clock continues one minute after the
// newest date reachable from any ref, so replaying the same steps on the same
// repository gives the same hashes.
//
// On error the repository is left as the failing step found it or partly
// changed by it: callers build into a fresh folder.
func Play(dir string, steps []Step) error {
	for i, s := range steps {
		if err := s.Validate(); err != nil {
			return &StepError{Index: i + 1, Action: s.describe(), Err: err}
		}
	}
	p, err := open(dir)
	if err != nil {
		return err
	}
	defer p.root.Close()
	for i, s := range steps {
		if err := p.play(s); err != nil {
			return &StepError{Index: i + 1, Action: s.describe(), Err: err}
		}
	}
	return nil
}

// player applies steps to one repository.
type player struct {
	dir   string // absolute path of the working tree
	root  *os.Root
	repo  *git.Repository
	clock time.Time // the date of the next commit or annotated tag without Date
	// modes holds the mode each file was last written with, which decides
	// its mode in a commit even where the file system cannot keep it.
	modes map[string]filemode.FileMode
}

// open opens the repository in dir, or creates it.
func open(dir string) (*player, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, err
	}
	var repo *git.Repository
	// PlainOpen would take a folder without .git for a bare repository, so look
	// for .git first.
	if _, err := os.Lstat(filepath.Join(abs, git.GitDirName)); errors.Is(err, fs.ErrNotExist) {
		repo, err = initRepo(abs)
		if err != nil {
			return nil, fmt.Errorf("creating a repository in %s: %w", dir, err)
		}
	} else {
		repo, err = git.PlainOpen(abs)
		if err != nil {
			return nil, fmt.Errorf("opening the repository in %s: %w", dir, err)
		}
		if _, err := repo.Worktree(); err != nil {
			return nil, fmt.Errorf("%s holds a repository without a working tree: %w", dir, err)
		}
	}
	root, err := os.OpenRoot(abs)
	if err != nil {
		return nil, err
	}
	p := &player{dir: abs, root: root, repo: repo, modes: map[string]filemode.FileMode{}}
	if err := p.startClock(); err != nil {
		root.Close()
		return nil, err
	}
	return p, nil
}

// initRepo creates a repository on DefaultBranch whose info/exclude hides
// grader's own folder from git status.
func initRepo(dir string) (*git.Repository, error) {
	repo, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName(DefaultBranch)},
	})
	if err != nil {
		return nil, err
	}
	if err := addExclude(dir, "/.grader/"); err != nil {
		return nil, err
	}
	return repo, nil
}

// addExclude adds a pattern to .git/info/exclude unless it is there already.
func addExclude(dir, pattern string) error {
	path := filepath.Join(dir, ".git", "info", "exclude")
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if strings.TrimSpace(line) == pattern {
			return nil
		}
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		data = append(data, '\n')
	}
	data = append(data, pattern+"\n"...)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// startClock sets the clock one tick after the newest commit or tag date
// reachable from any ref, or to epoch in a repository without commits.
func (p *player) startClock() error {
	p.clock = epoch
	refs, err := p.repo.Storer.IterReferences()
	if err != nil {
		return err
	}
	var todo []plumbing.Hash
	err = refs.ForEach(func(r *plumbing.Reference) error {
		if r.Type() == plumbing.HashReference {
			todo = append(todo, r.Hash())
		}
		return nil
	})
	if err != nil {
		return err
	}
	var newest time.Time
	seen := map[plumbing.Hash]bool{}
	see := func(t time.Time) {
		if t.After(newest) {
			newest = t
		}
	}
	for len(todo) > 0 {
		h := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if seen[h] {
			continue
		}
		seen[h] = true
		obj, err := p.repo.Storer.EncodedObject(plumbing.AnyObject, h)
		if err != nil {
			continue // a ref to a missing object is not ours to judge
		}
		switch obj.Type() {
		case plumbing.CommitObject:
			c, err := object.DecodeCommit(p.repo.Storer, obj)
			if err != nil {
				return err
			}
			see(c.Author.When)
			see(c.Committer.When)
			todo = append(todo, c.ParentHashes...)
		case plumbing.TagObject:
			t, err := object.DecodeTag(p.repo.Storer, obj)
			if err != nil {
				return err
			}
			see(t.Tagger.When)
			todo = append(todo, t.Target)
		}
	}
	if !newest.IsZero() {
		p.clock = newest.Add(tick).UTC()
	}
	return nil
}

// signature returns the author (and committer or tagger) for a step, and
// advances the clock past its date.
func (p *player) signature(s Step) (object.Signature, error) {
	author := s.Author
	if author == "" {
		author = DefaultAuthor
	}
	name, email, err := parseAuthor(author)
	if err != nil {
		return object.Signature{}, err
	}
	when := p.clock
	if s.Date != "" {
		if when, err = parseDate(s.Date); err != nil {
			return object.Signature{}, err
		}
	}
	if next := when.Add(tick); next.After(p.clock) {
		p.clock = next.UTC()
	}
	return object.Signature{Name: name, Email: email, When: when}, nil
}

// play applies one valid step.
func (p *player) play(s Step) error {
	switch {
	case s.Commit != "":
		return p.commit(s)
	case s.Branch != "":
		return p.branch(s)
	case s.Switch != "":
		return p.switchTo(s.Switch)
	case s.Merge != "":
		return p.merge(s)
	case s.Tag != "":
		return p.tag(s)
	case s.Reset != "":
		return p.reset(s)
	case s.Write != nil:
		return p.write(s)
	case s.Remote != "":
		return p.remote(s)
	case s.Push != "":
		return p.push(s)
	}
	return errors.New("the step has no action")
}

// describe names a step's action and argument for error messages.
func (s Step) describe() string {
	switch set := s.setActions(); {
	case len(set) == 0:
		return "no action"
	case len(set) > 1:
		return andList(set)
	case set[0] == "commit":
		msg, _, _ := strings.Cut(cleanMessage(s.Commit), "\n")
		return fmt.Sprintf("commit %q", msg)
	case set[0] != "write":
		arg, _ := s.actionArg(set[0])
		return set[0] + " " + arg
	}
	short := func(paths []string) string {
		if len(paths) > 3 {
			paths = append(paths[:3:3], "…")
		}
		return strings.Join(paths, ", ")
	}
	var parts []string
	if len(s.Write) > 0 {
		parts = append(parts, short(sortedKeys(s.Write)))
	}
	if len(s.Delete) > 0 {
		parts = append(parts, "delete "+short(s.Delete))
	}
	return "write " + strings.Join(parts, ", ")
}

// head returns the branch HEAD points to ("" when detached) and its commit
// (the zero hash before the first commit).
func (p *player) head() (plumbing.ReferenceName, plumbing.Hash, error) {
	ref, err := p.repo.Storer.Reference(plumbing.HEAD)
	if err != nil {
		return "", plumbing.ZeroHash, fmt.Errorf("reading HEAD: %w", err)
	}
	if ref.Type() == plumbing.HashReference {
		return "", ref.Hash(), nil
	}
	target, err := p.repo.Storer.Reference(ref.Target())
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return ref.Target(), plumbing.ZeroHash, nil
	}
	if err != nil {
		return "", plumbing.ZeroHash, err
	}
	return ref.Target(), target.Hash(), nil
}

// headCommit is head for steps that need a commit to work from.
func (p *player) headCommit() (plumbing.ReferenceName, plumbing.Hash, error) {
	branch, h, err := p.head()
	if err == nil && h.IsZero() {
		err = errors.New("there are no commits yet: make one with a commit step first")
	}
	return branch, h, err
}

// moveHead points the current branch (or a detached HEAD) at h.
func (p *player) moveHead(h plumbing.Hash) error {
	branch, _, err := p.head()
	if err != nil {
		return err
	}
	name := branch
	if name == "" {
		name = plumbing.HEAD
	}
	return p.repo.Storer.SetReference(plumbing.NewHashReference(name, h))
}

// resolve finds the commit a revision names. A ref wins over a commit hash
// prefix that happens to be spelled the same, as in git.
func (p *player) resolve(rev string) (*object.Commit, error) {
	full := rev
	base, suffix := rev, ""
	if i := strings.IndexAny(rev, "~^"); i > 0 {
		base, suffix = rev[:i], rev[i:]
	}
	if h, ok := p.refHash(base); ok {
		full = h.String() + suffix
	}
	h, err := p.repo.ResolveRevision(plumbing.Revision(full))
	if err != nil {
		return nil, fmt.Errorf("%q names no commit here", rev)
	}
	c, err := p.repo.CommitObject(*h)
	if err != nil {
		return nil, fmt.Errorf("%q names no commit here", rev)
	}
	return c, nil
}

// refHash looks a short name up the way git rev-parse does: as given (HEAD and
// other all-caps names, or a full refs/ name), then under refs/, refs/tags/,
// refs/heads/ and refs/remotes/.
func (p *player) refHash(name string) (plumbing.Hash, bool) {
	full, ok := p.refName(name)
	if !ok {
		return plumbing.ZeroHash, false
	}
	ref, err := storer.ResolveReference(p.repo.Storer, full)
	if err != nil {
		return plumbing.ZeroHash, false
	}
	return ref.Hash(), true
}

// refName is the full name of the ref a short name finds, if any.
func (p *player) refName(name string) (plumbing.ReferenceName, bool) {
	for i, rule := range plumbing.RefRevParseRules {
		full := plumbing.ReferenceName(fmt.Sprintf(rule, name))
		if i == 0 && !full.IsSafe() {
			continue
		}
		if _, err := storer.ResolveReference(p.repo.Storer, full); err == nil {
			return full, true
		}
	}
	return "", false
}

// cleanMessage tidies a message the way `git commit -m` does (cleanup mode
// "whitespace"): trailing spaces go, runs of blank lines become one, blank
// lines at either end go, and the message ends with a newline.
func cleanMessage(msg string) string {
	var out []string
	blank := false
	for line := range strings.SplitSeq(strings.ReplaceAll(msg, "\r\n", "\n"), "\n") {
		line = strings.TrimRight(line, " \t\r")
		if line == "" {
			blank = len(out) > 0
			continue
		}
		if blank {
			out = append(out, "")
			blank = false
		}
		out = append(out, line)
	}
	if len(out) == 0 {
		return ""
	}
	return strings.Join(out, "\n") + "\n"
}
