package git

import (
	"strings"
	"testing"
)

func TestMerge(t *testing.T) {
	// diverged is feature plus a commit on main, so a merge cannot fast-forward.
	diverged := func(t *testing.T) *testRepo {
		return fixture(t, "diverged", func(r *testRepo) {
			buildStarter(r)
			r.git("switch", "-q", "-c", "feature/greeting")
			r.commit("Greet by name", "hello.txt", "hello, name\n")
			r.commit("Add farewell", "bye.txt", "bye\n")
			r.git("switch", "-q", "main")
			r.commit("Update readme", "README.md", "# Hello there\n")
		})
	}
	with := "{into: main, from: feature/greeting}"
	runCases(t, "git.merge", []kindCase{
		{"merge commit", func(t *testing.T) string {
			r := feature(t)
			r.git("switch", "-q", "main")
			r.git("merge", "-q", "--no-ff", "feature/greeting", "-m", "Merge feature/greeting")
			return r.dir
		}, with, pass("merged into main")},
		{"merge commit after diverging, then more work", func(t *testing.T) string {
			r := diverged(t)
			r.git("merge", "-q", "feature/greeting")
			r.commit("Later work on main", "later.txt", "x\n")
			return r.dir
		}, with, pass()},
		{"a starter commit named by message", func(t *testing.T) string {
			r := diverged(t)
			r.git("merge", "-q", "feature/greeting")
			return r.dir
		}, "{into: main, from: ':/^Greet by name'}", pass()},
		{"fast-forward", func(t *testing.T) string {
			r := feature(t)
			r.git("switch", "-q", "main")
			r.git("merge", "-q", "feature/greeting")
			return r.dir
		}, with, failWith("there is no merge commit", "main was fast-forwarded to feature/greeting",
			"`git switch main` and `git reset --hard ", "`git merge --no-ff feature/greeting`")},
		{"fast-forward, then more commits", func(t *testing.T) string {
			r := feature(t)
			r.git("switch", "-q", "main")
			r.git("merge", "-q", "feature/greeting")
			r.commit("More", "more.txt", "x\n")
			return r.dir
		}, with, failWith("fast-forwarded", "`git reflog main`", "`git merge --no-ff feature/greeting`")},
		{"merged the other way round, then fast-forwarded", func(t *testing.T) string {
			r := diverged(t)
			r.git("switch", "-q", "feature/greeting")
			r.git("merge", "-q", "main")
			r.git("switch", "-q", "main")
			r.git("merge", "-q", "feature/greeting")
			return r.dir
		}, with, failWith("fast-forwarded")},
		{"fast-forward, then an unrelated merge that contains it", func(t *testing.T) string {
			r := feature(t)
			r.git("switch", "-q", "main")
			r.git("merge", "-q", "feature/greeting")
			r.git("switch", "-q", "-c", "other")
			r.commit("Other work", "other.txt", "o\n")
			r.git("switch", "-q", "main")
			r.commit("Main work", "main.txt", "m\n")
			r.git("merge", "-q", "--no-ff", "other")
			return r.dir
		}, with, failWith("there is no merge commit", "fast-forwarded")},
		{"not merged", func(t *testing.T) string { return diverged(t).dir }, with,
			want{status: "fail", words: []string{"feature/greeting is not merged into main", `"Add farewell"`, "`git merge --no-ff feature/greeting`"}, actual: "not merged"}},
		{"new commits on the branch since the merge", func(t *testing.T) string {
			r := diverged(t)
			r.git("merge", "-q", "feature/greeting")
			r.git("switch", "-q", "feature/greeting")
			r.commit("Afterthought", "after.txt", "x\n")
			return r.dir
		}, with, failWith("not merged into main", `"Afterthought"`)},
		{"merge under way", func(t *testing.T) string {
			r := conflicting(t)
			if _, err := r.tryGit("merge", "feature"); err == nil {
				t.Fatal("merge did not conflict")
			}
			return r.dir
		}, "{into: main, from: feature}", failWith("a merge is under way", "`git merge --continue`")},
		{"message matches", func(t *testing.T) string {
			r := diverged(t)
			r.git("merge", "-q", "feature/greeting", "-m", "Merge greeting work")
			return r.dir
		}, "{into: main, from: feature/greeting, message: '^Merge greeting'}", pass()},
		{"message does not match", func(t *testing.T) string {
			r := diverged(t)
			r.git("merge", "-q", "feature/greeting", "-m", "stuff")
			return r.dir
		}, "{into: main, from: feature/greeting, message: '^Merge greeting'}",
			want{status: "fail", words: []string{"does not match", "^Merge greeting", "`git commit --amend`"}, actual: "stuff"}},
		{"into missing", func(t *testing.T) string { return feature(t).dir }, "{into: release, from: feature/greeting}",
			failWith("branch release does not exist")},
		{"from missing", func(t *testing.T) string { return feature(t).dir }, "{into: main, from: nosuch}",
			failWith("nosuch does not name")},
	})
}

// TestMergeFastForwardNamesTheOldTip checks that the undo command points where
// main really was, read from its reflog.
func TestMergeFastForwardNamesTheOldTip(t *testing.T) {
	r := feature(t)
	r.git("switch", "-q", "main")
	before := r.rev("main")
	r.git("merge", "-q", "feature/greeting")
	got := run(t, "git.merge", "{into: main, from: feature/greeting}", r.dir)
	failWith("`git reset --hard "+before[:7]+"`").check(t, got)
	// Following the advice must make the check pass.
	r.git("reset", "-q", "--hard", before[:7])
	r.git("merge", "-q", "--no-ff", "feature/greeting")
	pass().check(t, run(t, "git.merge", "{into: main, from: feature/greeting}", r.dir))
}

// TestMergeDeepSideBranch uses a hand-built graph: the merge's second parent is
// a descendant of from, not from itself, and the first-parent chain is long.
func TestMergeDeepSideBranch(t *testing.T) {
	b := newBuilder(t)
	tree := b.tree(map[string]string{"a.txt": "a"})
	root := b.commit("root", tree)
	from := b.commit("the work", b.tree(map[string]string{"a.txt": "b"}), root)
	side := b.commit("more work", b.tree(map[string]string{"a.txt": "c"}), from)
	main := root
	for i := range 50 {
		main = b.commit("main "+strings.Repeat("x", i%3), tree, main)
	}
	merge := b.commit("Merge side", tree, main, side)
	for range 20 {
		merge = b.commit("after", tree, merge)
	}
	b.branch("main", merge)
	b.branch("side", side)
	b.branch("from", from)
	pass().check(t, run(t, "git.merge", "{into: main, from: from}", b.dir))
	// The side branch merged into a branch that main never merged is not enough.
	other := b.commit("Merge into other", tree, root, side)
	b.branch("other", other)
	b.branch("main", main)
	failWith("from is not merged into main").check(t, run(t, "git.merge", "{into: main, from: from}", b.dir))
}
