package exercises_test

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/backendroadmap/grader/exercises"
	"github.com/backendroadmap/grader/graders/browser"
	"github.com/backendroadmap/grader/graders/code"
	"github.com/backendroadmap/grader/graders/compose"
	"github.com/backendroadmap/grader/graders/docker"
	"github.com/backendroadmap/grader/graders/git"
	"github.com/backendroadmap/grader/graders/httpcheck"
	"github.com/backendroadmap/grader/graders/kube"
	"github.com/backendroadmap/grader/graders/metrics"
	"github.com/backendroadmap/grader/graders/redis"
	"github.com/backendroadmap/grader/graders/security"
	"github.com/backendroadmap/grader/graders/sql"
	"github.com/backendroadmap/grader/graders/workflow"
	"github.com/backendroadmap/grader/runner"
)

// gitSpec is a small valid git exercise for the real git kinds: the learner
// must end up on a new branch, feature.
func gitSpec(id string) string {
	return fmt.Sprintf(`format: 1
id: %s
title: Make a branch
skill: version-control
phase: beginner
summary: Create the feature branch.
instructions: instructions.md
starter:
  history:
    - commit: Start
      files:
        README.md: "hello\n"
solution:
  history:
    - branch: feature
wrong:
  - name: committed on main
    history:
      - commit: More
        files:
          more.txt: "more\n"
checks:
  - id: on-feature
    name: feature is checked out
    kind: git.head
    with:
      branch: feature
    hints: ["git switch -c feature"]
`, id)
}

// catalogFS lays out a catalog: each key is an exercise's folder, holding the
// spec given and an instructions.md.
func catalogFS(exercises map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for dir, spec := range exercises {
		fsys[path.Join(dir, "exercise.yaml")] = &fstest.MapFile{Data: []byte(spec)}
		fsys[path.Join(dir, "instructions.md")] = &fstest.MapFile{Data: []byte("# " + path.Base(dir) + "\n")}
	}
	return fsys
}

// MustCatalog indexes fsys with the real git kinds.
func MustCatalog(t *testing.T, fsys fs.FS) *exercises.Catalog {
	t.Helper()
	c, err := exercises.NewCatalog(fsys, "test", git.Kinds())
	if err != nil {
		t.Fatalf("NewCatalog: %v", err)
	}
	return c
}

// MustExercise loads exercise id from c.
func MustExercise(t *testing.T, c *exercises.Catalog, id string) *exercises.Exercise {
	t.Helper()
	ex, err := c.Exercise(id)
	if err != nil {
		t.Fatalf("loading %s: %v", id, err)
	}
	return ex
}

func TestCatalogIndexesNestedFolders(t *testing.T) {
	fsys := catalogFS(map[string]string{
		"version-control/git-a":      gitSpec("git-a"),
		"deep/er/and/deeper/git-b":   gitSpec("git-b"),
		"git-c":                      gitSpec("git-c"),
		".drafts/git-d":              gitSpec("git-d"),
		"version-control/.old/git-e": gitSpec("git-e"),
	})
	fsys["README.md"] = &fstest.MapFile{Data: []byte("a catalog\n")}
	fsys[".git/exercise.yaml"] = &fstest.MapFile{Data: []byte("not: an exercise\n")}
	c := MustCatalog(t, fsys)
	if got, want := c.IDs(), []string{"git-a", "git-b", "git-c"}; !slices.Equal(got, want) {
		t.Errorf("IDs() = %v, want %v (folders starting with a dot are skipped)", got, want)
	}
	if c.Name != "test" {
		t.Errorf("Name = %q", c.Name)
	}
	ex := MustExercise(t, c, "git-b")
	if ex.ID != "git-b" || ex.Spec != "deep/er/and/deeper/git-b/exercise.yaml" || ex.Instructions != "# git-b\n" {
		t.Errorf("git-b loaded as id %q from %q with instructions %q", ex.ID, ex.Spec, ex.Instructions)
	}
	if _, err := c.Exercise("git-d"); err == nil {
		t.Error("an exercise in a dot-folder loaded")
	}
}

