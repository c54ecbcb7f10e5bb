package exercises_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/backendroadmap/grader/exercises"
	"github.com/backendroadmap/grader/graders/git"
)

// writeExercise writes exercise id (gitSpec) into folder dir/id.
func writeExercise(t *testing.T, dir, id string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, id), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{"exercise.yaml": gitSpec(id), "instructions.md": "# " + id + "\n"} {
		if err := os.WriteFile(filepath.Join(dir, id, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// commitExercise adds exercise id to the repository at dir and commits it.
func commitExercise(t *testing.T, dir, id string) {
	t.Helper()
	writeExercise(t, dir, id)
	MustGit(t, dir, "add", "-A")
	MustGit(t, dir, "commit", "-q", "-m", "Add "+id)
}

// catalogRepo is a catalog in a git repository, built with the git CLI.
type catalogRepo struct {
	dir string
	url string
	// commits by what they hold: main1 (git-a, tagged v1), next (git-a,
	// git-b, on branch next), main2 (git-a, git-c).
	main1, next, main2 string
}

func newCatalogRepo(t *testing.T) *catalogRepo {
	t.Helper()
	isolateGit(t)
	r := &catalogRepo{dir: t.TempDir()}
	r.url = "file://" + filepath.Join(r.dir, ".git")
	MustGit(t, r.dir, "init", "-q", "-b", "main")
	commitExercise(t, r.dir, "git-a")
	MustGit(t, r.dir, "tag", "-a", "-m", "version 1", "v1")
	MustGit(t, r.dir, "switch", "-q", "-c", "next")
	commitExercise(t, r.dir, "git-b")
	MustGit(t, r.dir, "switch", "-q", "main")
	commitExercise(t, r.dir, "git-c")
	hashes := strings.Fields(MustGit(t, r.dir, "rev-parse", "v1^{commit}", "next", "main"))
	if len(hashes) != 3 {
		t.Fatalf("rev-parse printed %q", hashes)
	}
	r.main1, r.next, r.main2 = hashes[0], hashes[1], hashes[2]
	return r
}

func TestOpenEmbedded(t *testing.T) {
	c, err := exercises.Open(t.Context(), exercises.Source{}, git.Kinds())
	if err != nil {
		t.Fatal(err)
	}
	want := MustCatalog(t, exercises.Embedded()).IDs()
	if c.Name != exercises.EmbeddedName || !slices.Equal(c.IDs(), want) || !slices.Contains(want, "git-branching") {
		t.Errorf("Open(\"\") = %s with %v, want the embedded catalog %v", c.Name, c.IDs(), want)
	}
}

func TestOpenFolder(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "my-catalog")
	writeExercise(t, filepath.Join(dir, "git"), "git-a")
	writeExercise(t, dir, "git-b")
	c, err := exercises.Open(t.Context(), exercises.Source{Spec: dir}, git.Kinds())
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != dir || !slices.Equal(c.IDs(), []string{"git-a", "git-b"}) {
		t.Errorf("Open(folder) = %s with %v", c.Name, c.IDs())
	}
	MustExercise(t, c, "git-a")

	t.Chdir(parent)
	c, err = exercises.Open(t.Context(), exercises.Source{Spec: "my-catalog"}, git.Kinds())
	if err != nil || c.Name != "my-catalog" || len(c.IDs()) != 2 {
		t.Errorf("Open(relative folder) = %v, %v", c, err)
	}
}

func TestOpenBadSource(t *testing.T) {
	dir := t.TempDir()
	writeExercise(t, dir, "git-a")
	file := filepath.Join(dir, "git-a", "exercise.yaml")
	tests := []struct {
		name, spec string
		want       string
	}{
		{"a folder with a ref", dir + "#main", "is a folder, so #main cannot select a commit"},
		{"a missing folder", filepath.Join(dir, "missing"), "is neither a folder nor a git URL"},
		{"a relative name", "no-such-catalog", "is neither a folder nor a git URL"},
		{"a file", file, "is neither a folder nor a git URL"},
		{"a URL without a scheme", "github.com/backendroadmap/catalog", "is neither a folder nor a git URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := exercises.Open(t.Context(), exercises.Source{Spec: tt.spec, CacheDir: t.TempDir()}, git.Kinds())
			if !errors.Is(err, exercises.ErrBadSource) || errors.Is(err, exercises.ErrCatalog) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open(%q) = %v, %v; want ErrBadSource saying %q", tt.spec, c, err, tt.want)
			}
		})
	}
}

