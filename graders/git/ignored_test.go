package git

import (
	"os"
	"path/filepath"
	"testing"
)

func TestIgnored(t *testing.T) {
	// ignoring has a committed .gitignore and a nested one.
	ignoring := func(t *testing.T) *testRepo {
		return fixture(t, "ignoring", func(r *testRepo) {
			buildStarter(r)
			r.commit("Ignore things", ".gitignore", "*.env\nnode_modules/\n/build/\n*.log\n!keep.log\n", "src/.gitignore", "*.tmp\n")
		})
	}
	dir := func(t *testing.T) string { return ignoring(t).dir }
	runCases(t, "git.ignored", []kindCase{
		{"paths need not exist", dir, "paths: [.env, config/prod.env, node_modules/, node_modules/x/y.js, build/, build/app]", pass("6 paths ignored")},
		{"not ignored", dir, "paths: [.env, secret.txt]",
			failWith("secret.txt is not ignored", "add a line such as `secret.txt` to .gitignore")},
		{"folder pattern needs a folder", dir, "paths: [build]", failWith("build is not ignored", "ignore a folder named build, but not a file")},
		{"existing folder without a slash", func(t *testing.T) string {
			r := ignoring(t)
			r.write("build/app", "x")
			return r.dir
		}, "paths: [build]", pass()},
		{"anchored pattern", dir, "paths: [src/build/]", failWith("src/build is not ignored")},
		{"nested .gitignore", dir, "paths: [src/a.tmp, src/deep/b.tmp]", pass()},
		{"nested .gitignore applies below it only", dir, "paths: [a.tmp]", failWith("a.tmp is not ignored")},
		{"negated pattern", dir, "paths: [keep.log]", failWith("keep.log is not ignored")},
		{"cannot re-include inside an ignored folder", func(t *testing.T) string {
			r := ignoring(t)
			r.commit("Try to keep one module", ".gitignore", "node_modules/\n!node_modules/keep.js\n")
			return r.dir
		}, "paths: [node_modules/keep.js]", pass()},
		{"info/exclude", func(t *testing.T) string {
			r := ignoring(t)
			r.write(".git/info/exclude", "scratch/\n")
			return r.dir
		}, "paths: [scratch/]", pass()},
		{"tracked despite the pattern", func(t *testing.T) string {
			r := starter(t)
			r.commit("Oops", ".env", "SECRET=1\n")
			r.commit("Ignore env", ".gitignore", ".env\n")
			return r.dir
		}, "paths: [.env]", failWith(".env is tracked by git", "`git rm -r --cached .env`")},
		{"staged despite the pattern", func(t *testing.T) string {
			r := ignoring(t)
			r.write("app.log", "x")
			r.git("add", "-f", "app.log")
			return r.dir
		}, "paths: [app.log]", failWith("app.log is tracked by git")},
		{"untracked but still committed", func(t *testing.T) string {
			r := starter(t)
			r.commit("Oops", ".env", "SECRET=1\n")
			r.commit("Ignore env", ".gitignore", ".env\n")
			r.git("rm", "-q", "--cached", ".env")
			return r.dir
		}, "paths: [.env]", failWith(".env is still in your latest commit", "`git commit`")},
		{"the learner's own excludes file does not count", func(t *testing.T) string {
			r := starter(t)
			excludes := filepath.Join(t.TempDir(), "ignore")
			if err := os.WriteFile(excludes, []byte(".env\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			r.git("config", "core.excludesFile", excludes)
			return r.dir
		}, "paths: [.env]", failWith(".env is not ignored")},
		{"the global excludes file does not count either", dir, "paths: [.app.go.swp]", failWith(".app.go.swp is not ignored")},
		{"before the first commit", func(t *testing.T) string {
			r := newRepo(t)
			r.write(".gitignore", "*.env\n")
			return r.dir
		}, "paths: [.env]", pass()},
	})
}
