package httpcheck

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backendroadmap/grader/exercises"
)

// TestCatalogExercisesCompile loads every exercise of the apis catalog
// with these kinds: each check an author wrote against the contract
// compiles (no Docker needed; proving them needs the sandbox, or
// TestCatalogProvenLocally). Problems outside the checks and services
// are the catalog's own tests' business.
func TestCatalogExercisesCompile(t *testing.T) {
	dir := filepath.Join("..", "..", "exercises", "catalog", "apis")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Skipf("no apis catalog: %v", err)
	}
	root := os.DirFS(dir)
	for _, e := range entries {
		id := e.Name()
		if _, err := os.Stat(filepath.Join(dir, id, exercises.SpecFile)); err != nil {
			continue // not an exercise (yet)
		}
		t.Run(id, func(t *testing.T) {
			sub, err := fs.Sub(root, id)
			if err != nil {
				t.Fatal(err)
			}
			cat, err := exercises.NewCatalog(sub, id, Kinds(nil))
			if err != nil {
				t.Fatal(err)
			}
			_, err = cat.Exercise(id)
			var se *exercises.SpecError
			if err != nil && !errors.As(err, &se) {
				t.Fatalf("load %s: %v", id, err)
			}
			if se == nil {
				return
			}
			// Only the problems of the checks and their services are these
			// kinds' to answer for; a missing instructions file is not.
			for _, p := range se.Problems {
				if strings.Contains(p.Field, ".with") || strings.HasPrefix(p.Field, "services") {
					t.Errorf("%s: %v", id, p)
				}
			}
		})
	}
}