// TestOpenGit builds one catalog repository (the git CLI is slow to start) and
// opens it in every way a user can name it.
func TestOpenGit(t *testing.T) {
	r := newCatalogRepo(t)
	bare := filepath.Join(t.TempDir(), "catalog.git")
	MustGit(t, r.dir, "clone", "-q", "--bare", r.dir, bare)
	tests := []struct {
		name, spec string
		commit     string
		ids        []string
	}{
		{"default branch", r.url, r.main2, []string{"git-a", "git-c"}},
		{"branch", r.url + "#next", r.next, []string{"git-a", "git-b"}},
		{"tag", r.url + "#v1", r.main1, []string{"git-a"}},
		{"commit", r.url + "#" + r.next, r.next, []string{"git-a", "git-b"}},
		{"short commit", r.url + "#" + r.main1[:10], r.main1, []string{"git-a"}},
		{"bare repository folder", bare + "#main", r.main2, []string{"git-a", "git-c"}},
		{"bare repository URL", "file://" + bare + "#v1", r.main1, []string{"git-a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := exercises.Open(t.Context(), exercises.Source{Spec: tt.spec, CacheDir: t.TempDir()}, git.Kinds())
			if err != nil {
				t.Fatal(err)
			}
			url, _, _ := strings.Cut(tt.spec, "#")
			if want := url + "@" + tt.commit[:12]; c.Name != want {
				t.Errorf("Name = %q, want %q", c.Name, want)
			}
			if !slices.Equal(c.IDs(), tt.ids) {
				t.Errorf("IDs() = %v, want %v", c.IDs(), tt.ids)
			}
			MustExercise(t, c, tt.ids[0])
		})
	}

	t.Run("unknown ref", func(t *testing.T) {
		cache := t.TempDir()
		for _, ref := range []string{"nope", "v9", "0123456789abcdef0123456789abcdef01234567"} {
			c, err := exercises.Open(t.Context(), exercises.Source{Spec: r.url + "#" + ref, CacheDir: cache}, git.Kinds())
			if !errors.Is(err, exercises.ErrBadSource) || !strings.Contains(err.Error(), `has no branch, tag or commit "`+ref+`"`) {
				t.Errorf("#%s: Open = %v, %v; want ErrBadSource naming the ref", ref, c, err)
			}
		}
		assertNoLeftovers(t, cache)
	})

	t.Run("cached and pinned", func(t *testing.T) {
		// A copy of the repository, since this changes it.
		up := t.TempDir()
		if err := os.CopyFS(up, os.DirFS(r.dir)); err != nil {
			t.Fatal(err)
		}
		url := "file://" + filepath.Join(up, ".git")
		src := exercises.Source{Spec: url + "#main", CacheDir: t.TempDir()}
		open := func(refresh bool) *exercises.Catalog {
			t.Helper()
			s := src
			s.Refresh = refresh
			c, err := exercises.Open(t.Context(), s, git.Kinds())
			if err != nil {
				t.Fatalf("Open(refresh=%v): %v", refresh, err)
			}
			return c
		}
		assert := func(c *exercises.Catalog, commit string, ids ...string) {
			t.Helper()
			if c.Name != url+"@"+commit[:12] || !slices.Equal(c.IDs(), ids) {
				t.Errorf("catalog %s with %v, want commit %.12s with %v", c.Name, c.IDs(), commit, ids)
			}
		}
		assert(open(false), r.main2, "git-a", "git-c")

		commitExercise(t, up, "git-d")
		newer := MustGit(t, up, "rev-parse", "HEAD")
		assert(open(false), r.main2, "git-a", "git-c")
		assert(open(true), newer, "git-a", "git-c", "git-d")
		assert(open(false), newer, "git-a", "git-c", "git-d")

		// The pinned clone serves without the upstream, and a refresh that
		// cannot reach it leaves the pin as it was.
		if err := os.RemoveAll(up); err != nil {
			t.Fatal(err)
		}
		assert(open(false), newer, "git-a", "git-c", "git-d")
		s := src
		s.Refresh = true
		if _, err := exercises.Open(t.Context(), s, git.Kinds()); !errors.Is(err, exercises.ErrCatalog) {
			t.Errorf("refreshing from a vanished upstream: %v, want ErrCatalog", err)
		}
		assert(open(false), newer, "git-a", "git-c", "git-d")
		assertNoLeftovers(t, src.CacheDir)
	})
}

// assertNoLeftovers checks that the cache holds only finished clones.
func assertNoLeftovers(t *testing.T, cache string) {
	t.Helper()
	entries, _ := os.ReadDir(filepath.Join(cache, "catalogs"))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") || strings.HasSuffix(e.Name(), ".old") {
			t.Errorf("the cache holds a leftover %s", e.Name())
		}
	}
}

func TestOpenGitUnreachable(t *testing.T) {
	tests := []struct {
		name string
		src  exercises.Source
	}{
		{"no repository there", exercises.Source{Spec: "file://" + filepath.Join(t.TempDir(), "missing.git"), CacheDir: t.TempDir()}},
		{"nothing listening", exercises.Source{Spec: "http://127.0.0.1:1/catalog.git", CacheDir: t.TempDir()}},
		{"no cache folder", exercises.Source{Spec: "file:///srv/catalog.git"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := exercises.Open(t.Context(), tt.src, git.Kinds())
			if !errors.Is(err, exercises.ErrCatalog) || errors.Is(err, exercises.ErrBadSource) {
				t.Errorf("Open = %v, %v; want ErrCatalog", c, err)
			}
			if tt.src.CacheDir != "" {
				assertNoLeftovers(t, tt.src.CacheDir)
			}
		})
	}
}

