package git

import (
	"bufio"
	"bytes"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"
	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"

	"github.com/backendroadmap/grader/runner"
)

// repo is one attempt's repository, opened once and shared by the attempt's
// checks through runner.Memo. Its caches are what keep ten checks on a long
// history cheap: each commit is decoded once per attempt, not once per walk.
type repo struct {
	dir    string // the work tree: the attempt's folder
	gitDir string // the .git folder, for the state go-git has no API for
	git    *gogit.Repository

	mu        sync.Mutex
	commits   map[plumbing.Hash]*object.Commit
	ancestry  map[plumbing.Hash]map[plumbing.Hash]struct{}
	trees     map[plumbing.Hash]map[string]entry
	shallow   map[plumbing.Hash]bool
	remotes   map[string]*repo
	remoteErr map[string]error
	searches  map[searchKey]*object.Commit
}

// searchKey caches a `:/` search: several checks of an exercise usually name
// the same starter commit.
type searchKey struct {
	pattern string
	oldest  bool
}

// repoKey is the Memo key of an attempt's opened repository. A type of its own
// keeps it from colliding with other packages' keys.
type repoKey struct{ dir string }

// openAttempt returns the attempt's repository, opening it on first use.
func openAttempt(a runner.Attempt) (*repo, error) {
	v, err := a.Memo.Do(repoKey{a.Dir}, func() (any, error) { return openRepo(a.Dir) })
	if err != nil {
		return nil, err
	}
	return v.(*repo), nil
}

// openRepo opens the repository whose work tree (or bare folder) is dir. It does
// not look in parent folders: a workspace inside some other repository must not
// be graded against that one.
//
// It builds go-git's storage itself rather than calling PlainOpen, to keep pack
// files open: PlainOpen reopens the pack for every object read, which made a
// walk of 5,000 commits take seconds.
func openRepo(dir string) (*repo, error) {
	gitDir := findGitDir(dir)
	if fi, err := os.Stat(filepath.Join(gitDir, "HEAD")); err != nil || fi.IsDir() {
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return nil, errors.New(".git has no HEAD file")
		}
		return nil, fail("no git repository in %s: run this inside the workspace `grader start` made", dir)
	}
	dot := osfs.New(gitDir)
	var fsys billy.Filesystem = dot
	if b, err := readSmallFile(filepath.Join(gitDir, "commondir")); err == nil {
		common := strings.TrimSpace(string(b))
		if !filepath.IsAbs(common) {
			common = filepath.Join(gitDir, common)
		}
		fsys = dotgit.NewRepositoryFilesystem(dot, osfs.New(common))
	}
	var worktree billy.Filesystem
	if gitDir != dir {
		worktree = osfs.New(dir)
	}
	// Not ExclusiveAccess: with it go-git lists every loose-object folder
	// before the first read, which a learner's small repository of loose
	// objects pays in full (BenchmarkGradeInProcess: 3.2 ms against 2.7 ms);
	// the storage caches pack indexes either way, so long packed histories
	// read no slower.
	st := filesystem.NewStorageWithOptions(fsys, cache.NewObjectLRUDefault(),
		filesystem.Options{KeepDescriptors: true, ExclusiveAccess: false})
	g, err := gogit.Open(&refCache{Storage: st, refs: map[plumbing.ReferenceName]refRead{}}, worktree)
	if errors.Is(err, gogit.ErrRepositoryNotExists) {
		st.Close()
		return nil, fail("no git repository in %s: run this inside the workspace `grader start` made", dir)
	}
	if err != nil {
		st.Close()
		return nil, err
	}
	r := &repo{
		dir:       dir,
		gitDir:    gitDir,
		git:       g,
		commits:   map[plumbing.Hash]*object.Commit{},
		ancestry:  map[plumbing.Hash]map[plumbing.Hash]struct{}{},
		trees:     map[plumbing.Hash]map[string]entry{},
		shallow:   map[plumbing.Hash]bool{},
		remotes:   map[string]*repo{},
		remoteErr: map[string]error{},
		searches:  map[searchKey]*object.Commit{},
	}
	// The Memo that holds r has no close hook: release the kept pack files
	// when the attempt's repository is garbage.
	runtime.AddCleanup(r, func(st *filesystem.Storage) { st.Close() }, st)
	// A shallow clone (CI checks out with depth 1) lacks the parents of its
	// boundary commits: walks must stop there rather than report corruption.
	if hs, err := g.Storer.Shallow(); err == nil {
		for _, h := range hs {
			r.shallow[h] = true
		}
	}
	return r, nil
}

