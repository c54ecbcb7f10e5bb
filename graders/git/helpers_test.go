package git

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"go.yaml.in/yaml/v3"

	"github.com/backendroadmap/grader/runner"
)

// TestMain gives the tests (and the git they run) a home of their own, so a
// developer's ~/.gitconfig or global ignore file cannot change a result.
func TestMain(m *testing.M) {
	home, err := os.MkdirTemp("", "grader-git-home-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Setenv("HOME", home)
	os.Unsetenv("XDG_CONFIG_HOME")
	os.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	for _, v := range []string{"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_CONFIG_GLOBAL"} {
		os.Unsetenv(v)
	}
	// A global excludes file at git's default place, reached through a link as
	// dotfile managers make them.
	if err := os.MkdirAll(filepath.Join(home, ".config", "git"), 0o755); err == nil {
		os.WriteFile(filepath.Join(home, "dotfiles-ignore"), []byte("*.swp\n"), 0o644)
		os.Symlink(filepath.Join(home, "dotfiles-ignore"), filepath.Join(home, ".config", "git", "ignore"))
	}
	fixtureRoot = filepath.Join(home, "fixtures")
	code := m.Run()
	os.RemoveAll(home)
	os.Exit(code)
}

// clock hands out increasing commit dates, so that walks in date order are
// deterministic even when tests make many commits in one second.
var clock atomic.Int64

func nextDate() string {
	return fmt.Sprintf("@%d +0000", 1_700_000_000+clock.Add(60))
}

// testRepo is a repository in a temporary folder, driven by the real git CLI,
// as a learner would drive it.
type testRepo struct {
	t   testing.TB
	dir string
}

// newRepo makes an empty repository on branch main.
func newRepo(t *testing.T) *testRepo {
	t.Helper()
	r := &testRepo{t: t, dir: t.TempDir()}
	r.git("-c", "init.defaultBranch=main", "init", "-q")
	return r
}

// gitEnv is the environment for the git CLI: fixed identity, increasing dates.
func gitEnv() []string {
	d := nextDate()
	return append(os.Environ(),
		"GIT_AUTHOR_NAME=Ada Learner", "GIT_AUTHOR_EMAIL=ada@example.com", "GIT_AUTHOR_DATE="+d,
		"GIT_COMMITTER_NAME=Ada Learner", "GIT_COMMITTER_EMAIL=ada@example.com", "GIT_COMMITTER_DATE="+d,
		"GIT_EDITOR=true", "GIT_MERGE_AUTOEDIT=no", "GIT_TERMINAL_PROMPT=0",
	)
}

// tryGit runs git in the repository and returns its output and error: for
// commands expected to fail, like a conflicting merge.
func (r *testRepo) tryGit(args ...string) (string, error) {
	r.t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "advice.detachedHead=false", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = r.dir
	cmd.Env = gitEnv()
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// git runs git in the repository and fails the test if it fails.
func (r *testRepo) git(args ...string) string {
	r.t.Helper()
	out, err := r.tryGit(args...)
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// write writes files given as path, content pairs.
func (r *testRepo) write(pathsAndContents ...string) {
	r.t.Helper()
	for i := 0; i+1 < len(pathsAndContents); i += 2 {
		p := filepath.Join(r.dir, filepath.FromSlash(pathsAndContents[i]))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(pathsAndContents[i+1]), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
}

// commit writes files (path, content pairs), stages everything and commits,
// returning the new commit's hash.
func (r *testRepo) commit(msg string, pathsAndContents ...string) string {
	r.t.Helper()
	r.write(pathsAndContents...)
	r.git("add", "-A")
	r.git("commit", "-q", "--allow-empty", "-m", msg)
	return r.rev("HEAD")
}

// rev resolves a revision with git itself.
func (r *testRepo) rev(s string) string {
	r.t.Helper()
	return r.git("rev-parse", s)
}

// fixtureRoot holds repositories built once per test run.
var fixtureRoot string

var fixtures sync.Map // name → *fixtureEntry

type fixtureEntry struct {
	once sync.Once
	dir  string
	ok   bool
}

// fixture returns a private copy of a repository that build makes once per test
// run. Running git costs tens of milliseconds a call; copying a small
// repository costs far less, and many cases start from the same history.
func fixture(t testing.TB, name string, build func(r *testRepo)) *testRepo {
	t.Helper()
	e, _ := fixtures.LoadOrStore(name, &fixtureEntry{})
	fe := e.(*fixtureEntry)
	fe.once.Do(func() {
		dir := filepath.Join(fixtureRoot, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		r := &testRepo{t: t, dir: dir}
		r.git("-c", "init.defaultBranch=main", "init", "-q")
		build(r)
		fe.dir, fe.ok = dir, true
	})
	if !fe.ok {
		t.Fatalf("fixture %s could not be built", name)
	}
	dst := t.TempDir()
	if err := os.CopyFS(dst, os.DirFS(fe.dir)); err != nil {
		t.Fatal(err)
	}
	return &testRepo{t: t, dir: dst}
}

// buildStarter makes the history most exercises start from: two commits on main.
func buildStarter(r *testRepo) {
	r.commit("Initial commit", "README.md", "# Hello\n")
	r.commit("Add greeting", "hello.txt", "hello\n")
}

// starter is a copy of the starter history.
func starter(t testing.TB) *testRepo {
	t.Helper()
	return fixture(t, "starter", buildStarter)
}

// params builds runner.Params that decode a YAML snippet strictly, as the
// catalog loader does.
func params(src string) runner.Params {
	return runner.Params{Decode: func(v any) error {
		dec := yaml.NewDecoder(strings.NewReader(src))
		dec.KnownFields(true)
		if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		return nil
	}}
}

// compile compiles a kind with YAML parameters, failing the test on error.
func compile(t testing.TB, kind, src string) runner.Checker {
	t.Helper()
	k, ok := Kinds()[kind]
	if !ok {
		t.Fatalf("no kind %s", kind)
	}
	c, err := k.Compile(params(src))
	if err != nil {
		t.Fatalf("compile %s %q: %v", kind, src, err)
	}
	return c
}

// run compiles and runs one check against dir, with a fresh memo.
func run(t *testing.T, kind, src, dir string) runner.Outcome {
	t.Helper()
	return compile(t, kind, src).Check(t.Context(), runner.Attempt{Dir: dir, Memo: &runner.Memo{}})
}

// want is what a test expects of an outcome: a status and words the message
// must contain (a learner would notice if they went missing).
type want struct {
	status   runner.Status
	words    []string
	expected string   // when set, Outcome.Expected must contain it
	actual   string   // when set, Outcome.Actual must contain it
	lacks    []string // what the message, Expected and Actual must not say
}

func pass(words ...string) want { return want{status: runner.Pass, words: words} }
func failWith(words ...string) want {
	return want{status: runner.Fail, words: words}
}

// check asserts an outcome.
func (w want) check(t *testing.T, got runner.Outcome) {
	t.Helper()
	if got.Status != w.status {
		t.Fatalf("status = %s, want %s\nmessage: %s", got.Status, w.status, got.Message)
	}
	for _, word := range w.words {
		if !strings.Contains(got.Message, word) {
			t.Errorf("message lacks %q:\n%s", word, got.Message)
		}
	}
	if w.expected != "" && !strings.Contains(got.Expected, w.expected) {
		t.Errorf("Expected = %q, want it to contain %q", got.Expected, w.expected)
	}
	if w.actual != "" && !strings.Contains(got.Actual, w.actual) {
		t.Errorf("Actual = %q, want it to contain %q", got.Actual, w.actual)
	}
	for _, word := range w.lacks {
		if all := got.Message + "\n" + got.Expected + "\n" + got.Actual; strings.Contains(all, word) {
			t.Errorf("the outcome says %q, which it must not:\n%s", word, all)
		}
	}
}

// kindCase is one row of a kind's table: a repository, parameters, a verdict.
type kindCase struct {
	name  string
	setup func(t *testing.T) string // returns the attempt's folder
	with  string
	want  want
}

// runCases runs a table of cases against one kind.
func runCases(t *testing.T, kind string, cases []kindCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := tc.setup(t)
			got := run(t, kind, tc.with, dir)
			t.Logf("%s: %s", got.Status, got.Message)
			tc.want.check(t, got)
		})
	}
}

// builder makes repositories object by object with go-git, for histories that
// are tedious to produce with the CLI (many commits, exact shapes, dates).
type builder struct {
	t    *testing.T
	repo *gogit.Repository
	dir  string
	when time.Time
}

// newBuilder starts a repository in a temporary folder with go-git.
func newBuilder(t *testing.T) *builder {
	t.Helper()
	dir := t.TempDir()
	repo, err := gogit.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := repo.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, plumbing.NewBranchReferenceName("main"))); err != nil {
		t.Fatal(err)
	}
	return &builder{t: t, repo: repo, dir: dir, when: time.Unix(1_600_000_000, 0).UTC()}
}

