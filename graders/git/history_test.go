package git

import (
	"os"
	"path/filepath"
	"testing"
)

func TestTree(t *testing.T) {
	// squashed is feature plus branch "squashed": main with feature's work in one commit.
	squashed := func(t *testing.T) *testRepo {
		return fixture(t, "squashed", func(r *testRepo) {
			buildStarter(r)
			r.git("switch", "-q", "-c", "feature/greeting")
			r.commit("Greet by name", "hello.txt", "hello, name\n")
			r.commit("Add farewell", "bye.txt", "bye\n", "docs/a.md", "a\n")
			r.git("switch", "-q", "-c", "squashed", "main")
			r.git("merge", "-q", "--squash", "feature/greeting")
			r.git("commit", "-q", "-m", "Greeting work")
		})
	}
	dir := func(t *testing.T) string { return squashed(t).dir }
	runCases(t, "git.tree", []kindCase{
		{"squash kept the work", dir, "{ref: squashed, same_as: feature/greeting}", pass()},
		{"different commits, same files", dir, "{ref: HEAD, same_as: ':/^Add farewell'}", pass()},
		{"a file lost", func(t *testing.T) string {
			r := squashed(t)
			r.git("rm", "-q", "bye.txt")
			r.git("commit", "-q", "--amend", "--no-edit")
			return r.dir
		}, "{ref: squashed, same_as: feature/greeting}",
			want{status: "fail", words: []string{"squashed does not have the same files as feature/greeting", "bye.txt (missing from squashed)", "`git diff feature/greeting squashed`"}, actual: "bye.txt"}},
		{"a file changed and one added", func(t *testing.T) string {
			r := squashed(t)
			r.write("hello.txt", "hello\n", "extra.txt", "x")
			r.git("add", "-A")
			r.git("commit", "-q", "--amend", "--no-edit")
			return r.dir
		}, "{ref: squashed, same_as: feature/greeting}",
			failWith("feature/greeting: extra.txt (only in squashed), hello.txt (changed)")},
		{"a mode changed", func(t *testing.T) string {
			r := squashed(t)
			os.Chmod(filepath.Join(r.dir, "bye.txt"), 0o755)
			r.git("commit", "-q", "-a", "--amend", "--no-edit")
			return r.dir
		}, "{ref: squashed, same_as: feature/greeting}", failWith("bye.txt (mode changed)")},
		{"only some paths compared", func(t *testing.T) string {
			r := squashed(t)
			r.commit("Unrelated", "README.md", "changed\n")
			return r.dir
		}, "{ref: squashed, same_as: feature/greeting, paths: [hello.txt, docs]}", pass()},
		{"a compared folder differs", func(t *testing.T) string {
			r := squashed(t)
			r.commit("Docs", "docs/b.md", "b\n")
			return r.dir
		}, "{ref: squashed, same_as: feature/greeting, paths: [hello.txt, docs]}", failWith("docs/b.md (only in squashed)")},
		{"a compared file gone", func(t *testing.T) string {
			r := squashed(t)
			r.git("rm", "-q", "hello.txt")
			r.git("commit", "-q", "-m", "rm")
			return r.dir
		}, "{ref: squashed, same_as: feature/greeting, paths: [hello.txt]}", failWith("hello.txt (missing from squashed)")},
		{"grader's folder does not count", func(t *testing.T) string {
			r := squashed(t)
			r.commit("Meta", ".grader/state", "x")
			return r.dir
		}, "{ref: squashed, same_as: feature/greeting}", pass()},
		{"ref missing", dir, "{ref: nosuch, same_as: main}", failWith("nosuch does not name")},
	})
}

