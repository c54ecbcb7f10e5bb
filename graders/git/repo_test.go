package git

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backendroadmap/grader/runner"
)

// TestResolve compares revisions with what git rev-parse says.
func TestResolve(t *testing.T) {
	r := fixture(t, "revisions", func(r *testRepo) {
		buildStarter(r)
		r.git("tag", "-a", "v1.0", "-m", "Release")
		r.git("switch", "-q", "-c", "side")
		r.commit("Side work", "side.txt", "s\n")
		r.git("switch", "-q", "main")
		r.commit("Main work", "main.txt", "m\n")
		r.git("merge", "-q", "--no-ff", "side", "-m", "Merge side")
		r.git("update-ref", "refs/remotes/origin/main", "HEAD~1")
		r.git("branch", "cafe", "HEAD~2") // a branch whose name looks like a hash prefix
	})
	g, err := openRepo(r.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ rev, gitRev string }{
		{"main", "main"},
		{"HEAD", "HEAD"},
		{"@", "HEAD"},
		{"HEAD~1", "HEAD~1"},
		{"HEAD^", "HEAD^"},
		{"HEAD^2", "HEAD^2"},
		{"main^2~1", "main^2~1"},
		{"main^1~1", "main^1~1"},
		{"HEAD~", "HEAD~"},
		{"main^^", "main^^"},
		{"HEAD^0", "HEAD"},
		{"v1.0", "v1.0^{commit}"},
		{"refs/tags/v1.0~1", "v1.0~1"},
		{"heads/side", "side"},
		{"refs/heads/side", "side"},
		{"origin/main", "origin/main"},
		{"cafe", "refs/heads/cafe"},
		{r.rev("side")[:7], "side"},
		{r.rev("side"), "side"},
		{":/^Side", "side"},
		{":/work", "main~1"}, // the newest match
		{":/^Initial commit$", "main~3"},
		{"ORIG_HEAD", "ORIG_HEAD"},
	} {
		t.Run(tc.rev, func(t *testing.T) {
			v, err := parseRev("rev", tc.rev)
			if err != nil {
				t.Fatal(err)
			}
			c, err := g.resolve(t.Context(), v)
			if err != nil {
				t.Fatalf("resolve(%q): %v", tc.rev, err)
			}
			if want := r.rev(tc.gitRev); c.Hash.String() != want {
				t.Errorf("resolve(%q) = %s, git says %s", tc.rev, c.Hash, want)
			}
		})
	}
	for _, missing := range []string{"nosuch", "HEAD~10", "HEAD^3", ":/^No such", "0000000", "v2.0~1"} {
		t.Run("missing "+missing, func(t *testing.T) {
			v, _ := parseRev("rev", missing)
			_, err := g.resolve(t.Context(), v)
			if !isMissing(err) {
				t.Errorf("resolve(%q) error = %v, want a missing-revision failure", missing, err)
			}
		})
	}
}