// refCache is an attempt's storage that reads each reference once. An
// exercise's checks ask for HEAD and the same few branches over and over,
// and each read opens a file through go-billy's chroot, which resolves every
// folder of the path; the repository does not change while it is graded.
// A write (grader's checks make none) empties the cache.
type refCache struct {
	*filesystem.Storage
	mu   sync.Mutex
	refs map[plumbing.ReferenceName]refRead
}

type refRead struct {
	ref *plumbing.Reference
	err error
}

// Reference returns the reference name, read from disk the first time.
func (c *refCache) Reference(name plumbing.ReferenceName) (*plumbing.Reference, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.refs[name]; ok {
		return r.ref, r.err
	}
	ref, err := c.Storage.Reference(name)
	c.refs[name] = refRead{ref, err}
	return ref, err
}

// SetReference writes ref and forgets what was read.
func (c *refCache) SetReference(ref *plumbing.Reference) error {
	c.forget()
	return c.Storage.SetReference(ref)
}

// CheckAndSetReference writes ref if old is current, and forgets what was read.
func (c *refCache) CheckAndSetReference(ref, old *plumbing.Reference) error {
	c.forget()
	return c.Storage.CheckAndSetReference(ref, old)
}

// RemoveReference removes name and forgets what was read.
func (c *refCache) RemoveReference(name plumbing.ReferenceName) error {
	c.forget()
	return c.Storage.RemoveReference(name)
}

func (c *refCache) forget() {
	c.mu.Lock()
	clear(c.refs)
	c.mu.Unlock()
}

// findGitDir finds the folder that holds HEAD: dir/.git, the folder a .git file
// points to (linked work trees, submodules), or dir itself when it is bare.
func findGitDir(dir string) string {
	p := filepath.Join(dir, ".git")
	fi, err := os.Stat(p)
	switch {
	case err != nil:
		return dir
	case fi.IsDir():
		return p
	}
	b, err := readSmallFile(p)
	if err != nil {
		return p
	}
	line, _, _ := strings.Cut(string(b), "\n")
	target, ok := strings.CutPrefix(strings.TrimSpace(line), "gitdir:")
	if !ok {
		return p
	}
	target = strings.TrimSpace(target)
	if !filepath.IsAbs(target) {
		target = filepath.Join(dir, target)
	}
	return target
}

// failure is a finding about the learner's repository rather than a fault in
// grader. Helpers return it as an error so that a check can give up from deep
// inside a walk and still produce the right outcome.
type failure struct {
	out runner.Outcome
	// missing is set when a revision names nothing. Some checks treat that as an
	// answer: a commit that was reset away cannot be found.
	missing bool
}

func (f *failure) Error() string { return f.out.Message }

// fail returns a *failure whose message is built like fmt.Sprintf.
func fail(format string, args ...any) error {
	return &failure{out: runner.Failed(format, args...)}
}

// failed returns an outcome-carrying error with Expected and Actual set.
func failed(expected, actual, format string, args ...any) error {
	out := runner.Failed(format, args...)
	out.Expected, out.Actual = expected, actual
	return &failure{out: out}
}

// isMissing reports whether err says a revision names nothing.
func isMissing(err error) bool {
	var f *failure
	return errors.As(err, &f) && f.missing
}

// check is the shape every kind's checker takes: open the attempt's repository,
// then judge it. Returning an error is how a check gives up; outcomeOf turns the
// error into what the learner sees.
type check func(ctx context.Context, r *repo) (runner.Outcome, error)

var _ runner.Checker = check(nil)

// Check opens the attempt's repository (once per attempt) and runs c on it.
func (c check) Check(ctx context.Context, a runner.Attempt) runner.Outcome {
	r, err := openAttempt(a)
	if err != nil {
		return outcomeOf(err)
	}
	out, err := c(ctx, r)
	if err != nil {
		return outcomeOf(err)
	}
	return out
}

