package git

import "testing"

func TestCommits(t *testing.T) {
	dir := func(t *testing.T) string { return feature(t).dir }
	runCases(t, "git.commits", []kindCase{
		{"whole history", dir, "count: 4", pass("HEAD has 4 commits")},
		{"since base", dir, "{ref: feature/greeting, base: main, count: 2}", pass()},
		{"too many", dir, "{base: main, count: 1}",
			want{status: "fail", words: []string{"HEAD since main has 2 commits, expected exactly 1", "`git rebase -i main`", "squash"}, expected: "1", actual: "2"}},
		{"too few", dir, "{base: main, count: 3}", failWith("expected exactly 3", "commit each step on its own")},
		{"min", dir, "{base: main, min: 2}", pass()},
		{"below min", dir, "{base: main, min: 5}", want{status: "fail", words: []string{"at least 5"}, expected: ">= 5"}},
		{"above max", dir, "{max: 3}", failWith("HEAD has 4 commits, expected at most 3", "`git rebase -i --root`")},
		{"base named by message", dir, "{base: ':/^Add greeting', count: 2}", pass()},
		{"subjects match", dir, "{base: main, subject: '^(Greet|Add) '}", pass()},
		{"an older subject does not match", dir, "{base: main, subject: '^Add '}",
			want{status: "fail", words: []string{`"Greet by name"`, `does not match "^Add "`, "`git rebase -i main`", "reword"}, actual: "Greet by name"}},
		{"the latest subject does not match", dir, "{base: main, subject: '^Greet'}",
			failWith(`"Add farewell"`, "`git commit --amend`")},
		{"any subject", dir, "{base: main, any_subject: farewell}", pass()},
		{"no subject matches", dir, "{base: main, any_subject: '^Fix'}",
			failWith(`none of the 2 commits of HEAD since main has a subject matching "^Fix"`)},
		{"no merges", dir, "{base: main, no_merges: true}", pass()},
		{"a merge commit", func(t *testing.T) string {
			r := feature(t)
			r.git("switch", "-q", "main")
			r.commit("Hotfix", "fix.txt", "x\n")
			r.git("switch", "-q", "feature/greeting")
			r.git("merge", "-q", "main", "-m", "Merge main into feature")
			return r.dir
		}, "{base: main, no_merges: true}", failWith(`merge commit`, `"Merge main into feature"`, "`git rebase`")},
		{"author", dir, "{author: '^Ada Learner <ada@example.com>$'}", pass()},
		{"wrong author", dir, "{author: '@school\\.edu>$'}",
			want{status: "fail", words: []string{"authored by Ada Learner <ada@example.com>", "`git config user.email`", "--reset-author"}, actual: "ada@example.com"}},
		{"no commits yet", func(t *testing.T) string { return newRepo(t).dir }, "count: 1", failWith("no commits yet on main")},
		{"ref missing", dir, "{ref: nosuch, count: 1}", failWith("nosuch does not name")},
	})
}