// learnerRemote is a learner's repository pushed to a bare remote made with
// plain `git init --bare`, whose HEAD names master though only main and
// feature were pushed, with an annotated and a lightweight tag.
func learnerRemote(t *testing.T) (work, bare string) {
	t.Helper()
	isolateGit(t)
	work, bare = t.TempDir(), filepath.Join(t.TempDir(), "learner.git")
	MustGit(t, work, "init", "-q", "-b", "main")
	commitExercise(t, work, "git-a")
	MustGit(t, work, "switch", "-q", "-c", "feature")
	commitExercise(t, work, "git-b")
	MustGit(t, work, "tag", "light")
	MustGit(t, work, "switch", "-q", "main")
	commitExercise(t, work, "git-c")
	MustGit(t, work, "tag", "-a", "-m", "done", "v1")
	MustGit(t, work, "init", "-q", "--bare", bare)
	MustGit(t, work, "push", "-q", bare, "main", "feature", "--tags")
	return work, bare
}

func TestFetchSubmission(t *testing.T) {
	work, bare := learnerRemote(t)
	tests := []struct {
		name  string
		setup func(t *testing.T, bare string) // changes the copy of the remote
		head  string
	}{
		// `git init --bare` names master; only main was pushed.
		{"the remote's HEAD names a missing branch", func(t *testing.T, bare string) {
			if got := MustGit(t, bare, "symbolic-ref", "HEAD"); got != "refs/heads/master" {
				t.Fatalf("the bare remote's HEAD is %s: the test needs it to name a missing branch", got)
			}
		}, "main"},
		{"the remote's HEAD names a branch", func(t *testing.T, bare string) {
			MustGit(t, bare, "symbolic-ref", "HEAD", "refs/heads/feature")
		}, "feature"},
		// With no usable HEAD, no main and no master, any branch will do: the
		// first.
		{"no main or master", func(t *testing.T, bare string) {
			MustGit(t, bare, "branch", "-m", "main", "trunk")
		}, "feature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			remote := filepath.Join(t.TempDir(), "learner.git")
			if err := os.CopyFS(remote, os.DirFS(bare)); err != nil {
				t.Fatal(err)
			}
			tt.setup(t, remote)
			dir := filepath.Join(t.TempDir(), "submission")
			if err := exercises.FetchSubmission(t.Context(), "file://"+remote, dir); err != nil {
				t.Fatal(err)
			}
			assertSubmission(t, remote, dir, tt.head)
			// The learner's own repository, for comparison with the remote.
			if got, want := MustGit(t, dir, "rev-parse", "feature", "v1^{commit}"), MustGit(t, work, "rev-parse", "feature", "v1^{commit}"); got != want {
				t.Errorf("feature and v1 at\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// assertSubmission checks that dir holds every branch and tag of the remote,
// with the same commits, checked out on head and clean.
func assertSubmission(t *testing.T, remote, dir, head string) {
	t.Helper()
	refs := func(dir string) string {
		return MustGit(t, dir, "for-each-ref", "--format=%(objectname) %(refname)", "refs/heads", "refs/tags")
	}
	if got, want := refs(dir), refs(remote); got != want {
		t.Errorf("refs in the submission:\n%s\nwant the remote's:\n%s", got, want)
	}
	if got := MustGit(t, dir, "symbolic-ref", "HEAD"); got != "refs/heads/"+head {
		t.Errorf("HEAD = %s, want refs/heads/%s", got, head)
	}
	if got := MustGit(t, dir, "status", "--porcelain", "--untracked-files=all"); got != "" {
		t.Errorf("the checkout is not clean:\n%s", got)
	}
	if got, want := MustGit(t, dir, "ls-files"), MustGit(t, remote, "ls-tree", "-r", "--name-only", head); got != want {
		t.Errorf("files checked out:\n%s\nwant %s's:\n%s", got, head, want)
	}
}

func TestFetchSubmissionEmptyRemote(t *testing.T) {
	isolateGit(t)
	bare := t.TempDir()
	MustGit(t, bare, "init", "-q", "--bare")
	err := exercises.FetchSubmission(t.Context(), "file://"+bare, t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "has no branches") || !strings.Contains(err.Error(), bare) {
		t.Errorf("FetchSubmission(empty) = %v, want an error naming it and saying it has no branches", err)
	}
	err = exercises.FetchSubmission(t.Context(), "file://"+filepath.Join(bare, "missing"), t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "cloning submission") {
		t.Errorf("FetchSubmission(missing) = %v, want an error", err)
	}
}

func TestIsRemote(t *testing.T) {
	isolateGit(t)
	bare := t.TempDir()
	MustGit(t, bare, "init", "-q", "--bare")
	for s, want := range map[string]bool{
		"https://github.com/learner/repo.git": true,
		"ssh://git@github.com/learner/repo":   true,
		"git@github.com:learner/repo.git":     true,
		"file:///srv/git/repo.git":            true,
		bare:                                  true,
		t.TempDir():                           false,
		"submissions/ada":                     false,
		"C:/work/repo":                        false,
	} {
		if got := exercises.IsRemote(s); got != want {
			t.Errorf("IsRemote(%q) = %v, want %v", s, got, want)
		}
	}
}
