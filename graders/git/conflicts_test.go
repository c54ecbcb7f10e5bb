package git

import (
	"os"
	"path/filepath"
	"testing"
)

// merging is conflicting with `git merge feature` stopped on the conflict.
func merging(t *testing.T) *testRepo {
	t.Helper()
	r := conflicting(t)
	if _, err := r.tryGit("merge", "feature"); err == nil {
		t.Fatal("merge did not conflict")
	}
	return r
}

func TestConflicts(t *testing.T) {
	runCases(t, "git.conflicts", []kindCase{
		{"none", func(t *testing.T) string { return conflicting(t).dir }, "", pass()},
		{"markers and unmerged entry", func(t *testing.T) string { return merging(t).dir }, "",
			want{status: "fail", words: []string{"conflict markers are still in the files: hello.txt:1, hello.txt:3, hello.txt:5", "`git add`"}, actual: "hello.txt:1"}},
		{"markers removed but not added", func(t *testing.T) string {
			r := merging(t)
			r.write("hello.txt", "hi\n")
			return r.dir
		}, "", failWith("git still marks hello.txt as conflicted", "`git add hello.txt`")},
		{"resolved and added", func(t *testing.T) string {
			r := merging(t)
			r.write("hello.txt", "hi\n")
			r.git("add", "hello.txt")
			return r.dir
		}, "", pass()},
		{"markers committed", func(t *testing.T) string {
			r := merging(t)
			r.git("commit", "-q", "-a", "--no-edit")
			return r.dir
		}, "", failWith("hello.txt:1")},
		{"a lone separator still counts", func(t *testing.T) string {
			r := starter(t)
			r.commit("Half resolved", "app.go", "package app\n\n=======\nfunc main() {}\n")
			return r.dir
		}, "", failWith("app.go:3")},
		{"lookalikes are not markers", func(t *testing.T) string {
			r := starter(t)
			r.commit("Docs", "doc.md", "Title\n========\n<<<<<<<<< not a marker\n=======x\n")
			return r.dir
		}, "", pass()},
		{"paths narrow the check", func(t *testing.T) string {
			r := merging(t)
			r.write("hello.txt", "hi\n")
			r.git("add", "hello.txt")
			r.commit("Merge", "docs/old.md", "<<<<<<< HEAD\n")
			return r.dir
		}, "paths: ['*.txt', src]", pass()},
		{"paths match folders", func(t *testing.T) string {
			r := starter(t)
			r.commit("Bad", "docs/old.md", ">>>>>>> feature\n")
			return r.dir
		}, "paths: [docs]", failWith("docs/old.md:1")},
		{"binary files are skipped", func(t *testing.T) string {
			r := starter(t)
			r.commit("Binary", "img.bin", "\x00\x01<<<<<<< HEAD\n")
			return r.dir
		}, "", pass()},
		{"grader's folder is skipped", func(t *testing.T) string {
			r := starter(t)
			r.commit("Meta", ".grader/x.txt", "=======\n")
			return r.dir
		}, "", pass()},
		{"deleted tracked file", func(t *testing.T) string {
			r := starter(t)
			os.Remove(filepath.Join(r.dir, "hello.txt"))
			return r.dir
		}, "", pass()},
	})
}

func TestInProgress(t *testing.T) {
	runCases(t, "git.in-progress", []kindCase{
		{"nothing", func(t *testing.T) string { return conflicting(t).dir }, "", pass()},
		{"merge", func(t *testing.T) string { return merging(t).dir }, "",
			want{status: "fail", words: []string{"a merge is still under way", "`git merge --continue`", "`git merge --abort`"}, actual: "a merge"}},
		{"merge finished", func(t *testing.T) string {
			r := merging(t)
			r.write("hello.txt", "hi\n")
			r.git("commit", "-q", "-a", "--no-edit")
			return r.dir
		}, "", pass()},
		{"rebase", func(t *testing.T) string {
			r := conflicting(t)
			r.tryGit("rebase", "feature")
			return r.dir
		}, "", failWith("a rebase is still under way", "`git rebase --continue`", "`git rebase --abort`")},
		{"rebase, apply backend", func(t *testing.T) string {
			r := conflicting(t)
			r.tryGit("rebase", "--apply", "feature")
			return r.dir
		}, "", failWith("a rebase is still under way", "`git rebase --continue`")},
		{"cherry-pick", func(t *testing.T) string {
			r := conflicting(t)
			r.tryGit("cherry-pick", "feature")
			return r.dir
		}, "", failWith("a cherry-pick is still under way", "`git cherry-pick --continue`", "`git cherry-pick --abort`")},
		{"revert", func(t *testing.T) string {
			r := conflicting(t)
			r.commit("Say hello again", "hello.txt", "hello again\n")
			r.tryGit("revert", "--no-edit", "HEAD~1")
			return r.dir
		}, "", failWith("a revert is still under way", "`git revert --continue`")},
		{"bisect", func(t *testing.T) string {
			r := conflicting(t)
			r.git("bisect", "start")
			r.git("bisect", "bad")
			return r.dir
		}, "", failWith("a bisect is still under way", "`git bisect reset`")},
		{"bisect and merge", func(t *testing.T) string {
			r := merging(t)
			r.write(".git/BISECT_LOG", "# bisect log\n")
			return r.dir
		}, "", failWith("a merge and a bisect are still under way", "`git merge --continue`", "`git bisect reset`")},
		{"not a repository", func(t *testing.T) string { return t.TempDir() }, "", failWith("no git repository")},
	})
}
