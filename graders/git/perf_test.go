package git

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/backendroadmap/grader/runner"
)

const longHistory = 5000

// longFixture is a repository with a 5,000-commit main, packed as a clone
// would be. Near the tip: a feature branch merged with --no-ff, a commit
// cherry-picked from it, and a bad commit reverted.
func longFixture(t testing.TB) string {
	t.Helper()
	var b strings.Builder
	mark := 0
	commit := func(ref, msg string, from int, merge int, files ...string) int {
		mark++
		fmt.Fprintf(&b, "commit %s\nmark :%d\ncommitter Ada Learner <ada@example.com> %d +0000\ndata %d\n%s\n", ref, mark, 1_500_000_000+mark*60, len(msg), msg)
		if from > 0 {
			fmt.Fprintf(&b, "from :%d\n", from)
		}
		if merge > 0 {
			fmt.Fprintf(&b, "merge :%d\n", merge)
		}
		for i := 0; i+1 < len(files); i += 2 {
			if files[i+1] == "" {
				fmt.Fprintf(&b, "D %s\n", files[i])
				continue
			}
			fmt.Fprintf(&b, "M 100644 inline %s\ndata %d\n%s\n", files[i], len(files[i+1]), files[i+1])
		}
		b.WriteString("\n")
		return mark
	}
	main := commit("refs/heads/main", "Initial commit", 0, 0, "README.md", "# Project\n")
	f01 := ""
	for i := 1; i < longHistory-11; i++ {
		content := fmt.Sprintf("v%d\n", i)
		if i%50 == 1 {
			f01 = content
		}
		main = commit("refs/heads/main", fmt.Sprintf("Commit %d", i), main, 0, fmt.Sprintf("src/f%02d.txt", i%50), content)
	}
	fork := main
	commit("refs/heads/fixes", "Fix typo", fork, 0, "docs/typo.md", "fixed\n")
	f := commit("refs/heads/feature", "Start feature", fork, 0, "feature.txt", "1\n")
	f = commit("refs/heads/feature", "Finish feature", f, 0, "feature.txt", "2\n")
	main = commit("refs/heads/main", "Bad change", main, 0, "src/f01.txt", "broken\n", "oops.txt", "x\n")
	main = commit("refs/heads/main", "Copy of the fix", main, 0, "docs/typo.md", "fixed\n")
	main = commit("refs/heads/main", "Revert bad change", main, 0, "src/f01.txt", f01, "oops.txt", "")
	main = commit("refs/heads/main", "Merge feature", main, f)
	for i := 0; i < 5; i++ {
		main = commit("refs/heads/main", fmt.Sprintf("Tail %d", i), main, 0, "tail.txt", fmt.Sprint(i))
	}
	repo := fixture(t, "long", func(r *testRepo) {
		cmd := exec.Command("git", "fast-import", "--quiet")
		cmd.Dir = r.dir
		cmd.Stdin = strings.NewReader(b.String())
		if out, err := cmd.CombinedOutput(); err != nil {
			r.t.Fatalf("fast-import: %v\n%s", err, out)
		}
		r.git("reset", "-q", "--hard", "main")
		r.git("gc", "-q")
	})
	return repo.dir
}

// longHistoryChecks are the checks that walk history, with their verdicts on
// the 5,000-commit fixture.
var longHistoryChecks = []struct {
	kind, with string
	status     runner.Status
}{
	{"git.head", "branch: main", runner.Pass},
	{"git.branch", "{branch: main, contains: ':/^Initial commit$'}", runner.Pass},
	{"git.branch", "{branch: feature, ahead_of: main, min_ahead: 0, max_ahead: 0}", runner.Pass},
	{"git.branch", "{branch: fixes, ahead_of: main, min_ahead: 1, max_ahead: 1}", runner.Pass},
	{"git.merge", "{into: main, from: feature}", runner.Pass},
	{"git.merge", "{into: main, from: ':/^Commit 17$'}", runner.Fail}, // in main long before the merge
	{"git.ancestor", "{ancestor: ':/^Initial commit$', of: main}", runner.Pass},
	{"git.ancestor", "{ancestor: feature, of: 'main~6', negate: true}", runner.Pass},
	{"git.commits", fmt.Sprintf("count: %d", longHistory), runner.Pass},
	{"git.commits", "{base: 'main~5', count: 5, no_merges: true}", runner.Pass},
	{"git.commits", "{subject: '^(Commit|Initial|Start|Fix|Finish|Bad|Copy|Revert|Merge|Tail)'}", runner.Pass},
	{"git.picked", "{onto: main, commit: ':/^Fix typo'}", runner.Pass},
	{"git.reverted", "{branch: main, commit: ':/^Bad change'}", runner.Pass},
	{"git.reverted", "{branch: main, commit: ':/^Commit 12$'}", runner.Fail},
	{"git.tree", "{ref: main, same_as: 'main~1', paths: [src, docs]}", runner.Pass},
	{"git.file", "{path: src/f01.txt, ref: ':/^Commit 1$', content: v1}", runner.Pass},
	{"git.clean", "", runner.Pass},
	{"git.conflicts", "", runner.Pass},
}