func TestCatalogDuplicateFolderNames(t *testing.T) {
	_, err := exercises.NewCatalog(catalogFS(map[string]string{
		"git/git-a":   gitSpec("git-a"),
		"other/git-a": gitSpec("git-a"),
		"git/git-b":   gitSpec("git-b"),
	}), "test", git.Kinds())
	var se *exercises.SpecError
	if !errors.As(err, &se) || len(se.Problems) != 1 {
		t.Fatalf("err = %v, want a *SpecError with one problem", err)
	}
	p := se.Problems[0]
	if p.File != "other/git-a/exercise.yaml" || !strings.Contains(p.Msg, `"git-a"`) || !strings.Contains(p.Msg, "git/git-a") || !strings.Contains(p.Msg, "must be unique") {
		t.Errorf("problem = %+v, want one in other/git-a naming git/git-a and saying ids are unique", p)
	}
}

func TestCatalogEmpty(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{
		"no files":                  {},
		"files but no spec":         {"README.md": {Data: []byte("hi\n")}, "git-a/instructions.md": {Data: []byte("hi\n")}},
		"specs only in dot-folders": catalogFS(map[string]string{".drafts/git-a": gitSpec("git-a")}),
	} {
		t.Run(name, func(t *testing.T) {
			c, err := exercises.NewCatalog(fsys, "my-catalog", git.Kinds())
			var se *exercises.SpecError
			if err == nil || errors.As(err, &se) || !strings.Contains(err.Error(), "my-catalog holds no exercises") || !strings.Contains(err.Error(), "exercise.yaml") {
				t.Errorf("NewCatalog = %v, %v; want an error saying my-catalog holds no exercise.yaml", c, err)
			}
		})
	}
}

func TestCatalogUnknownID(t *testing.T) {
	c := MustCatalog(t, catalogFS(map[string]string{
		"git-branching": gitSpec("git-branching"),
		"git-basics":    gitSpec("git-basics"),
		"git-tags":      gitSpec("git-tags"),
	}))
	ex, err := c.Exercise("branch")
	var ue *exercises.UnknownError
	if !errors.As(err, &ue) {
		t.Fatalf("Exercise(branch) = %v, %v; want an *UnknownError", ex, err)
	}
	if ue.ID != "branch" || ue.Catalog != "test" || !slices.Equal(ue.Near, []string{"git-branching"}) {
		t.Errorf("UnknownError = %+v, want branch in test, near git-branching", ue)
	}
	for _, want := range []string{`no exercise "branch" in catalog test`, "did you mean git-branching?", "grader list"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err = %q, want it to say %q", err, want)
		}
	}
	_, err = c.Exercise("kubernetes")
	if !errors.As(err, &ue) || len(ue.Near) != 0 || strings.Contains(err.Error(), "did you mean") {
		t.Errorf("Exercise(kubernetes) = %v, want an *UnknownError suggesting nothing", err)
	}
}

func TestCatalogSingleExerciseAtTheRoot(t *testing.T) {
	c := MustCatalog(t, fstest.MapFS{
		"exercise.yaml":   {Data: []byte(gitSpec("git-solo"))},
		"instructions.md": {Data: []byte("# Solo\n")},
	})
	if got := c.IDs(); !slices.Equal(got, []string{"git-solo"}) {
		t.Fatalf("IDs() = %v, want [git-solo]: the spec's id names a catalog's root exercise", got)
	}
	ex := MustExercise(t, c, "git-solo")
	if ex.Spec != "exercise.yaml" || ex.Instructions != "# Solo\n" {
		t.Errorf("loaded from %q with instructions %q", ex.Spec, ex.Instructions)
	}

	// A broken root spec is still listed, and loading it says what is wrong.
	c = MustCatalog(t, fstest.MapFS{"exercise.yaml": {Data: []byte(strings.Replace(gitSpec("git-solo"), "skill: version-control", "skill: git", 1))}})
	_, err := c.Exercise("git-solo")
	var se *exercises.SpecError
	if !errors.As(err, &se) || len(se.Problems) != 2 {
		t.Fatalf("err = %v, want two problems (skill and instructions)", err)
	}
}