func TestCorruptRepository(t *testing.T) {
	// Truncating the loose object of HEAD's commit makes it unreadable.
	truncated := func(t *testing.T) string {
		r := starter(t)
		h := r.rev("HEAD")
		p := filepath.Join(r.dir, ".git", "objects", h[:2], h[2:])
		if err := os.Chmod(p, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x\x9c"), 0o644); err != nil {
			t.Fatal(err)
		}
		return r.dir
	}
	for _, tc := range []struct{ kind, with string }{
		{"git.head", "branch: main"},
		{"git.commits", "count: 2"},
		{"git.branch", "{branch: main, contains: ':/Initial'}"},
		{"git.file", "path: hello.txt"},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			failWith("could not read the repository").check(t, run(t, tc.kind, tc.with, truncated(t)))
		})
	}
	t.Run("garbage branch ref", func(t *testing.T) {
		r := starter(t)
		if err := os.WriteFile(filepath.Join(r.dir, ".git", "refs", "heads", "main"), []byte("not a hash\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		got := run(t, "git.branch", "branch: main", r.dir)
		if got.Status != runner.Fail {
			t.Fatalf("status = %s (%s), want fail", got.Status, got.Message)
		}
	})
	t.Run("missing HEAD", func(t *testing.T) {
		r := starter(t)
		os.Remove(filepath.Join(r.dir, ".git", "HEAD"))
		failWith("could not read the repository", "no HEAD").check(t, run(t, "git.head", "branch: main", r.dir))
	})
	t.Run("missing objects folder", func(t *testing.T) {
		r := starter(t)
		os.RemoveAll(filepath.Join(r.dir, ".git", "objects"))
		failWith("could not read the repository").check(t, run(t, "git.head", "branch: main", r.dir))
	})
}

// TestMemoOpensOnce checks that the checks of one attempt share one opened
// repository.
func TestMemoOpensOnce(t *testing.T) {
	r := feature(t)
	a := runner.Attempt{Dir: r.dir, Memo: &runner.Memo{}}
	for _, c := range []struct{ kind, with string }{
		{"git.head", "branch: feature/greeting"},
		{"git.branch", "{branch: feature/greeting, ahead_of: main}"},
		{"git.commits", "{base: main, count: 2}"},
	} {
		if got := compile(t, c.kind, c.with).Check(t.Context(), a); got.Status != runner.Pass {
			t.Fatalf("%s: %s %s", c.kind, got.Status, got.Message)
		}
	}
	v, err := a.Memo.Do(repoKey{r.dir}, func() (any, error) {
		t.Error("the repository was not memoised")
		return nil, nil
	})
	if err != nil || v.(*repo).dir != r.dir {
		t.Errorf("memo holds %v, %v", v, err)
	}
	// The cached ancestry of main served the second walk.
	if len(v.(*repo).ancestry) == 0 {
		t.Error("no ancestry was cached")
	}
}

func TestCancelledContext(t *testing.T) {
	r := feature(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	got := compile(t, "git.commits", "count: 4").Check(ctx, runner.Attempt{Dir: r.dir})
	if got.Status != runner.Error {
		t.Errorf("status = %s (%s), want error: a cancelled check is not the learner's failure", got.Status, got.Message)
	}
}

// TestShallowClone grades a depth-1 clone, as CI checks submissions out.
func TestShallowClone(t *testing.T) {
	r := feature(t)
	c := &testRepo{t: t, dir: t.TempDir()}
	c.git("clone", "-q", "--depth", "1", "--branch", "feature/greeting", "file://"+r.dir, "clone")
	c.dir = filepath.Join(c.dir, "clone")
	pass("1 commit").check(t, run(t, "git.commits", "count: 1", c.dir))
	pass().check(t, run(t, "git.ancestor", "{ancestor: ':/^Initial', of: HEAD, negate: true}", c.dir))
	pass().check(t, run(t, "git.file", "{path: bye.txt, content: bye}", c.dir))
}

// TestLinkedWorktree grades a work tree made by git worktree add, whose .git
// is a file pointing into the main repository.
func TestLinkedWorktree(t *testing.T) {
	r := feature(t)
	wt := filepath.Join(t.TempDir(), "wt")
	r.git("worktree", "add", "-q", "-b", "hotfix", wt, "main")
	w := &testRepo{t: t, dir: wt}
	w.commit("Hotfix", "fix.txt", "x\n")
	w.write("fix.txt", "y\n")
	w.git("stash", "push", "-q", "-m", "wip fix")
	pass().check(t, run(t, "git.head", "branch: hotfix", wt))
	pass().check(t, run(t, "git.branch", "{branch: hotfix, ahead_of: main, max_ahead: 1}", wt))
	pass().check(t, run(t, "git.clean", "", wt))
	pass().check(t, run(t, "git.stash", "{count: 1, message: 'wip fix'}", wt))
	pass().check(t, run(t, "git.in-progress", "", wt))
	w.write("fix.txt", "z\n")
	failWith("fix.txt (modified)").check(t, run(t, "git.clean", "", wt))
}

// TestDetachedHeadReads checks that kinds reading HEAD work on a detached one.
func TestDetachedHeadReads(t *testing.T) {
	r := feature(t)
	r.git("switch", "--detach", "HEAD~1")
	pass().check(t, run(t, "git.file", "{path: hello.txt, content: 'hello, name'}", r.dir))
	pass().check(t, run(t, "git.commits", "count: 3", r.dir))
	got := run(t, "git.file", "{path: bye.txt}", r.dir)
	if got.Status != runner.Fail || !strings.Contains(got.Message, "bye.txt does not exist") {
		t.Errorf("got %s %q", got.Status, got.Message)
	}
}
