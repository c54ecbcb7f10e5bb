package code

import (
	"os"
	"testing"

	"github.com/backendroadmap/grader/exercises"
)

// Every programming exercise is proven against the real sandbox: the
// starter fails, the reference solution passes every check (hidden ones
// included), and each known-wrong solution fails the checks it names.
func TestProgrammingCatalogIsProven(t *testing.T) {
	e := requireEngine(t)
	c, err := exercises.NewCatalog(os.DirFS(catalogDir), "programming", Kinds(e))
	if err != nil {
		t.Fatal(err)
	}
	all, err := c.All()
	if err != nil {
		t.Fatalf("the programming catalog has problems:\n%v", err)
	}
	if len(all) < 10 {
		t.Errorf("the programming track has %d exercises, want at least 10", len(all))
	}
	for _, ex := range all {
		t.Run(ex.ID, func(t *testing.T) {
			t.Parallel() // sandbox runs wait on I/O more than on the CPU
			p, err := exercises.Prove(t.Context(), ex, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			for _, problem := range p.Problems {
				t.Error(problem)
			}
			if t.Failed() || testing.Verbose() {
				for role, rep := range p.Reports {
					for _, ch := range rep.Checks {
						t.Logf("%s: %s %s: %s", role, ch.ID, ch.Status, ch.Message)
					}
				}
			}
		})
	}
}