// TestLongHistory grades a 5,000-commit repository with the checks that walk
// history: each must reach the right verdict alone and when it shares an
// attempt (and the opened repository) with the others. Their speed is measured
// by BenchmarkLongHistory, not asserted here.
func TestLongHistory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 5,000-commit repository")
	}
	dir := longFixture(t)
	memo := &runner.Memo{}
	for _, c := range longHistoryChecks {
		for _, a := range []runner.Attempt{{Dir: dir, Memo: &runner.Memo{}}, {Dir: dir, Memo: memo}} {
			if got := compile(t, c.kind, c.with).Check(t.Context(), a); got.Status != c.status {
				t.Errorf("%s %s: %s %q, want %s", c.kind, c.with, got.Status, got.Message, c.status)
			}
		}
	}
}

// BenchmarkLongHistory times each history-walking check alone on the
// 5,000-commit fixture, with a fresh attempt (so nothing is cached) per run.
func BenchmarkLongHistory(b *testing.B) {
	dir := longFixture(b)
	for _, c := range longHistoryChecks {
		checker := compile(b, c.kind, c.with)
		b.Run(strings.ReplaceAll(c.kind+" "+c.with, " ", "_"), func(b *testing.B) {
			for b.Loop() {
				checker.Check(b.Context(), runner.Attempt{Dir: dir, Memo: &runner.Memo{}})
			}
		})
	}
}

// smallAttempt is what a solved beginner exercise asks: about ten checks.
var smallAttempt = []struct{ kind, with string }{
	{"git.head", "branch: main"},
	{"git.branch", "{branch: feature/greeting, contains: ':/^Add greeting$', ahead_of: ':/^Add greeting$', min_ahead: 2}"},
	{"git.merge", "{into: main, from: feature/greeting}"},
	{"git.file", "{path: hello.txt, content: 'hello, name'}"},
	{"git.file", "{path: bye.txt, contains: bye}"},
	{"git.commits", "{base: ':/^Add greeting$', subject: '^[A-Z]', no_merges: false}"},
	{"git.ancestor", "{ancestor: ':/^Initial commit$', of: main}"},
	{"git.clean", ""},
	{"git.conflicts", ""},
	{"git.in-progress", ""},
}

// solved is feature merged into main with --no-ff: the solution of the
// branching exercise.
func solved(t testing.TB) string {
	t.Helper()
	return fixture(t, "solved", func(r *testRepo) {
		buildStarter(r)
		r.git("switch", "-q", "-c", "feature/greeting")
		r.commit("Greet by name", "hello.txt", "hello, name\n")
		r.commit("Add farewell", "bye.txt", "bye\n")
		r.git("switch", "-q", "main")
		r.git("merge", "-q", "--no-ff", "feature/greeting")
	}).dir
}

// gradeSmall runs smallAttempt against dir in one attempt.
func gradeSmall(tb testing.TB, checkers []runner.Checker, dir string) {
	a := runner.Attempt{Dir: dir, Memo: &runner.Memo{}}
	for i, c := range checkers {
		if got := c.Check(tb.Context(), a); got.Status != runner.Pass {
			tb.Fatalf("%s: %s %s", smallAttempt[i].kind, got.Status, got.Message)
		}
	}
}

func BenchmarkSmallAttempt(b *testing.B) {
	dir := solved(b)
	var checkers []runner.Checker
	for _, c := range smallAttempt {
		checkers = append(checkers, compile(b, c.kind, c.with))
	}
	for b.Loop() {
		gradeSmall(b, checkers, dir)
	}
}