func TestPicked(t *testing.T) {
	// fixes is main plus a branch "fixes" with a typo fix among other commits.
	fixes := func(t *testing.T) *testRepo {
		return fixture(t, "fixes", func(r *testRepo) {
			buildStarter(r)
			r.git("switch", "-q", "-c", "fixes")
			r.commit("Experiment", "exp.txt", "x\n")
			r.commit("Fix typo in readme", "README.md", "# Hello, world\n")
			r.commit("More experiments", "exp.txt", "y\n")
			r.git("switch", "-q", "main")
			r.commit("Main moves on", "main.txt", "m\n")
		})
	}
	dir := func(t *testing.T) string { return fixes(t).dir }
	with := "{onto: main, commit: ':/^Fix typo'}"
	runCases(t, "git.picked", []kindCase{
		{"cherry-picked", func(t *testing.T) string {
			r := fixes(t)
			r.git("cherry-pick", ":/^Fix typo")
			return r.dir
		}, with, pass("was picked onto main")},
		{"cherry-picked with -x, then more work", func(t *testing.T) string {
			r := fixes(t)
			r.git("cherry-pick", "-x", "fixes~1")
			r.commit("Later", "later.txt", "l\n")
			return r.dir
		}, "{onto: main, commit: fixes~1}", pass()},
		{"cherry-picked, named by a pattern the copy repeats", func(t *testing.T) string {
			r := fixes(t)
			r.git("cherry-pick", "fixes~1")
			return r.dir
		}, "{onto: main, commit: ':/typo'}", pass()},
		{"not picked", dir, with,
			want{status: "fail", words: []string{"no commit on main makes the change of", `"Fix typo in readme"`, "`git switch main`", "`git cherry-pick "}, actual: "none"}},
		{"merged instead", func(t *testing.T) string {
			r := fixes(t)
			r.git("merge", "-q", "fixes")
			return r.dir
		}, with, failWith("main has commit", "itself, not a copy", "merged", "`git cherry-pick ")},
		{"same files, different change", func(t *testing.T) string {
			r := fixes(t)
			r.commit("Fix typo differently", "README.md", "# Hello world\n")
			return r.dir
		}, with, failWith(`"Fix typo differently" on main changes the same files as`, "not in the same way")},
		{"wrong commit picked", func(t *testing.T) string {
			r := fixes(t)
			r.git("cherry-pick", ":/^Experiment")
			return r.dir
		}, with, failWith("no commit on main makes the change")},
		{"commit names nothing", dir, "{onto: main, commit: ':/^Nope'}", failWith("no commit on any branch")},
		{"onto missing", dir, "{onto: release, commit: fixes}", failWith("branch release does not exist")},
	})
}

func TestReverted(t *testing.T) {
	// buggy is starter plus "Add bug" (two files) and a later commit on main.
	buggy := func(t *testing.T) *testRepo {
		return fixture(t, "buggy", func(r *testRepo) {
			buildStarter(r)
			r.commit("Add bug", "hello.txt", "hello, bug\n", "bug.txt", "bug\n")
			r.commit("Unrelated work", "work.txt", "w\n")
		})
	}
	dir := func(t *testing.T) string { return buggy(t).dir }
	with := "{branch: main, commit: ':/^Add bug'}"
	runCases(t, "git.reverted", []kindCase{
		{"reverted", func(t *testing.T) string {
			r := buggy(t)
			r.git("revert", "--no-edit", ":/^Add bug")
			return r.dir
		}, with, pass("was reverted by")},
		{"reverted, then more work", func(t *testing.T) string {
			r := buggy(t)
			r.git("revert", "--no-edit", "HEAD~1")
			r.commit("After", "after.txt", "a\n")
			return r.dir
		}, with, pass()},
		{"undone by hand in one commit", func(t *testing.T) string {
			r := buggy(t)
			r.git("rm", "-q", "bug.txt")
			r.commit("Remove the bug", "hello.txt", "hello\n")
			return r.dir
		}, with, pass()},
		{"reverted, named by an unanchored pattern the revert repeats", func(t *testing.T) string {
			r := buggy(t)
			r.git("revert", "--no-edit", "HEAD~1")
			return r.dir
		}, "{branch: main, commit: ':/Add bug'}", pass()},
		{"not reverted", dir, with,
			want{status: "fail", words: []string{`the change of`, `"Add bug" is still on main`, "`git revert "}, actual: "none"}},
		{"partly undone", func(t *testing.T) string {
			r := buggy(t)
			r.commit("Fix greeting", "hello.txt", "hello\n")
			return r.dir
		}, with, failWith(`"Fix greeting" undoes only part of`, "bug.txt", "`git revert ")},
		{"reset away", func(t *testing.T) string {
			r := buggy(t)
			r.git("reset", "-q", "--hard", "HEAD~2")
			return r.dir
		}, with, failWith("no longer in main's history", "rewrote shared history", "`git reflog main`", "`git revert")},
		{"rebased away, kept on a branch", func(t *testing.T) string {
			r := buggy(t)
			r.git("branch", "backup")
			r.git("rebase", "-q", "--onto", "HEAD~2", "HEAD~1")
			return r.dir
		}, with, failWith(`"Add bug" is no longer in main's history`)},
		{"branch missing", dir, "{branch: release, commit: main}", failWith("branch release does not exist")},
	})
}
