package exercises

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/backendroadmap/grader/runner"
)

// greetSpec is a small valid exercise that files-based fake kinds can prove. Its
// line numbers are asserted by the tests below: edit it with care.
const greetSpec = `format: 1
id: greet
title: Greet
skill: programming
phase: beginner
summary: Write a greeting.
instructions: instructions.md
starter:
  files: starter
solution:
  files: solution
wrong:
  - name: wrong greeting
    files: wrong
    must_fail: [greeting]
checks:
  - id: exists
    name: greeting.txt exists
    kind: fake.file
    with:
      path: greeting.txt
    hints: [Create greeting.txt.]
  - id: greeting
    name: greeting.txt says hello
    kind: fake.file
    depends_on: [exists]
    with:
      path: greeting.txt
      content: hello
    hints: [Write hello in it.]
    points: 2
    timeout: 5s
    visibility: hidden
`

// greetFiles are the files of the greet exercise besides its spec.
func greetFiles() map[string]string {
	return map[string]string{
		"instructions.md":       "# Greet\n\nWrite hello into greeting.txt.\n",
		"starter/README.md":     "Say hello.\n",
		"solution/greeting.txt": "hello\n",
		"wrong/greeting.txt":    "bye\n",
	}
}

type fileParams struct {
	Path    string  `yaml:"path"`
	Content *string `yaml:"content"`
}

// fakeKinds are check kinds that need no technology. fake.file passes when a
// file exists (with the given content, if any); fake.broken always errors, as a
// check does when its infrastructure is down.
func fakeKinds() runner.Kinds {
	return runner.Kinds{
		"fake.file": runner.KindFunc(func(p runner.Params) (runner.Checker, error) {
			var ps fileParams
			if err := p.Decode(&ps); err != nil {
				return nil, err
			}
			if ps.Path == "" {
				return nil, &runner.ParamError{Field: "path", Msg: "is required: name the file to look at"}
			}
			return runner.CheckerFunc(func(_ context.Context, a runner.Attempt) runner.Outcome {
				b, err := os.ReadFile(filepath.Join(a.Dir, ps.Path))
				if err != nil {
					return runner.Failed("%s is missing\nsecond line", ps.Path)
				}
				if ps.Content != nil && strings.TrimSpace(string(b)) != *ps.Content {
					return runner.Failed("%s says %q, not %q", ps.Path, strings.TrimSpace(string(b)), *ps.Content)
				}
				return runner.Passed("")
			}), nil
		}),
		// fake.stored passes when the file its exercise's "store" service
		// names exists: a kind configured by a services block.
		"fake.stored": runner.KindFunc(func(p runner.Params) (runner.Checker, error) {
			var svc struct {
				Path string `yaml:"path"`
			}
			if err := p.Service("store", &svc); err != nil {
				return nil, err
			}
			if svc.Path == "/" {
				return nil, &runner.ServiceError{Service: "store", Field: "path", Msg: "/ is a folder"}
			}
			return runner.CheckerFunc(func(_ context.Context, a runner.Attempt) runner.Outcome {
				if _, err := os.Stat(filepath.Join(a.Dir, svc.Path)); err != nil {
					return runner.Failed("%s is missing", svc.Path)
				}
				return runner.Passed("")
			}), nil
		}),
		// fake.declared is fake.stored as a ParamsKind that declares its
		// service: its parameters are decoded before it asks for the block.
		"fake.declared": runner.WithServices(runner.ParamsKind[fileParams](func(p runner.Params, ps *fileParams) (runner.Checker, error) {
			var svc storeService
			if err := p.Service("store", &svc); err != nil {
				return nil, err
			}
			return runner.CheckerFunc(func(context.Context, runner.Attempt) runner.Outcome { return runner.Passed("") }), nil
		}), map[string]any{"store": &storeService{}}),
		"fake.broken": runner.KindFunc(func(p runner.Params) (runner.Checker, error) {
			return runner.CheckerFunc(func(context.Context, runner.Attempt) runner.Outcome {
				return runner.Errored(errors.New("docker is not running"))
			}), nil
		}),
	}
}