// blob stores content and returns its hash.
func (b *builder) blob(content string) plumbing.Hash {
	b.t.Helper()
	o := b.repo.Storer.NewEncodedObject()
	o.SetType(plumbing.BlobObject)
	w, _ := o.Writer()
	io.WriteString(w, content)
	w.Close()
	h, err := b.repo.Storer.SetEncodedObject(o)
	if err != nil {
		b.t.Fatal(err)
	}
	return h
}

// tree stores a flat tree of files (name → content).
func (b *builder) tree(files map[string]string) plumbing.Hash {
	b.t.Helper()
	t := &object.Tree{}
	for name, content := range files {
		t.Entries = append(t.Entries, object.TreeEntry{Name: name, Mode: filemode.Regular, Hash: b.blob(content)})
	}
	sortEntries(t.Entries)
	o := b.repo.Storer.NewEncodedObject()
	if err := t.Encode(o); err != nil {
		b.t.Fatal(err)
	}
	h, err := b.repo.Storer.SetEncodedObject(o)
	if err != nil {
		b.t.Fatal(err)
	}
	return h
}

func sortEntries(es []object.TreeEntry) {
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && es[j].Name < es[j-1].Name; j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
}

// commit stores a commit of tree with parents, one minute after the last.
func (b *builder) commit(msg string, tree plumbing.Hash, parents ...plumbing.Hash) plumbing.Hash {
	b.t.Helper()
	b.when = b.when.Add(time.Minute)
	sig := object.Signature{Name: "Ada Learner", Email: "ada@example.com", When: b.when}
	c := &object.Commit{Author: sig, Committer: sig, Message: msg + "\n", TreeHash: tree, ParentHashes: parents}
	o := b.repo.Storer.NewEncodedObject()
	if err := c.Encode(o); err != nil {
		b.t.Fatal(err)
	}
	h, err := b.repo.Storer.SetEncodedObject(o)
	if err != nil {
		b.t.Fatal(err)
	}
	return h
}

// branch points a branch at a commit.
func (b *builder) branch(name string, h plumbing.Hash) {
	b.t.Helper()
	if err := b.repo.Storer.SetReference(plumbing.NewHashReference(plumbing.NewBranchReferenceName(name), h)); err != nil {
		b.t.Fatal(err)
	}
}

// conflicting is starter plus branches main and feature that change the same
// line of hello.txt differently, HEAD on main: merging either way conflicts.
func conflicting(t *testing.T) *testRepo {
	t.Helper()
	return fixture(t, "conflicting", func(r *testRepo) {
		buildStarter(r)
		r.git("switch", "-q", "-c", "feature")
		r.commit("Say hi", "hello.txt", "hi\n")
		r.git("switch", "-q", "main")
		r.commit("Say hey", "hello.txt", "hey\n")
	})
}