// outcomeOf turns a check's error into an outcome. Anything that is not a
// finding is an unreadable repository: with go-git reading local files, that is
// a damaged .git folder, which is the learner's to repair, not grader's fault.
func outcomeOf(err error) runner.Outcome {
	var f *failure
	switch {
	case errors.As(err, &f):
		return f.out
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return runner.Errored(err)
	}
	return runner.Failed("could not read the repository: %v", err)
}

// head is where HEAD stands.
type head struct {
	branch string         // the branch HEAD is on; "" when detached
	commit *object.Commit // nil when the branch has no commits yet
}

// head reads HEAD without resolving it, so that a detached HEAD and an unborn
// branch can each get their own explanation.
func (r *repo) head() (head, error) {
	ref, err := r.git.Storer.Reference(plumbing.HEAD)
	if err != nil {
		return head{}, fmt.Errorf("reading HEAD: %w", err)
	}
	if ref.Type() == plumbing.HashReference {
		if ref.Hash().IsZero() {
			return head{}, errors.New(".git/HEAD is damaged: it names neither a branch nor a commit")
		}
		c, err := r.commit(ref.Hash())
		return head{commit: c}, err
	}
	h := head{branch: branchName(ref.Target())}
	target, err := r.git.Storer.Reference(ref.Target())
	switch {
	case errors.Is(err, plumbing.ErrReferenceNotFound):
		return h, nil
	case err != nil:
		return h, fmt.Errorf("reading %s: %w", ref.Target(), err)
	}
	h.commit, err = r.peel(target.Hash(), ref.Target().String())
	return h, err
}

// headCommit returns the commit HEAD is at, or a failure when there is none.
func (r *repo) headCommit() (*object.Commit, error) {
	h, err := r.head()
	if err != nil {
		return nil, err
	}
	if h.commit == nil {
		return nil, noCommits(h.branch)
	}
	return h.commit, nil
}

// noCommits explains an unborn branch: git's own "does not have any commits
// yet" confuses learners who have run git add.
func noCommits(branch string) error {
	return fail("there are no commits yet on %s: make your first one with `git add` and `git commit`", branch)
}

// branchName is a branch's short name (feature/x), or the ref's full name when
// it is not a branch.
func branchName(ref plumbing.ReferenceName) string {
	if ref.IsBranch() {
		return strings.TrimPrefix(ref.String(), "refs/heads/")
	}
	return ref.String()
}

// branch returns a branch's tip, or a failure naming the command that creates
// it. A branch with no commits does not exist, as far as git is concerned.
func (r *repo) branch(name string) (*object.Commit, error) {
	refName := plumbing.NewBranchReferenceName(name)
	ref, err := r.git.Storer.Reference(refName)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		if h, herr := r.head(); herr == nil && h.branch == name && h.commit == nil {
			return nil, noCommits(name)
		}
		f := &failure{out: runner.Failed("branch %s does not exist: create it with `git switch -c %s`", name, name), missing: true}
		f.out.Expected, f.out.Actual = "branch "+name, "no such branch"
		return nil, f
	}
	if err != nil {
		return nil, fmt.Errorf("reading branch %s: %w", name, err)
	}
	if ref.Type() == plumbing.SymbolicReference {
		ref, err = r.git.Reference(refName, true)
		if err != nil {
			return nil, fmt.Errorf("reading branch %s: %w", name, err)
		}
	}
	return r.peel(ref.Hash(), name)
}

// commit decodes a commit, once per attempt.
func (r *repo) commit(h plumbing.Hash) (*object.Commit, error) {
	r.mu.Lock()
	c, ok := r.commits[h]
	r.mu.Unlock()
	if ok {
		return c, nil
	}
	c, err := object.GetCommit(r.git.Storer, h)
	if err != nil {
		return nil, fmt.Errorf("commit %s: %w", h, err)
	}
	r.mu.Lock()
	r.commits[h] = c
	r.mu.Unlock()
	return c, nil
}

