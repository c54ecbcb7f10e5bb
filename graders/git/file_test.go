package git

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFile(t *testing.T) {
	// script is starter plus a committed script with Windows line ends.
	script := func(t *testing.T) *testRepo {
		return fixture(t, "script", func(r *testRepo) {
			buildStarter(r)
			r.write("run.sh", "#!/bin/sh\r\necho hi\r\n\r\n")
			if err := os.Chmod(filepath.Join(r.dir, "run.sh"), 0o755); err != nil {
				r.t.Fatal(err)
			}
			r.git("add", "run.sh")
			r.git("commit", "-q", "-m", "Add script")
			r.commit("Add config", "config/app.yaml", "port: 8080\ndebug: false\n")
		})
	}
	dirOf := func(f func(*testing.T) *testRepo) func(*testing.T) string {
		return func(t *testing.T) string { return f(t).dir }
	}
	runCases(t, "git.file", []kindCase{
		{"content, line ends and trailing newlines ignored", dirOf(script),
			"{path: run.sh, content: \"#!/bin/sh\\necho hi\"}", pass()},
		{"content differs", dirOf(script), "{path: hello.txt, content: \"hello, world\\n\"}",
			want{status: "fail", words: []string{"hello.txt in your latest commit (HEAD) does not have the expected content", "`git add hello.txt` and `git commit`"},
				expected: "hello, world", actual: "hello"}},
		{"right on disk, not committed", func(t *testing.T) string {
			r := script(t)
			r.write("hello.txt", "hello, world\n")
			return r.dir
		}, "{path: hello.txt, content: 'hello, world'}",
			failWith("does not have the expected content", "working tree is right but not committed", "`git add hello.txt`, then `git commit`")},
		{"new file on disk, not committed", func(t *testing.T) string {
			r := script(t)
			r.write("notes.md", "todo\n")
			return r.dir
		}, "{path: notes.md, contains: todo}",
			failWith("notes.md does not exist in your latest commit (HEAD)", "working tree is right but not committed")},
		{"staged", func(t *testing.T) string {
			r := script(t)
			r.write("hello.txt", "hello, world\n")
			r.git("add", "hello.txt")
			return r.dir
		}, "{path: hello.txt, ref: index, content: 'hello, world'}", pass()},
		{"right on disk, not staged", func(t *testing.T) string {
			r := script(t)
			r.write("hello.txt", "hello, world\n")
			return r.dir
		}, "{path: hello.txt, ref: index, content: 'hello, world'}",
			failWith("in the staging area does not have the expected content", "stage it with `git add hello.txt`")},
		{"worktree", func(t *testing.T) string {
			r := script(t)
			r.write("hello.txt", "hello, world\n")
			return r.dir
		}, "{path: hello.txt, ref: worktree, content: 'hello, world'}", pass()},
		{"worktree differs", dirOf(script), "{path: hello.txt, ref: worktree, content: 'bye'}",
			failWith("hello.txt in the working tree does not have the expected content: edit it")},
		{"missing", dirOf(script), "{path: nope.txt}",
			want{status: "fail", words: []string{"nope.txt does not exist in your latest commit (HEAD)"}, actual: "no such file"}},
		{"missing on disk", dirOf(script), "{path: nope.txt, ref: worktree}",
			failWith("nope.txt does not exist in the working tree: create it")},
		{"a folder", dirOf(script), "{path: config}", failWith("config is a folder")},
		{"nested path", dirOf(script), "{path: config/app.yaml, contains: 'port: 8080'}", pass()},
		{"contains fails", dirOf(script), "{path: config/app.yaml, contains: 'port: 9090'}",
			want{status: "fail", words: []string{`does not contain "port: 9090"`}, actual: "port: 8080"}},
		{"not_contains", dirOf(script), "{path: config/app.yaml, not_contains: 'debug: true'}", pass()},
		{"not_contains fails with the line", dirOf(script), "{path: config/app.yaml, not_contains: 'debug'}",
			failWith(`still contains "debug" (line 2)`)},
		{"matches, multi-line", dirOf(script), "{path: config/app.yaml, matches: '^debug: (true|false)$'}", pass()},
		{"matches fails", dirOf(script), "{path: config/app.yaml, matches: '^port: 9\\d+$'}",
			failWith(`does not match "^port: 9\\d+$"`)},
		{"absent", dirOf(script), "{path: secrets.txt, absent: true}", pass()},
		{"absent but committed", dirOf(script), "{path: hello.txt, absent: true}",
			failWith("hello.txt still exists in your latest commit (HEAD)", "`git rm hello.txt`")},
		{"absent from the index but staged", dirOf(script), "{path: hello.txt, ref: index, absent: true}",
			failWith("still staged", "`git rm --cached hello.txt`")},
		{"absent on disk but there", dirOf(script), "{path: hello.txt, ref: worktree, absent: true}",
			failWith("still exists in the working tree: delete it")},
		{"executable", dirOf(script), "{path: run.sh, executable: true}", pass()},
		{"not executable", dirOf(script), "{path: hello.txt, executable: true}",
			want{status: "fail", words: []string{"hello.txt is not executable", "`chmod +x hello.txt`"}, expected: "executable", actual: "not executable"}},
		{"must not be executable", dirOf(script), "{path: run.sh, executable: false}", failWith("`chmod -x run.sh`")},
		{"executable on disk", func(t *testing.T) string {
			r := script(t)
			if err := os.Chmod(filepath.Join(r.dir, "hello.txt"), 0o755); err != nil {
				t.Fatal(err)
			}
			return r.dir
		}, "{path: hello.txt, ref: worktree, executable: true}", pass()},
		{"at another branch", func(t *testing.T) string { return feature(t).dir },
			"{path: hello.txt, ref: main, content: hello}", pass()},
		{"at a starter commit", func(t *testing.T) string { return feature(t).dir },
			"{path: bye.txt, ref: ':/^Greet', absent: true}", pass()},
		{"at a revision that is not there", dirOf(script), "{path: hello.txt, ref: nosuch}",
			failWith("nosuch does not name")},
		{"no commits yet", func(t *testing.T) string { return newRepo(t).dir }, "{path: hello.txt}",
			failWith("no commits yet")},
		{"unresolved conflict in the index", func(t *testing.T) string {
			r := conflicting(t)
			r.tryGit("merge", "feature")
			return r.dir
		}, "{path: hello.txt, ref: index, content: hi}", failWith("hello.txt has unresolved conflicts", "`git add hello.txt`")},
		{"a link is read as its target", func(t *testing.T) string {
			r := script(t)
			if err := os.Symlink("/etc/hostname", filepath.Join(r.dir, "link")); err != nil {
				t.Fatal(err)
			}
			return r.dir
		}, "{path: link, ref: worktree, content: /etc/hostname}", pass()},
		{"a linked folder outside is not followed", func(t *testing.T) string {
			r := script(t)
			outside := t.TempDir()
			if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("s3cret"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(outside, filepath.Join(r.dir, "out")); err != nil {
				t.Fatal(err)
			}
			return r.dir
		}, "{path: out/secret, ref: worktree, content: s3cret}", failWith("cannot read out/secret")},
		{"a file behind a linked folder inside is not read", func(t *testing.T) string {
			r := script(t)
			if err := os.Symlink("config", filepath.Join(r.dir, "conf")); err != nil {
				t.Fatal(err)
			}
			return r.dir
		}, "{path: conf/app.yaml, ref: worktree, contains: port}", failWith("conf/app.yaml is inside conf, a symbolic link")},
	})
}
