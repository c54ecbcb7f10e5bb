package runnertest_test

import (
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/runner/runnertest"
)

// TestServices: a declared block decodes strictly; an undeclared one is
// runner.ErrNoService, as the spec loader says it.
func TestServices(t *testing.T) {
	svc := runnertest.Services(t, map[string]any{"redis": "seed: data.redis"})
	var got struct {
		Seed string `yaml:"seed"`
	}
	if err := svc("redis", &got); err != nil || got.Seed != "data.redis" {
		t.Errorf("redis block: %+v, %v", got, err)
	}
	if err := svc("postgres", &got); !errors.Is(err, runner.ErrNoService) {
		t.Errorf("an undeclared service = %v, want ErrNoService", err)
	}
	var strict struct{}
	if err := svc("redis", &strict); err == nil {
		t.Error("a field the kind does not know decoded without an error")
	}
}

// TestImportedByTestsOnly: the grader binary never links this package.
func TestImportedByTestsOnly(t *testing.T) {
	const self = "github.com/backendroadmap/grader/runner/runnertest"
	out, err := exec.Command("go", "list", "-e", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "github.com/backendroadmap/grader/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		for _, imp := range f[1:] {
			if imp == self {
				t.Errorf("%s imports %s, which is for tests only", f[0], self)
			}
		}
	}
}