// peel follows annotated tags from h to the commit they name. what names h in
// messages.
func (r *repo) peel(h plumbing.Hash, what string) (*object.Commit, error) {
	r.mu.Lock()
	c, ok := r.commits[h]
	r.mu.Unlock()
	if ok {
		return c, nil
	}
	for range 16 {
		o, err := r.git.Storer.EncodedObject(plumbing.AnyObject, h)
		if err != nil {
			return nil, fmt.Errorf("%s (%s): %w", what, short(h), err)
		}
		switch o.Type() {
		case plumbing.CommitObject:
			return r.commit(h)
		case plumbing.TagObject:
			t, err := object.DecodeTag(r.git.Storer, o)
			if err != nil {
				return nil, fmt.Errorf("tag %s: %w", short(h), err)
			}
			h = t.Target
		default:
			return nil, fail("%s names a %s, not a commit", what, o.Type())
		}
	}
	return nil, fmt.Errorf("%s: tags nested too deeply", what)
}

// parents returns the parents a walk may follow: none past a shallow clone's
// boundary, whose parents are not in the repository.
func (r *repo) parents(c *object.Commit) []plumbing.Hash {
	if r.shallow[c.Hash] {
		return nil
	}
	return c.ParentHashes
}

// walk visits the commits reachable from tips, newest committer date first and
// each once, like git log. skip, when set, prunes a commit and its ancestry (it
// must only say yes to a set closed under ancestry, such as another commit's
// ancestry). visit returns true to stop the walk.
func (r *repo) walk(ctx context.Context, tips []plumbing.Hash, skip func(plumbing.Hash) bool, visit func(*object.Commit) (bool, error)) error {
	seen := map[plumbing.Hash]struct{}{}
	q := &byDate{}
	push := func(h plumbing.Hash) error {
		if _, ok := seen[h]; ok {
			return nil
		}
		seen[h] = struct{}{}
		if skip != nil && skip(h) {
			return nil
		}
		c, err := r.commit(h)
		if err != nil {
			return err
		}
		heap.Push(q, c)
		return nil
	}
	for _, t := range tips {
		if err := push(t); err != nil {
			return err
		}
	}
	for n := 0; q.Len() > 0; n++ {
		if n%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		c := heap.Pop(q).(*object.Commit)
		stop, err := visit(c)
		if err != nil || stop {
			return err
		}
		for _, p := range r.parents(c) {
			if err := push(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// byDate is a max-heap of commits by committer date, so walks meet recent
// commits first and searches that stop at the first match stop early.
type byDate []*object.Commit

func (q byDate) Len() int { return len(q) }
func (q byDate) Less(i, j int) bool {
	return q[i].Committer.When.After(q[j].Committer.When)
}
func (q byDate) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *byDate) Push(x any)   { *q = append(*q, x.(*object.Commit)) }
func (q *byDate) Pop() any {
	old := *q
	c := old[len(old)-1]
	*q = old[:len(old)-1]
	return c
}

// ancestry returns the commits reachable from h, h included. It is cached: the
// checks of an attempt often ask about the same base branch.
func (r *repo) ancestryOf(ctx context.Context, h plumbing.Hash) (map[plumbing.Hash]struct{}, error) {
	r.mu.Lock()
	set, ok := r.ancestry[h]
	r.mu.Unlock()
	if ok {
		return set, nil
	}
	set = map[plumbing.Hash]struct{}{}
	err := r.walk(ctx, []plumbing.Hash{h}, nil, func(c *object.Commit) (bool, error) {
		set[c.Hash] = struct{}{}
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.ancestry[h] = set
	r.mu.Unlock()
	return set, nil
}

// isAncestor reports whether a is b or one of b's ancestors. It stops as soon
// as it meets a, and uses a cached ancestry of b when an earlier check made one.
func (r *repo) isAncestor(ctx context.Context, a, b plumbing.Hash) (bool, error) {
	if a == b {
		return true, nil
	}
	r.mu.Lock()
	set, ok := r.ancestry[b]
	r.mu.Unlock()
	if ok {
		_, found := set[a]
		return found, nil
	}
	found := false
	err := r.walk(ctx, []plumbing.Hash{b}, nil, func(c *object.Commit) (bool, error) {
		found = c.Hash == a
		return found, nil
	})
	return found, err
}

// only returns the commits reachable from tip and not from base (git log
// base..tip), newest first. A zero base means the whole history of tip.
func (r *repo) only(ctx context.Context, tip, base plumbing.Hash) ([]*object.Commit, error) {
	var skip func(plumbing.Hash) bool
	if !base.IsZero() {
		set, err := r.ancestryOf(ctx, base)
		if err != nil {
			return nil, err
		}
		skip = func(h plumbing.Hash) bool { _, ok := set[h]; return ok }
	}
	var out []*object.Commit
	err := r.walk(ctx, []plumbing.Hash{tip}, skip, func(c *object.Commit) (bool, error) {
		out = append(out, c)
		return false, nil
	})
	return out, err
}

// branchTips lists the commits every branch points to, plus HEAD's, so that a
// `:/` search also sees a detached HEAD's history.
func (r *repo) branchTips() ([]plumbing.Hash, error) {
	refs, err := r.git.Storer.IterReferences()
	if err != nil {
		return nil, err
	}
	var tips []plumbing.Hash
	err = refs.ForEach(func(ref *plumbing.Reference) error {
		if !ref.Name().IsBranch() || ref.Type() != plumbing.HashReference {
			return nil
		}
		c, err := r.peel(ref.Hash(), ref.Name().String())
		if err != nil {
			return err
		}
		tips = append(tips, c.Hash)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if h, err := r.head(); err == nil && h.commit != nil {
		tips = append(tips, h.commit.Hash)
	}
	return tips, nil
}

// short is the 7-digit hash git prints.
func short(h plumbing.Hash) string { return h.String()[:7] }

// subject is a commit message's first line.
func subject(c *object.Commit) string {
	s, _, _ := strings.Cut(strings.TrimSpace(c.Message), "\n")
	return strings.TrimSpace(s)
}

// describe names a commit the way git log --oneline would, quoted.
func describe(c *object.Commit) string {
	return fmt.Sprintf("%s %q", short(c.Hash), subject(c))
}

// reflogEntry is one line of a reflog.
type reflogEntry struct {
	old, new plumbing.Hash
	message  string
}

// reflog reads .git/logs/<ref> directly: go-git has no reflog API. A missing
// log is an empty one (reflogs are optional).
func (r *repo) reflog(ref string) ([]reflogEntry, error) {
	b, err := readSmallFile(filepath.Join(r.commonDir(), "logs", filepath.FromSlash(ref)))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []reflogEntry
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		head, msg, _ := strings.Cut(line, "\t")
		f := strings.Fields(head)
		if len(f) < 2 {
			continue
		}
		out = append(out, reflogEntry{old: plumbing.NewHash(f[0]), new: plumbing.NewHash(f[1]), message: msg})
	}
	return out, sc.Err()
}

// commonDir is where refs and logs live: the main .git folder, even from a
// linked work tree.
func (r *repo) commonDir() string {
	b, err := readSmallFile(filepath.Join(r.gitDir, "commondir"))
	if err != nil {
		return r.gitDir
	}
	d := strings.TrimSpace(string(b))
	if !filepath.IsAbs(d) {
		d = filepath.Join(r.gitDir, d)
	}
	return d
}

// gitFileExists reports whether name exists in the .git folder. It does not
// follow a link: the marker's presence is all that matters.
func (r *repo) gitFileExists(name string) bool {
	_, err := os.Lstat(filepath.Join(r.gitDir, name))
	return err == nil
}

// openRemote opens a remote that is a local folder, once per attempt.
func (r *repo) openRemote(path string) (*repo, error) {
	r.mu.Lock()
	rr, ok := r.remotes[path]
	err := r.remoteErr[path]
	r.mu.Unlock()
	if ok || err != nil {
		return rr, err
	}
	rr, err = openRepo(path)
	r.mu.Lock()
	r.remotes[path], r.remoteErr[path] = rr, err
	r.mu.Unlock()
	return rr, err
}

// maxGitFile bounds what grader reads of .git's own files (reflogs, pointers).
const maxGitFile = 8 << 20

// readSmallFile reads a file that lives in or beside .git, where a learner
// could have planted anything: it must be a regular file (not a link to
// /dev/zero, not a FIFO that would block forever) and not huge.
func readSmallFile(name string) ([]byte, error) {
	fi, err := os.Lstat(name)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", name)
	}
	if fi.Size() > maxGitFile {
		return nil, fmt.Errorf("%s is too large (%d bytes)", name, fi.Size())
	}
	return os.ReadFile(name)
}
