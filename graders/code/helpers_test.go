package code

import (
	"os"
	"testing"

	"github.com/backendroadmap/grader/exercises"
	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox"
	"github.com/backendroadmap/grader/sandbox/sandboxtest"
)

// catalogDir is the programming track of the embedded catalog, read from
// disk so the tests prove what ships.
const catalogDir = "../../exercises/catalog/programming"

// requireEngine returns a sandbox engine with the repository's image map,
// failing the test under CI=true when Docker is unreachable and skipping it
// otherwise. After the test it checks that no container or volume this
// process labelled is left on the engine.
func requireEngine(t testing.TB) *sandbox.Engine {
	t.Helper()
	return sandboxtest.Engine(t)
}

// assertNoLeftovers fails if anything e made is still on the engine.
func assertNoLeftovers(t testing.TB, e *sandbox.Engine) {
	t.Helper()
	sandboxtest.NoLeftovers(t, e)
}

// loadExercise loads one exercise of the programming catalog with kinds.
func loadExercise(t testing.TB, kinds runner.Kinds, id string) *exercises.Exercise {
	t.Helper()
	c, err := exercises.NewCatalog(os.DirFS(catalogDir), "programming", kinds)
	if err != nil {
		t.Fatal(err)
	}
	ex, err := c.Exercise(id)
	if err != nil {
		t.Fatalf("loading %s: %v", id, err)
	}
	return ex
}
