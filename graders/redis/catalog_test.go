package redis

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/backendroadmap/grader/exercises"
	"github.com/backendroadmap/grader/runner"
)

// redisExercises are this package's exercises in the databases folder;
// the SQL exercises beside them belong to another kind.
var redisExercises = []string{"redis-cache", "redis-leaderboard"}

// TestCatalogExercisesAreProven loads each Redis exercise of the databases
// catalog with these kinds and proves it against real Redis containers:
// the starter fails, the solution passes every check, and each known-wrong
// solution fails the checks it names.
func TestCatalogExercisesAreProven(t *testing.T) {
	ks := Kinds(requireServices(t))
	root := os.DirFS(filepath.Join("..", "..", "exercises", "catalog", "databases"))
	for _, id := range redisExercises {
		t.Run(id, func(t *testing.T) {
			sub, err := fs.Sub(root, id)
			if err != nil {
				t.Fatal(err)
			}
			cat, err := exercises.NewCatalog(sub, id, ks)
			if err != nil {
				t.Fatal(err)
			}
			ex, err := cat.Exercise(id)
			if err != nil {
				t.Fatalf("load %s:\n%v", id, err)
			}
			if ex.Skill != runner.Skill("databases") || len(ex.Wrong) < 3 {
				t.Errorf("%s: skill %s, %d wrong solutions", id, ex.Skill, len(ex.Wrong))
			}
			start := time.Now()
			p, err := exercises.Prove(t.Context(), ex, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			for role, rep := range p.Reports {
				for _, c := range rep.Checks {
					if c.Status != runner.Pass {
						t.Logf("%s / %s: %s %s: %s", role, c.ID, c.Status, c.Message, oneLine(c.Expected, c.Actual))
					}
				}
			}
			t.Logf("proved %s in %v (%d graded runs)", id, time.Since(start).Round(time.Millisecond), len(p.Reports))
			if !p.OK() {
				t.Errorf("%s is not proven:\n%v", id, p.Problems)
			}
		})
	}
	assertNoLeftovers(t)
}

func oneLine(expected, actual string) string {
	if expected == "" && actual == "" {
		return ""
	}
	return "expected " + quoteString(expected) + ", actual " + quoteString(actual)
}
