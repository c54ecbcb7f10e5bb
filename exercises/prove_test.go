package exercises

import (
	"os"
	"strings"
	"testing"

	"github.com/backendroadmap/grader/runner"
)

// loadGreetWith loads spec as the greet exercise with greet's files changed by
// files (a "" value removes one).
func loadGreetWith(t *testing.T, spec string, files map[string]string) *Exercise {
	t.Helper()
	all := greetFiles()
	for name, data := range files {
		if data == "" {
			delete(all, name)
			continue
		}
		all[name] = data
	}
	c, err := NewCatalog(exerciseFS("greet", spec, all), "test", fakeKinds())
	if err != nil {
		t.Fatalf("NewCatalog: %v", err)
	}
	ex, err := c.Exercise("greet")
	if err != nil {
		t.Fatalf("loading the greet exercise: %v", err)
	}
	return ex
}

func TestProveProven(t *testing.T) {
	tmp := t.TempDir()
	p, err := Prove(t.Context(), MustGreet(t, greetSpec), tmp)
	if err != nil {
		t.Fatal(err)
	}
	if !p.OK() || len(p.Problems) != 0 || p.Exercise != "greet" {
		t.Errorf("Proof = %+v, want greet proven", p)
	}
	want := map[string]runner.Status{"starter": runner.Fail, "solution": runner.Pass, "wrong: wrong greeting": runner.Fail}
	for role, status := range want {
		if rep := p.Reports[role]; rep == nil || rep.Status != status {
			t.Errorf("report for %s = %+v, want status %s", role, rep, status)
		}
	}
	if len(p.Reports) != len(want) {
		t.Errorf("got reports for %d roles, want %d", len(p.Reports), len(want))
	}
	// Proofs are strict: the hidden check ran.
	if rep := p.Reports["solution"]; rep != nil && len(rep.Checks) != 2 {
		t.Errorf("the solution was graded on %d checks, want 2 (hidden checks count)", len(rep.Checks))
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("Prove left %d scratch folders in tmp", len(left))
	}
}

func TestProveProblems(t *testing.T) {
	tests := []struct {
		name  string
		edits []string          // old, new pairs applied to greetSpec
		files map[string]string // changes to greet's files
		want  []string          // every problem, each as words it must contain
	}{
		{"the starter passes",
			nil, map[string]string{"starter/greeting.txt": "hello\n"},
			[]string{"the starter passes every check"}},
		{"the solution fails a hidden check",
			nil, map[string]string{"solution/greeting.txt": "hullo\n"},
			[]string{`the reference solution does not pass check greeting (fail): greeting.txt says "hullo", not "hello"`}},
		{"the solution fails a check others depend on",
			nil, map[string]string{"solution/greeting.txt": "", "solution/other.txt": "hello\n"},
			[]string{
				"the reference solution does not pass check exists (fail): greeting.txt is missing",
				"the reference solution does not pass check greeting (skip)",
			}},
		{"a wrong solution passes",
			nil, map[string]string{"wrong/greeting.txt": "hello\n"},
			[]string{`known-wrong solution "wrong greeting" passes every check: the checks are too lenient`}},
		{"a wrong solution passes a check it must fail",
			[]string{"must_fail: [greeting]", "must_fail: [exists, greeting]"}, nil,
			[]string{`known-wrong solution "wrong greeting" passes check exists, which it must fail`}},
		{"a wrong solution fails only for another reason",
			nil, map[string]string{"wrong/greeting.txt": "", "wrong/other.txt": "hello\n"},
			[]string{`known-wrong solution "wrong greeting" fails none of the checks it names itself: they were skipped after check exists failed (greeting.txt is missing)`}},
		{"problems add up",
			nil, map[string]string{"starter/greeting.txt": "hello\n", "wrong/greeting.txt": "hello\n"},
			[]string{"the starter passes every check", "too lenient"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := loadGreetWith(t, edit(t, tt.edits...), tt.files)
			p, err := Prove(t.Context(), ex, t.TempDir())
			if err != nil {
				t.Fatalf("Prove: %v", err)
			}
			if p.OK() {
				t.Fatal("proven, want problems")
			}
			if len(p.Problems) != len(tt.want) {
				t.Errorf("got %d problems, want %d:\n%s", len(p.Problems), len(tt.want), strings.Join(p.Problems, "\n"))
			}
			for i := range min(len(p.Problems), len(tt.want)) {
				if !strings.Contains(p.Problems[i], tt.want[i]) || strings.Contains(p.Problems[i], "\n") {
					t.Errorf("problem %d = %q, want one line saying %q", i, p.Problems[i], tt.want[i])
				}
			}
		})
	}
}

// A check that cannot run says nothing about the exercise: Prove fails
// instead of reporting a problem.
func TestProveCheckErrors(t *testing.T) {
	spec := edit(t, "    kind: fake.file\n    depends_on", "    kind: fake.broken\n    depends_on",
		"      path: greeting.txt\n      content: hello\n", "")
	spec = strings.Replace(spec, "    with:\n    hints: [Write", "    hints: [Write", 1)
	ex := MustGreet(t, spec)
	tmp := t.TempDir()
	p, err := Prove(t.Context(), ex, tmp)
	if err == nil {
		t.Fatalf("Prove succeeded with %+v, want an error", p)
	}
	for _, want := range []string{"greet", "grading the solution", "check greeting could not run", "docker is not running"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err = %q, want it to say %q", err, want)
		}
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("Prove left %d scratch folders in tmp", len(left))
	}
}

// A git exercise is proven on real repositories played from its history.
func TestProveGitHistory(t *testing.T) {
	spec := edit(t,
		"starter:\n  files: starter\n", "starter:\n  files: starter\n  history:\n    - commit: Start\n",
		"solution:\n  files: solution\n", "solution:\n  history:\n    - commit: Greet\n      files:\n        greeting.txt: hello\n")
	ex := MustGreet(t, spec)
	p, err := Prove(t.Context(), ex, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if !p.OK() {
		t.Errorf("problems: %v", p.Problems)
	}
	if !ex.IsGit() || !ex.Solution.Git || !ex.Wrong[0].Git {
		t.Errorf("the exercise did not load as a git exercise: %+v", ex)
	}
}
