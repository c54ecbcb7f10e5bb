package git

import (
	"os"
	"path/filepath"
	"testing"
)

func TestClean(t *testing.T) {
	edit := func(files ...string) func(t *testing.T) string {
		return func(t *testing.T) string {
			r := starter(t)
			r.write(files...)
			return r.dir
		}
	}
	runCases(t, "git.clean", []kindCase{
		{"clean", edit(), "", pass("clean")},
		{"modified", edit("hello.txt", "changed\n"), "",
			want{status: "fail", words: []string{"not clean", "hello.txt (modified)", "`git add` and `git commit`", "`git restore`"}, actual: "1 changed file"}},
		{"staged", func(t *testing.T) string {
			r := starter(t)
			r.write("hello.txt", "changed\n")
			r.git("add", "hello.txt")
			return r.dir
		}, "", failWith("hello.txt (staged)")},
		{"staged then modified again", func(t *testing.T) string {
			r := starter(t)
			r.write("hello.txt", "changed\n")
			r.git("add", "hello.txt")
			r.write("hello.txt", "changed again\n")
			return r.dir
		}, "", failWith("hello.txt (staged, modified)")},
		{"deleted", func(t *testing.T) string {
			r := starter(t)
			os.Remove(filepath.Join(r.dir, "hello.txt"))
			return r.dir
		}, "", failWith("hello.txt (deleted)")},
		{"untracked", edit("notes.md", "x"), "", failWith("notes.md (untracked)", "`git clean`")},
		{"untracked allowed", edit("notes.md", "x"), "untracked: false", pass()},
		{"untracked allowed, but a change is not", edit("notes.md", "x", "hello.txt", "y"), "untracked: false",
			failWith("hello.txt (modified)")},
		{"grader's own folder", edit(".grader/state.json", "{}", ".grader/log/1.txt", "x"), "", pass()},
		{"ignored file", func(t *testing.T) string {
			r := starter(t)
			r.commit("Ignore logs", ".gitignore", "*.log\n/build/\n")
			r.write("app.log", "x", "sub/deep/x.log", "y", "build/out/a.bin", "z")
			return r.dir
		}, "", pass()},
		{"ignored by info/exclude", func(t *testing.T) string {
			r := starter(t)
			r.write(".git/info/exclude", "scratch/\n", "scratch/a.txt", "x")
			return r.dir
		}, "", pass()},
		{"ignored by the learner's excludes file", func(t *testing.T) string {
			r := starter(t)
			excludes := filepath.Join(t.TempDir(), "ignore")
			if err := os.WriteFile(excludes, []byte(".DS_Store\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			r.git("config", "core.excludesFile", excludes)
			r.write(".DS_Store", "x", "sub/.DS_Store", "y")
			return r.dir
		}, "", pass()},
		{"ignored by the global excludes file", edit(".app.go.swp", "x"), "", pass()},
		{"a repository's !pattern beats the excludes file", func(t *testing.T) string {
			r := starter(t)
			excludes := filepath.Join(t.TempDir(), "ignore")
			if err := os.WriteFile(excludes, []byte("*.env\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			r.git("config", "core.excludesFile", excludes)
			r.commit("Keep the example env", ".gitignore", "!example.env\n")
			r.write("example.env", "X=1")
			return r.dir
		}, "", failWith("example.env (untracked)")},
		{"many changes are summarised", edit("a", "1", "b", "2", "c", "3", "d", "4", "e", "5", "f", "6", "g", "7"), "",
			failWith("a (untracked), b (untracked), c (untracked), d (untracked), e (untracked) and 2 more")},
		{"merge with conflicts", func(t *testing.T) string {
			r := conflicting(t)
			r.tryGit("merge", "feature")
			return r.dir
		}, "", failWith("not clean", "hello.txt (conflicted)", "Resolve the conflicts")},
		{"no commits yet", func(t *testing.T) string { return newRepo(t).dir }, "", failWith("no commits yet")},
		{"not a repository", func(t *testing.T) string { return t.TempDir() }, "", failWith("no git repository")},
	})
}