// storeService is the block of fake.declared's "store" service.
type storeService struct {
	Path string `yaml:"path"`
}

// exerciseFS lays out one exercise in folder id: its spec and its files.
func exerciseFS(id, spec string, files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{path.Join(id, SpecFile): {Data: []byte(spec)}}
	for name, data := range files {
		fsys[path.Join(id, name)] = &fstest.MapFile{Data: []byte(data)}
	}
	return fsys
}

// loadGreet loads spec as the exercise in folder greet, with greet's files.
func loadGreet(t *testing.T, spec string) (*Exercise, error) {
	t.Helper()
	c, err := NewCatalog(exerciseFS("greet", spec, greetFiles()), "test", fakeKinds())
	if err != nil {
		t.Fatalf("NewCatalog: %v", err)
	}
	return c.Exercise("greet")
}

// MustGreet loads spec as the greet exercise and fails the test if it is invalid.
func MustGreet(t *testing.T, spec string) *Exercise {
	t.Helper()
	ex, err := loadGreet(t, spec)
	if err != nil {
		t.Fatalf("loading the greet exercise: %v", err)
	}
	return ex
}

// edit applies replacements (old, new pairs) to greetSpec, each exactly once.
func edit(t *testing.T, pairs ...string) string {
	t.Helper()
	s := greetSpec
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			t.Fatalf("the spec has no %q to replace", pairs[i])
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return s
}

func TestSpecValid(t *testing.T) {
	ex := MustGreet(t, greetSpec)
	if ex.ID != "greet" || ex.Title != "Greet" || ex.Skill != runner.Programming || ex.Phase != runner.Beginner || ex.Summary != "Write a greeting." {
		t.Errorf("exercise = %q %q %q %q %q", ex.ID, ex.Title, ex.Skill, ex.Phase, ex.Summary)
	}
	if want := greetFiles()["instructions.md"]; ex.Instructions != want {
		t.Errorf("Instructions = %q, want the file's content %q", ex.Instructions, want)
	}
	if ex.Spec != "greet/exercise.yaml" {
		t.Errorf("Spec = %q, want greet/exercise.yaml", ex.Spec)
	}
	if _, err := fs.Stat(ex.Files, "solution/greeting.txt"); err != nil {
		t.Errorf("Files is not the exercise's folder: %v", err)
	}
	if ex.IsGit() {
		t.Error("IsGit() = true for an exercise with no git starter")
	}
	if want := (Recipe{Files: "starter"}); !reflect.DeepEqual(ex.Starter, want) {
		t.Errorf("Starter = %+v, want %+v", ex.Starter, want)
	}
	if want := (Recipe{Files: "solution"}); !reflect.DeepEqual(ex.Solution, want) {
		t.Errorf("Solution = %+v, want %+v", ex.Solution, want)
	}
	if want := []Wrong{{Name: "wrong greeting", MustFail: []string{"greeting"}, Recipe: Recipe{Files: "wrong"}}}; !reflect.DeepEqual(ex.Wrong, want) {
		t.Errorf("Wrong = %+v, want %+v", ex.Wrong, want)
	}
	if len(ex.Checks) != 2 {
		t.Fatalf("got %d checks, want 2", len(ex.Checks))
	}
	for i, c := range ex.Checks {
		if c.Checker == nil {
			t.Errorf("checks[%d] has no Checker", i)
		}
		ex.Checks[i].Checker = nil // not comparable
	}
	want := []runner.Check{
		{ID: "exists", Name: "greeting.txt exists", Kind: "fake.file", Hints: []string{"Create greeting.txt."},
			Points: 1, Timeout: runner.DefaultTimeout},
		{ID: "greeting", Name: "greeting.txt says hello", Kind: "fake.file", DependsOn: []string{"exists"},
			Hints: []string{"Write hello in it."}, Points: 2, Timeout: 5 * time.Second, Hidden: true},
	}
	if !reflect.DeepEqual(ex.Checks, want) {
		t.Errorf("Checks =\n%+v\nwant\n%+v", ex.Checks, want)
	}
}