func TestCatalogAllCollectsEveryProblem(t *testing.T) {
	c := MustCatalog(t, catalogFS(map[string]string{
		"a/git-good":  gitSpec("git-good"),
		"b/git-skill": strings.Replace(gitSpec("git-skill"), "skill: version-control", "skill: cooking", 1),
		"c/git-twice": strings.NewReplacer("format: 1", "format: 9", "kind: git.head", "kind: git.haed").Replace(gitSpec("git-twice")),
		"d/git-fine":  gitSpec("git-fine"),
	}))
	all, err := c.All()
	var ids []string
	for _, ex := range all {
		ids = append(ids, ex.ID)
	}
	if !slices.Equal(ids, []string{"git-fine", "git-good"}) {
		t.Errorf("All() returned %v, want the valid exercises [git-fine git-good] in id order", ids)
	}
	var se *exercises.SpecError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want a *SpecError", err)
	}
	var got []string
	for _, p := range se.Problems {
		got = append(got, p.File+" "+p.Field)
	}
	want := []string{
		"b/git-skill/exercise.yaml skill",
		"c/git-twice/exercise.yaml format",
		"c/git-twice/exercise.yaml checks[0].kind",
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems at %q, want %q", got, want)
	}
	if !strings.Contains(err.Error(), "did you mean git.head?") {
		t.Errorf("err = %v, want a suggestion for the kind", err)
	}
}

// The catalog shipped in the binary must load whole with the real kinds.
func TestEmbeddedCatalogIsValid(t *testing.T) {
	var specs int
	err := fs.WalkDir(exercises.Embedded(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Name() == "exercise.yaml" {
			specs++
		}
		return err
	})
	if err != nil || specs == 0 {
		t.Fatalf("walking the embedded catalog: %d specs, %v", specs, err)
	}
	c, err := exercises.NewCatalog(exercises.Embedded(), exercises.EmbeddedName, allKinds())
	if err != nil {
		t.Fatal(err)
	}
	all, err := c.All()
	if err != nil {
		t.Fatalf("the embedded catalog has problems:\n%v", err)
	}
	if len(all) != specs {
		t.Errorf("All() loaded %d exercises, want all %d", len(all), specs)
	}
	for _, ex := range all {
		if strings.TrimSpace(ex.Instructions) == "" || len(ex.Checks) == 0 || len(ex.Wrong) == 0 {
			t.Errorf("%s: instructions %d bytes, %d checks, %d wrong solutions", ex.ID, len(ex.Instructions), len(ex.Checks), len(ex.Wrong))
		}
	}
}

// gitSpec, which the tests here build on, is itself a proven exercise for the
// real git kinds.
func TestGitSpecIsProven(t *testing.T) {
	ex := MustExercise(t, MustCatalog(t, catalogFS(map[string]string{"git-a": gitSpec("git-a")})), "git-a")
	p, err := exercises.Prove(t.Context(), ex, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if !p.OK() || p.Reports["starter"].Status != runner.Fail {
		t.Errorf("problems: %v", p.Problems)
	}
}

// The real kinds' parameter problems land on the parameter's own line.
func TestSpecProblemsWithGitKinds(t *testing.T) {
	tests := []struct {
		name, old, new string
		field          string
		line           int
		msg            string
	}{
		{"unknown parameter", "      branch: feature", "      brnch: feature", "checks[0].with.brnch", 27, "did you mean branch?"},
		{"bad branch name", "      branch: feature", "      branch: feature..x", "checks[0].with.branch", 27, "feature..x"},
		{"missing parameter", "    with:\n      branch: feature\n", "", "checks[0].with.branch", 23, "required"},
		{"unknown kind", "kind: git.head", "kind: git.haed", "checks[0].kind", 25, "did you mean git.head?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := gitSpec("git-a")
			if !strings.Contains(spec, tt.old) {
				t.Fatalf("gitSpec has no %q", tt.old)
			}
			c := MustCatalog(t, catalogFS(map[string]string{"git-a": strings.Replace(spec, tt.old, tt.new, 1)}))
			_, err := c.Exercise("git-a")
			var se *exercises.SpecError
			if !errors.As(err, &se) || len(se.Problems) != 1 {
				t.Fatalf("err = %v, want one problem", err)
			}
			if p := se.Problems[0]; p.File != "git-a/exercise.yaml" || p.Field != tt.field || p.Line != tt.line || !strings.Contains(p.Msg, tt.msg) {
				t.Errorf("problem = %+v, want git-a/exercise.yaml:%d %s saying %q", p, tt.line, tt.field, tt.msg)
			}
		})
	}
}

