package git

import "testing"

func TestStash(t *testing.T) {
	// stashed is starter with two stash entries, the newest "polish greeting".
	stashed := func(t *testing.T) *testRepo {
		return fixture(t, "stashed", func(r *testRepo) {
			buildStarter(r)
			r.write("hello.txt", "hello?\n")
			r.git("stash", "push", "-q")
			r.write("hello.txt", "hello!\n")
			r.git("stash", "push", "-q", "-m", "polish greeting")
		})
	}
	dir := func(t *testing.T) string { return stashed(t).dir }
	runCases(t, "git.stash", []kindCase{
		{"empty stash, at least one wanted", func(t *testing.T) string { return starter(t).dir }, "",
			want{status: "fail", words: []string{"the stash has 0 entries, expected at least 1", "`git stash push -m"}, actual: "0"}},
		{"empty stash wanted", func(t *testing.T) string { return starter(t).dir }, "count: 0", pass("0 entries")},
		{"entries", dir, "", pass("2 entries")},
		{"exact count", dir, "count: 2", pass()},
		{"too many", dir, "count: 1", failWith("the stash has 2 entries, expected 1", "`git stash pop`", "`git stash drop`")},
		{"too few", dir, "count: 3", failWith("expected 3", "`git stash push")},
		{"min", dir, "min: 2", pass()},
		{"below min", dir, "min: 3", failWith("expected at least 3")},
		{"newest message", dir, "message: 'polish greeting'", pass()},
		{"newest message does not match", dir, "message: 'fix typo'",
			want{status: "fail", words: []string{`the newest stash entry is "On main: polish greeting"`, `"fix typo"`}, actual: "On main: polish greeting"}},
		{"popped", func(t *testing.T) string {
			r := stashed(t)
			r.git("stash", "drop", "-q")
			return r.dir
		}, "{count: 1, message: 'WIP on main'}", pass()},
		{"packed refs", func(t *testing.T) string {
			r := stashed(t)
			r.git("pack-refs", "--all")
			return r.dir
		}, "count: 2", pass()},
	})
}
