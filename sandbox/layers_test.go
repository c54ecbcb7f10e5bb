package sandbox

import (
	"os/exec"
	"strings"
	"testing"
)

// TestOnlyTheEngineTalksToDocker: package sandbox is the one home of the
// Docker SDK ([Engine]); every other package (sandbox/postgres included)
// starts, finds and removes containers through it, so labels, image checks,
// error mapping and cleanup live in one place. Test helpers (…test packages,
// imported by tests only) may use testcontainers.
func TestOnlyTheEngineTalksToDocker(t *testing.T) {
	const mod = "github.com/backendroadmap/grader"
	out, err := exec.Command("go", "list", "-e", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, mod+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	seen := 0
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkg := f[0]
		seen++
		if pkg == mod+"/sandbox" || strings.HasSuffix(pkg, "test") {
			continue
		}
		for _, imp := range f[1:] {
			for _, sdk := range []string{"github.com/moby/", "github.com/docker/", "github.com/testcontainers/"} {
				if strings.HasPrefix(imp, sdk) {
					t.Errorf("%s imports %s: talk to Docker through sandbox.Engine", pkg, imp)
				}
			}
		}
	}
	if seen < 10 {
		t.Fatalf("go list found only %d packages", seen)
	}
}
