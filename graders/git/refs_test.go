package git

import (
	"os"
	"path/filepath"
	"testing"
)

// feature is starter plus a branch feature/greeting with two commits, HEAD on it.
func feature(t *testing.T) *testRepo {
	t.Helper()
	return fixture(t, "feature", func(r *testRepo) {
		buildStarter(r)
		r.git("switch", "-q", "-c", "feature/greeting")
		r.commit("Greet by name", "hello.txt", "hello, name\n")
		r.commit("Add farewell", "bye.txt", "bye\n")
	})
}

func TestHead(t *testing.T) {
	runCases(t, "git.head", []kindCase{
		{"on the branch", func(t *testing.T) string { return starter(t).dir }, "branch: main", pass()},
		{"on the branch with packed refs", func(t *testing.T) string {
			r := starter(t)
			r.git("pack-refs", "--all")
			if _, err := os.Stat(filepath.Join(r.dir, ".git", "refs", "heads", "main")); err == nil {
				t.Fatal("pack-refs left refs/heads/main loose")
			}
			return r.dir
		}, "branch: main", pass()},
		{"on another branch", func(t *testing.T) string { return feature(t).dir }, "branch: main",
			want{status: "fail", words: []string{"on branch feature/greeting, not main", "`git switch main`"}, expected: "main", actual: "feature/greeting"}},
		{"detached", func(t *testing.T) string {
			r := starter(t)
			r.git("switch", "--detach", "HEAD~1")
			return r.dir
		}, "branch: main", failWith("detached", `"Initial commit"`, "`git switch main`")},
		{"detached by a stopped rebase", func(t *testing.T) string {
			r := conflicting(t)
			r.git("switch", "-q", "feature")
			if _, err := r.tryGit("rebase", "main"); err == nil {
				t.Fatal("rebase did not stop")
			}
			return r.dir
		}, "branch: feature", failWith("detached", "rebase is under way", "`git rebase --continue`", "`git rebase --abort`")},
		{"detached by a bisect", func(t *testing.T) string {
			r := feature(t)
			r.git("bisect", "start", "HEAD", r.rev("HEAD~3"))
			return r.dir
		}, "branch: feature/greeting", failWith("detached", "bisect is under way", "`git bisect reset`")},
		{"no commits yet", func(t *testing.T) string { return newRepo(t).dir }, "branch: main", failWith("no commits yet on main", "`git commit`")},
		{"unborn other branch", func(t *testing.T) string {
			r := starter(t)
			r.git("switch", "-q", "--orphan", "fresh")
			return r.dir
		}, "branch: main", failWith("on branch fresh, not main")},
		{"not a repository", func(t *testing.T) string { return t.TempDir() }, "branch: main",
			failWith("no git repository in", "grader start")},
		{"garbage HEAD", func(t *testing.T) string {
			r := starter(t)
			if err := os.WriteFile(filepath.Join(r.dir, ".git", "HEAD"), []byte("garbage\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			return r.dir
		}, "branch: main", failWith("could not read the repository", "HEAD is damaged")},
	})
}

func TestBranch(t *testing.T) {
	runCases(t, "git.branch", []kindCase{
		{"exists", func(t *testing.T) string { return feature(t).dir }, "branch: feature/greeting", pass()},
		{"exists, packed", func(t *testing.T) string {
			r := feature(t)
			r.git("pack-refs", "--all")
			return r.dir
		}, "{branch: feature/greeting, contains: main, ahead_of: main}", pass()},
		{"missing", func(t *testing.T) string { return starter(t).dir }, "branch: feature/greeting",
			failWith("branch feature/greeting does not exist", "`git switch -c feature/greeting`")},
		{"no commits at all", func(t *testing.T) string { return newRepo(t).dir }, "branch: main",
			failWith("no commits yet on main")},
		{"absent and gone", func(t *testing.T) string { return starter(t).dir }, "{branch: old, absent: true}", pass()},
		{"absent but there", func(t *testing.T) string {
			r := starter(t)
			r.git("branch", "old")
			return r.dir
		}, "{branch: old, absent: true}", failWith("branch old still exists", "`git branch -d old`")},
		{"absent but checked out", func(t *testing.T) string { return feature(t).dir }, "{branch: feature/greeting, absent: true}",
			failWith("still exists", "switch to another branch first")},
		{"contains a starter commit", func(t *testing.T) string { return feature(t).dir },
			"{branch: feature/greeting, contains: ':/^Add greeting'}", pass()},
		{"lacks a commit", func(t *testing.T) string { return feature(t).dir },
			"{branch: main, contains: feature/greeting}",
			failWith("branch main does not contain commit", `"Add farewell"`, "`git rebase feature/greeting`", "`git merge feature/greeting`")},
		{"contains names nothing", func(t *testing.T) string { return feature(t).dir },
			"{branch: main, contains: ':/no such message'}",
			failWith(`no commit on any branch has a message matching "no such message"`)},
		{"ahead by default one", func(t *testing.T) string { return feature(t).dir },
			"{branch: feature/greeting, ahead_of: main}", pass()},
		{"not ahead at all", func(t *testing.T) string {
			r := starter(t)
			r.git("branch", "feature/greeting")
			return r.dir
		}, "{branch: feature/greeting, ahead_of: main}",
			want{status: "fail", words: []string{"no commits that main does not have", "`git switch feature/greeting`"}, expected: ">= 1", actual: "0"}},
		{"too few ahead", func(t *testing.T) string { return feature(t).dir },
			"{branch: feature/greeting, ahead_of: main, min_ahead: 3}",
			want{status: "fail", words: []string{"2 commits ahead of main", "at least 3"}, actual: "2"}},
		{"too many ahead", func(t *testing.T) string { return feature(t).dir },
			"{branch: feature/greeting, ahead_of: main, max_ahead: 1}",
			want{status: "fail", words: []string{"2 commits ahead of main", "at most 1", "`git rebase -i main`"}, expected: "1", actual: "2"}},
		{"ahead of a starter commit", func(t *testing.T) string { return feature(t).dir },
			"{branch: feature/greeting, ahead_of: ':/^Initial', min_ahead: 3, max_ahead: 3}", pass()},
		{"ahead after main moved on", func(t *testing.T) string {
			r := feature(t)
			r.git("switch", "-q", "main")
			r.commit("Hotfix", "fix.txt", "fix\n")
			return r.dir
		}, "{branch: feature/greeting, ahead_of: main, min_ahead: 2, max_ahead: 2}", pass()},
	})
}

func TestAncestor(t *testing.T) {
	// withBad is starter plus a commit "Add secrets" on main.
	withBad := func(t *testing.T) *testRepo {
		r := starter(t)
		r.commit("Add secrets", "secrets.txt", "password\n")
		return r
	}
	runCases(t, "git.ancestor", []kindCase{
		{"in history", func(t *testing.T) string { return feature(t).dir },
			"{ancestor: ':/Initial', of: feature/greeting}", pass()},
		{"same commit", func(t *testing.T) string { return feature(t).dir },
			"{ancestor: feature/greeting, of: HEAD}", pass()},
		{"not in history", func(t *testing.T) string { return feature(t).dir },
			"{ancestor: feature/greeting, of: main}",
			want{status: "fail", words: []string{`"Add farewell" is not in the history of main`, "`git merge feature/greeting`"}, actual: "not in the history"}},
		{"reset away", func(t *testing.T) string {
			r := withBad(t)
			r.git("reset", "-q", "--hard", "HEAD~1")
			return r.dir
		}, "{ancestor: ':/Add secrets', of: main, negate: true}", pass("gone")},
		{"kept on a backup branch but gone from main", func(t *testing.T) string {
			r := withBad(t)
			r.git("branch", "backup")
			r.git("reset", "-q", "--hard", "HEAD~1")
			return r.dir
		}, "{ancestor: ':/Add secrets', of: main, negate: true}", pass()},
		{"still the latest commit", func(t *testing.T) string { return withBad(t).dir },
			"{ancestor: ':/Add secrets', of: main, negate: true}",
			failWith(`"Add secrets" is still in the history of main`, "`git reset --hard HEAD~1`")},
		{"still deeper in history", func(t *testing.T) string {
			r := withBad(t)
			r.commit("Later work", "later.txt", "x\n")
			return r.dir
		}, "{ancestor: ':/Add secrets', of: main, negate: true}",
			failWith("still in the history of main", "`git rebase -i")},
		{"of names nothing", func(t *testing.T) string { return starter(t).dir },
			"{ancestor: HEAD, of: nosuch}", failWith("nosuch does not name a branch, tag or commit")},
		{"ancestor names nothing", func(t *testing.T) string { return starter(t).dir },
			"{ancestor: nosuch, of: main}", failWith("nosuch does not name")},
	})
}

func TestTag(t *testing.T) {
	tagged := func(t *testing.T) *testRepo {
		r := starter(t)
		r.git("tag", "light", "HEAD~1")
		r.git("tag", "-a", "v1.0", "-m", "First release")
		return r
	}
	runCases(t, "git.tag", []kindCase{
		{"lightweight exists", func(t *testing.T) string { return tagged(t).dir }, "tag: light", pass("lightweight")},
		{"annotated exists", func(t *testing.T) string { return tagged(t).dir }, "{tag: v1.0, annotated: true}", pass("annotated")},
		{"annotated, packed", func(t *testing.T) string {
			r := tagged(t)
			r.git("pack-refs", "--all")
			return r.dir
		}, "{tag: v1.0, annotated: true, at: main, message: '^First'}", pass()},
		{"lightweight where annotated is needed", func(t *testing.T) string { return tagged(t).dir }, "{tag: light, annotated: true}",
			want{status: "fail", words: []string{"lightweight tag", "`git tag -a -f light"}, expected: "annotated", actual: "lightweight"}},
		{"annotated where lightweight is needed", func(t *testing.T) string { return tagged(t).dir }, "{tag: v1.0, annotated: false}",
			failWith("annotated tag on", "but a lightweight one", "`git tag -d v1.0`")},
		// The fix re-makes the tag where the check says it belongs, as the
		// kind it must be, in one command: not on the commit it wrongly marks.
		{"lightweight on the wrong commit where an annotated one is needed", func(t *testing.T) string { return tagged(t).dir },
			"{tag: light, annotated: true, at: main}",
			want{status: "fail", words: []string{"tag light points to", "`git tag -a -f light -m \"...\" main`"}, expected: "Add greeting"}},
		{"lightweight on the right commit where an annotated one is needed", func(t *testing.T) string {
			r := tagged(t)
			r.git("tag", "-f", "light", "main")
			return r.dir
		}, "{tag: light, annotated: true, at: main}",
			want{status: "fail", words: []string{"lightweight tag on", `"Add greeting"`, "`git tag -a -f light -m \"...\" "}, expected: "annotated"}},
		{"missing, at a known commit", func(t *testing.T) string { return starter(t).dir }, "{tag: v1.0, annotated: true, at: main}",
			failWith("`git tag -a v1.0 -m \"...\" main`")},
		// A bisect's culprit is the answer: no failure may name it.
		{"at the wrong commit, not revealed", func(t *testing.T) string { return tagged(t).dir }, "{tag: light, at: ':/^Add greeting', reveal: false}",
			want{status: "fail", words: []string{"tag light points to", `"Initial commit"`, "not the commit it must mark", "`git tag -f light <hash>`"},
				lacks: []string{"Add greeting", starter(t).rev("main")[:7]}}},
		{"missing, not revealed", func(t *testing.T) string { return starter(t).dir }, "{tag: v1.0, at: ':/^Add greeting', reveal: false}",
			want{status: "fail", words: []string{"on the right commit"}, lacks: []string{"Add greeting", starter(t).rev("main")[:7]}}},
		{"at the right commit, not revealed", func(t *testing.T) string { return tagged(t).dir }, "{tag: light, at: ':/^Initial', reveal: false}", pass()},
		{"missing", func(t *testing.T) string { return starter(t).dir }, "{tag: v1.0, annotated: true}",
			failWith("tag v1.0 does not exist", "`git tag -a v1.0")},
		{"missing, any kind", func(t *testing.T) string { return starter(t).dir }, "tag: v1.0",
			failWith("`git tag v1.0`")},
		{"at the right commit", func(t *testing.T) string { return tagged(t).dir }, "{tag: light, at: ':/Initial'}", pass()},
		{"at the wrong commit", func(t *testing.T) string { return tagged(t).dir }, "{tag: light, at: main}",
			want{status: "fail", words: []string{"tag light points to", `"Initial commit"`, "`git tag -f light main`"}, expected: "Add greeting", actual: "Initial commit"}},
		{"annotated at the wrong commit", func(t *testing.T) string { return tagged(t).dir }, "{tag: v1.0, at: 'HEAD~1'}",
			failWith("`git tag -a -f v1.0")},
		{"message mismatch", func(t *testing.T) string { return tagged(t).dir }, "{tag: v1.0, message: 'Second'}",
			want{status: "fail", words: []string{"message of tag v1.0 does not match", "Second"}, actual: "First release"}},
		{"message needs an annotated tag", func(t *testing.T) string { return tagged(t).dir }, "{tag: light, message: 'x'}",
			failWith("lightweight tag")},
		{"absent", func(t *testing.T) string { return tagged(t).dir }, "{tag: v2.0, absent: true}", pass()},
		{"absent but there", func(t *testing.T) string { return tagged(t).dir }, "{tag: v1.0, absent: true}",
			failWith("still exists", "`git tag -d v1.0`")},
	})
}