// allKinds are every kind the grader binary has, without their services
// (compiling needs none).
func allKinds() runner.Kinds {
	all := runner.Kinds{}
	for _, ks := range []runner.Kinds{
		git.Kinds(), sql.Kinds(nil), redis.Kinds(nil), code.Kinds(nil), httpcheck.Kinds(nil),
		security.Kinds(nil), browser.Kinds(nil), docker.Kinds(nil), workflow.Kinds(nil),
		kube.Kinds(),
		metrics.Kinds(nil),
		compose.Kinds(nil),
	} {
		maps.Copy(all, ks)
	}
	return all
}

func TestCatalogOrder(t *testing.T) {
	fsys := catalogFS(map[string]string{
		"git-a": gitSpec("git-a"), "git-b": gitSpec("git-b"),
		"git-c": gitSpec("git-c"), "git-d": gitSpec("git-d"),
	})
	fsys["catalog.yaml"] = &fstest.MapFile{Data: []byte("format: 1\norder: [git-c, git-a]\n")}
	c := MustCatalog(t, fsys)
	if got, want := c.IDs(), []string{"git-c", "git-a", "git-b", "git-d"}; !slices.Equal(got, want) {
		t.Errorf("IDs() = %v, want %v: the listed ones as listed, then the rest alphabetically", got, want)
	}

	fsys["catalog.yaml"] = &fstest.MapFile{Data: []byte("format: 1\norder:\n  - git-a\n  - git-bb\n  - git-a\n")}
	_, err := exercises.NewCatalog(fsys, "test", git.Kinds())
	var se *exercises.SpecError
	if !errors.As(err, &se) || len(se.Problems) != 2 {
		t.Fatalf("err = %v, want a *SpecError with two problems", err)
	}
	if got := se.Problems[0].String(); got != `catalog.yaml:4: order[1]: no exercise "git-bb" in this catalog; did you mean git-b?` {
		t.Errorf("unknown id: %s", got)
	}
	if got := se.Problems[1].String(); got != "catalog.yaml:5: order[2]: git-a is listed twice; keep one place for it" {
		t.Errorf("duplicate: %s", got)
	}

	fsys["catalog.yaml"] = &fstest.MapFile{Data: []byte("format: 1\nordr: [git-a]\n")}
	if _, err := exercises.NewCatalog(fsys, "test", git.Kinds()); err == nil || !strings.Contains(err.Error(), "ordr") {
		t.Errorf("a misspelt field: err = %v, want it named", err)
	}
}

// The embedded catalog gives every exercise its place, so a new exercise
// cannot land at the end of its phase by accident.
func TestEmbeddedCatalogOrdersEveryExercise(t *testing.T) {
	data, err := fs.ReadFile(exercises.Embedded(), exercises.CatalogFile)
	if err != nil {
		t.Fatal(err)
	}
	c, err := exercises.NewCatalog(exercises.Embedded(), exercises.EmbeddedName, allKinds())
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range c.IDs() {
		if !strings.Contains(string(data), "\n  - "+id+"\n") {
			t.Errorf("%s has no place in the embedded %s: add it to order, among its skill and phase", id, exercises.CatalogFile)
		}
	}
}