// TestKindsLearnAHiddenCheck: a kind compiles a `visibility: hidden` check
// knowing it, so its messages can keep hidden data to themselves.
func TestKindsLearnAHiddenCheck(t *testing.T) {
	kinds := fakeKinds()
	file := kinds["fake.file"]
	var hidden []bool
	kinds["fake.file"] = runner.KindFunc(func(p runner.Params) (runner.Checker, error) {
		hidden = append(hidden, p.Hidden)
		return file.Compile(p)
	})
	c, err := NewCatalog(exerciseFS("greet", greetSpec, greetFiles()), "test", kinds)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exercise("greet"); err != nil {
		t.Fatal(err)
	}
	if want := []bool{false, true}; !reflect.DeepEqual(hidden, want) {
		t.Errorf("Params.Hidden of the checks = %v, want %v", hidden, want)
	}
}

func TestSpecOptionalFields(t *testing.T) {
	tests := []struct {
		name  string
		edits []string
		check func(t *testing.T, ex *Exercise)
	}{
		{"zero points is allowed", []string{"points: 2", "points: 0"}, func(t *testing.T, ex *Exercise) {
			if got := ex.Checks[1].Points; got != 0 {
				t.Errorf("Points = %d, want 0", got)
			}
		}},
		{"visible is the default", []string{"visibility: hidden", "visibility: visible"}, func(t *testing.T, ex *Exercise) {
			if ex.Checks[1].Hidden {
				t.Error("a visible check is Hidden")
			}
		}},
		{"the longest timeout", []string{"timeout: 5s", "timeout: 10m"}, func(t *testing.T, ex *Exercise) {
			if got := ex.Checks[1].Timeout; got != 10*time.Minute {
				t.Errorf("Timeout = %v, want 10m", got)
			}
		}},
		{"a starter with history is git", []string{"  files: starter\n", "  files: starter\n  history:\n    - commit: Start\n"}, func(t *testing.T, ex *Exercise) {
			if !ex.IsGit() || !ex.Solution.Git || !ex.Wrong[0].Git {
				t.Errorf("starter with history: IsGit=%v, solution.Git=%v, wrong.Git=%v; want all true", ex.IsGit(), ex.Solution.Git, ex.Wrong[0].Git)
			}
		}},
		{"an executable starter file", []string{"  files: starter\n", "  files: starter\n  executable: [README.md]\n"}, func(t *testing.T, ex *Exercise) {
			if !reflect.DeepEqual(ex.Starter.Executable, []string{"README.md"}) {
				t.Errorf("Executable = %v", ex.Starter.Executable)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, MustGreet(t, edit(t, tt.edits...)))
		})
	}
}

// wantProblem is a problem a test expects: its field and line exactly, and
// words its message must contain.
type wantProblem struct {
	field string
	line  int
	msg   []string
}

