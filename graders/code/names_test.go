package code

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/backendroadmap/grader/exercises"
	"github.com/backendroadmap/grader/runner"
)

// packageNames are names a learner may well declare at package level that
// grader's Go harness or an exercise's probe once used too: an import's name
// ("runtime/debug", "os/exec", "errors"), a helper of the probe's (got), or a
// predeclared function the harness called (max, min). grader adds its files
// to the learner's package, so any of them used to break a correct solution
// with "debug redeclared in this block", blamed on grader_harness_test.go.
var packageNames = []string{
	"bytes", "debug", "errors", "exec", "fmt", "io", "json", "os", "strconv",
	"strings", "sync", "atomic", "syscall", "testing", "time", "results", "got",
}

// TestGoSolutionMayDeclareAnyName grades every Go exercise's reference
// solution with one more file that declares those names at package level
// (a `const debug = false`, a `func exec`, a `var results`, its own max and
// min): every check must still pass.
func TestGoSolutionMayDeclareAnyName(t *testing.T) {
	e := requireEngine(t)
	kinds := Kinds(e)
	for _, id := range []string{"go-temperature", "go-stack-queue", "go-event-bus", "go-worker-pool"} {
		ex := loadExercise(t, kinds, id)
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for _, r := range []exercises.Recipe{ex.Starter, ex.Solution} {
				if err := exercises.Apply(ex, r, dir); err != nil {
					t.Fatal(err)
				}
			}
			pkg, imported := solutionPackage(t, dir)
			var b strings.Builder
			fmt.Fprintf(&b, "package %s\n\n// Names a learner may declare; grader's files must not collide with them.\n\n", pkg)
			for _, name := range packageNames {
				if slices.Contains(imported, name) {
					continue // the solution's own import: a clash of the learner's making
				}
				switch name {
				case "debug":
					b.WriteString("const debug = false\n\n")
				case "exec":
					b.WriteString("func exec(cmd string, args ...string) error { return nil }\n\n")
				case "got":
					b.WriteString("func got() bool { return debug }\n\n")
				default:
					fmt.Fprintf(&b, "var %s []int\n\n", name)
				}
			}
			for _, name := range []string{"max", "min"} {
				if !slices.Contains(imported, name) { // not called by the solution itself
					fmt.Fprintf(&b, "func %s(xs []int) int { return len(xs) }\n\n", name)
				}
			}
			if err := os.WriteFile(filepath.Join(dir, "names.go"), []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			rep := runner.Run(context.Background(), &ex.Exercise, runner.Attempt{Dir: dir, Strict: true}, runner.Options{})
			for _, ch := range rep.Checks {
				if ch.Status != runner.Pass {
					t.Errorf("%s: %s: %s", ch.ID, ch.Status, ch.Message)
				}
			}
		})
	}
}

// solutionPackage returns the package name of the Go files in dir and the
// names they take for themselves: those their imports bind, and the
// predeclared max and min when they call them.
func solutionPackage(t *testing.T, dir string) (string, []string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files in the solution: %v", err)
	}
	var pkg string
	var names []string
	for _, f := range files {
		af, err := parser.ParseFile(token.NewFileSet(), f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(af, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok {
				if id, ok := call.Fun.(*ast.Ident); ok && (id.Name == "max" || id.Name == "min") {
					names = append(names, id.Name)
				}
			}
			return true
		})
		pkg = af.Name.Name
		for _, im := range af.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			name := path.Base(p)
			if im.Name != nil {
				name = im.Name.Name
			}
			names = append(names, name)
		}
	}
	return pkg, names
}
