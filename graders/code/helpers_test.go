package code

import (
	"context"
	"os"
	"testing"
	"time"

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
	e, err := sandbox.Connect(context.Background())
	if err != nil {
		sandboxtest.Unavailable(t, "docker: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	e.Images = sandboxtest.Images(t)
	t.Cleanup(func() { assertNoLeftovers(t, e) })
	return e
}

// assertNoLeftovers fails if anything e made is still on the engine: what
// `docker ps -a --filter label=org.grader.managed` would show of this process.
func assertNoLeftovers(t testing.TB, e *sandbox.Engine) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	left, err := e.Leftovers(ctx, 0)
	if err != nil {
		t.Fatalf("listing leftovers: %v", err)
	}
	for _, r := range left {
		if r.Owner == e.Owner() {
			t.Errorf("left behind: %s", r)
		}
	}
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