func TestSpecProblems(t *testing.T) {
	tests := []struct {
		name  string
		edits []string // old, new pairs applied to greetSpec
		want  []wantProblem
	}{
		{"format missing", []string{"format: 1\n", ""},
			[]wantProblem{{"format", 1, []string{"required", "add `format: 1`"}}}},
		{"format unsupported", []string{"format: 1", "format: 2"},
			[]wantProblem{{"format", 1, []string{"format 2 is not supported", "reads format 1", "upgrade grader"}}}},
		{"id missing", []string{"id: greet\n", ""},
			[]wantProblem{{"id", 1, []string{"required"}}}},
		{"id not kebab-case", []string{"id: greet", "id: Greet_Me"},
			[]wantProblem{{"id", 2, []string{`"Greet_Me"`, "lower-case words joined by hyphens"}}}},
		{"id is not the folder's name", []string{"id: greet", "id: greeting"},
			[]wantProblem{{"id", 2, []string{`"greeting" must match its folder's name "greet"`}}}},
		{"title blank", []string{"title: Greet", `title: "  "`},
			[]wantProblem{{"title", 3, []string{"required"}}}},
		{"summary missing", []string{"summary: Write a greeting.\n", ""},
			[]wantProblem{{"summary", 1, []string{"required"}}}},
		{"unknown skill", []string{"skill: programming", "skill: cooking"},
			[]wantProblem{{"skill", 4, []string{`"cooking" is not a skill`, "programming, version-control, databases, apis, security, devops"}}}},
		{"unknown phase", []string{"phase: beginner", "phase: expert"},
			[]wantProblem{{"phase", 5, []string{`"expert" is not a phase`, "beginner, intermediate, advanced"}}}},
		{"instructions file missing", []string{"instructions: instructions.md", "instructions: README.md"},
			[]wantProblem{{"instructions", 7, []string{"cannot read README.md", "beside exercise.yaml"}}}},
		{"instructions missing", []string{"instructions: instructions.md\n", ""},
			[]wantProblem{{"instructions", 1, []string{"required"}}}},
		{"starter files folder missing", []string{"files: starter", "files: start"},
			[]wantProblem{{"starter.files", 9, []string{`"start" is not a folder beside exercise.yaml`}}}},
		{"starter files is a file", []string{"files: starter", "files: instructions.md"},
			[]wantProblem{{"starter.files", 9, []string{`"instructions.md" is not a folder`}}}},
		{"executable not in the starter", []string{"  files: starter\n", "  files: starter\n  executable: [run.sh]\n"},
			[]wantProblem{{"starter.executable[0]", 10, []string{`"run.sh" is not a file in "starter"`}}}},
		{"solution missing", []string{"solution:\n  files: solution\n", ""},
			[]wantProblem{{"solution", 1, []string{"required", "`files` and/or `history`"}}}},
		{"solution files folder missing", []string{"files: solution", "files: solutions"},
			[]wantProblem{{"solution.files", 11, []string{`"solutions" is not a folder`}}}},
		{"history step with a modifier of another action", []string{"  files: solution\n", "  files: solution\n  history:\n    - merge: feature\n      stay: true\n"},
			[]wantProblem{{"solution.history[0].stay", 14, []string{"does not apply to merge"}}}},
		{"history step with no action", []string{"  files: solution\n", "  files: solution\n  history:\n    - at: main\n"},
			[]wantProblem{{"solution.history[0].at", 13, []string{"the step has no action"}}}},
		{"unknown field in a history step", []string{"  files: starter\n", "  files: starter\n  history:\n    - commit: Start\n      fles:\n        a.txt: a\n"},
			[]wantProblem{{"starter.history[0].fles", 12, []string{"field fles not found", "check its spelling"}}}},
		{"no wrong solution", []string{"wrong:\n  - name: wrong greeting\n    files: wrong\n    must_fail: [greeting]\n", ""},
			[]wantProblem{{"wrong", 1, []string{"required", "at least one known-wrong solution", "too lenient"}}}},
		{"wrong solution without a name", []string{"  - name: wrong greeting\n    files", "  - files"},
			[]wantProblem{{"wrong[0].name", 13, []string{"required"}}}},
		{"wrong solution that changes nothing", []string{"    files: wrong\n", ""},
			[]wantProblem{{"wrong[0]", 13, []string{"needs `files` and/or `history`"}}}},
		{"must_fail names an unknown check", []string{"must_fail: [greeting]", "must_fail: [exists, greting]"},
			[]wantProblem{{"wrong[0].must_fail[1]", 15, []string{`no check "greting"`}}}},
		{"no checks", []string{greetSpec[strings.Index(greetSpec, "checks:"):], "", "must_fail: [greeting]", "must_fail: []"},
			[]wantProblem{{"checks", 1, []string{"required", "at least one check"}}}},
		{"duplicate check id", []string{"id: greeting", "id: exists", "must_fail: [greeting]", "must_fail: [exists]"},
			[]wantProblem{{"checks[1].id", 23, []string{`"exists" is used by an earlier check`}}}},
		{"check id not kebab-case", []string{"id: exists", "id: Exists", "depends_on: [exists]", "depends_on: [Exists]"},
			[]wantProblem{{"checks[0].id", 17, []string{"lower-case words joined by hyphens"}}}},
		{"check without a name", []string{"    name: greeting.txt exists\n", ""},
			[]wantProblem{{"checks[0].name", 17, []string{"required"}}}},
		{"check without hints", []string{"    hints: [Create greeting.txt.]\n", ""},
			[]wantProblem{{"checks[0].hints", 17, []string{"required", "at least one hint"}}}},
		{"depends_on a later check", []string{"    name: greeting.txt exists\n", "    name: greeting.txt exists\n    depends_on: [greeting]\n"},
			[]wantProblem{{"checks[0].depends_on[0]", 19, []string{`"greeting" must name a check declared before this one`}}}},
		{"depends_on an unknown check", []string{"depends_on: [exists]", "depends_on: [exists, exist]"},
			[]wantProblem{{"checks[1].depends_on[1]", 26, []string{`"exist" must name a check declared before`}}}},
		{"negative points", []string{"points: 2", "points: -1"},
			[]wantProblem{{"checks[1].points", 31, []string{"must not be negative"}}}},
		{"timeout not a duration", []string{"timeout: 5s", "timeout: 5 seconds"},
			[]wantProblem{{"checks[1].timeout", 32, []string{`"5 seconds" is not a duration like 30s or 2m`}}}},
		{"timeout too long", []string{"timeout: 5s", "timeout: 30m"},
			[]wantProblem{{"checks[1].timeout", 32, []string{"must be between 0s and 10m0s"}}}},
		{"timeout zero", []string{"timeout: 5s", "timeout: 0s"},
			[]wantProblem{{"checks[1].timeout", 32, []string{"must be between"}}}},
		{"bad visibility", []string{"visibility: hidden", "visibility: secret"},
			[]wantProblem{{"checks[1].visibility", 33, []string{`"secret" is not visible or hidden`}}}},
		{"kind missing", []string{"    kind: fake.file\n", ""},
			[]wantProblem{{"checks[0].kind", 17, []string{"required"}}}},
		{"unknown kind", []string{"kind: fake.file", "kind: fake.fil"},
			[]wantProblem{{"checks[0].kind", 19, []string{`unknown kind "fake.fil"`, "did you mean fake.file?"}}}},
		{"unknown kind, nothing near", []string{"kind: fake.file", "kind: sql.query"},
			[]wantProblem{{"checks[0].kind", 19, []string{`unknown kind "sql.query"`}}}},
		{"unknown parameter", []string{"      content: hello", "      contnet: hello"},
			[]wantProblem{{"checks[1].with.contnet", 29, []string{"unknown parameter", "did you mean content?"}}}},
		{"a kind's ParamError", []string{"path: greeting.txt", `path: ""`},
			[]wantProblem{{"checks[0].with.path", 21, []string{"is required: name the file to look at"}}}},
		{"a kind's missing parameter", []string{"    with:\n      path: greeting.txt\n    hints: [Create", "    hints: [Create"},
			[]wantProblem{{"checks[0].with.path", 17, []string{"is required"}}}},
		{"a parameter of the wrong type", []string{"      path: greeting.txt\n    hints: [Create", "      path: [a, b]\n    hints: [Create"},
			[]wantProblem{{"checks[0].with", 21, []string{"cannot unmarshal"}}}},
		{"with is not a mapping", []string{"    with:\n      path: greeting.txt\n    hints: [Create", "    with: greeting.txt\n    hints: [Create"},
			[]wantProblem{{"checks[0].with", 20, []string{"must be a mapping of parameter names to values"}}}},
		{"unknown top-level field", []string{"title: Greet\n", "title: Greet\nauthor: me\n"},
			[]wantProblem{{"author", 4, []string{"field author not found", "check its spelling against docs/exercise-format.md"}}}},
		{"unknown field in a check", []string{"    points: 2", "    point: 2"},
			[]wantProblem{{"checks[1].point", 31, []string{"field point not found"}}}},
		{"unknown field in a wrong solution", []string{"    must_fail: [greeting]", "    mustfail: [greeting]"},
			[]wantProblem{{"wrong[0].mustfail", 15, []string{"field mustfail not found"}}}},
		{"a field of the wrong type", []string{"points: 2", "points: two"},
			[]wantProblem{{"checks[1].points", 31, []string{"cannot unmarshal", "`two` into int"}}}},
		// The library leaves a mapping with a repeated key undecoded: its
		// fields must not be reported missing.
		{"a field given twice", []string{"summary: Write a greeting.\n", "summary: Write a greeting.\ntitle: Hello\n"},
			[]wantProblem{{"title", 7, []string{`"title" already defined at line 3`}}}},
		{"a check's field given twice", []string{"    hints: [Write hello in it.]\n", "    hints: [Write hello in it.]\n    name: again\n"},
			[]wantProblem{{"checks[1].name", 31, []string{`"name" already defined at line 24`}}}},
		// Several problems at once: the author fixes them in one pass.
		{"every problem reported", []string{
			"format: 1", "format: 2",
			"skill: programming", "skill: cooking",
			"files: starter", "files: start",
			"kind: fake.file", "kind: fake.fil",
			"points: 2", "points: -3",
			"visibility: hidden", "visibility: hiden",
			"title: Greet\n", "title: Greet\nauthor: me\n",
		}, []wantProblem{
			{"author", 4, []string{"field author not found"}},
			{"format", 1, []string{"format 2 is not supported"}},
			{"skill", 5, []string{"is not a skill"}},
			{"starter.files", 10, []string{"is not a folder"}},
			{"checks[0].kind", 20, []string{"unknown kind"}},
			{"checks[1].points", 32, []string{"must not be negative"}},
			{"checks[1].visibility", 34, []string{"is not visible or hidden"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex, err := loadGreet(t, edit(t, tt.edits...))
			if ex != nil {
				t.Errorf("an invalid spec returned an exercise: %+v", ex)
			}
			assertProblems(t, err, "greet/exercise.yaml", tt.want)
		})
	}
}

// assertProblems checks that err is a *SpecError holding exactly want, in order,
// all in file.
func assertProblems(t *testing.T, err error, file string, want []wantProblem) {
	t.Helper()
	var se *SpecError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v (%T), want a *SpecError", err, err)
	}
	if len(se.Problems) != len(want) {
		t.Errorf("got %d problems, want %d:\n%v", len(se.Problems), len(want), se)
	}
	for i := range min(len(want), len(se.Problems)) {
		got, w := se.Problems[i], want[i]
		if got.File != file || got.Field != w.field || got.Line != w.line {
			t.Errorf("problem %d at %s:%d field %q, want %s:%d field %q (%s)", i, got.File, got.Line, got.Field, file, w.line, w.field, got.Msg)
		}
		for _, m := range w.msg {
			if !strings.Contains(got.Msg, m) {
				t.Errorf("problem %d says %q, want it to say %q", i, got.Msg, m)
			}
		}
	}
}

func TestSpecYAMLSyntaxError(t *testing.T) {
	_, err := loadGreet(t, edit(t, "title: Greet", "title: [Greet"))
	var se *SpecError
	if !errors.As(err, &se) || len(se.Problems) != 1 {
		t.Fatalf("err = %v, want a *SpecError with one problem", err)
	}
	p := se.Problems[0]
	// The [ that is never closed is on line 3. The YAML library reports parser
	// errors one line early (go-yaml/yaml#205), so line 2 is accepted too.
	if p.File != "greet/exercise.yaml" || p.Line < 2 || p.Line > 3 || !strings.Contains(p.Msg, "did not find expected ',' or ']'") {
		t.Errorf("problem = %+v, want one in greet/exercise.yaml at line 3 (or 2) saying what the parser missed, without the library's prefix", p)
	}
	if !strings.Contains(p.String(), fmt.Sprintf("greet/exercise.yaml:%d: ", p.Line)) {
		t.Errorf("String() = %q, want file:line first", p.String())
	}
}

func TestSpecErrorMessage(t *testing.T) {
	_, err := loadGreet(t, edit(t, "format: 1", "format: 2", "phase: beginner", "phase: expert"))
	if err == nil {
		t.Fatal("no error")
	}
	want := "invalid exercise spec (2 problems):\n" +
		"  greet/exercise.yaml:1: format: format 2 is not supported by this grader (it reads format 1); upgrade grader\n" +
		`  greet/exercise.yaml:5: phase: "expert" is not a phase; use one of beginner, intermediate, advanced`
	if err.Error() != want {
		t.Errorf("Error() =\n%s\nwant\n%s", err, want)
	}
	_, err = loadGreet(t, edit(t, "format: 1", "format: 2"))
	if got := err.Error(); !strings.HasPrefix(got, "invalid exercise spec:\n  greet/") {
		t.Errorf("one problem: Error() = %q", got)
	}
}

// TestSpecServices: a services block is decoded by the kinds that use it, and
// its mistakes point at the block's own lines, not at the checks.
func TestSpecServices(t *testing.T) {
	stored := "checks:\n  - id: stored\n    name: the store file exists\n    kind: fake.stored\n    hints: [Create it.]\n"
	t.Run("used", func(t *testing.T) {
		ex, err := loadGreet(t, edit(t, "checks:\n", "services:\n  store:\n    path: greeting.txt\n"+stored))
		if err != nil {
			t.Fatal(err)
		}
		if len(ex.Checks) != 3 || ex.Checks[0].Kind != "fake.stored" {
			t.Fatalf("checks = %+v", ex.Checks)
		}
	})
	tests := []struct {
		name  string
		edits []string
		want  []wantProblem
	}{
		{"missing", []string{"checks:\n", stored},
			[]wantProblem{{"services.store", 1, []string{"required by checks[0] (kind fake.stored)", "declare the exercise's store service"}}}},
		{"unknown field", []string{"checks:\n", "services:\n  store:\n    pth: greeting.txt\n" + stored},
			[]wantProblem{{"services.store.pth", 18, []string{"unknown parameter", "did you mean path?"}}}},
		// A mistake the kind finds in the block, once for the two checks
		// that use it, at the field's own line.
		{"refused by the kind", []string{"checks:\n", "services:\n  store:\n    path: /\n" + stored + strings.Replace(strings.TrimPrefix(stored, "checks:\n"), "id: stored", "id: stored-again", 1)},
			[]wantProblem{{"services.store.path", 18, []string{"/ is a folder"}}}},
		{"unused", []string{"checks:\n", "services:\n  cache:\n    size: 1\nchecks:\n"},
			[]wantProblem{{"services.cache", 18, []string{`no check uses service "cache"`}}}},
		// A kind that decodes its parameters first and declares its service:
		// a mistake in `with:` is the one problem, the service still used.
		{"declared, with: wrong", []string{"checks:\n", "services:\n  store:\n    path: greeting.txt\n" + strings.Replace(stored, "kind: fake.stored", "kind: fake.declared\n    with: {pth: greeting.txt}", 1)},
			[]wantProblem{{"checks[0].with.pth", 23, []string{"unknown parameter"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadGreet(t, edit(t, tt.edits...))
			assertProblems(t, err, "greet/exercise.yaml", tt.want)
		})
	}
}
