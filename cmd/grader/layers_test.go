package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestPackageLayers locks the one-way package graph (STYLE.md, "Package
// map"): catalog → runner → sandbox/graders → report, with cmd/grader alone
// wiring them. Each rule names what a layer must not import; a new grader
// family that bends the graph fails here, not in review.
func TestPackageLayers(t *testing.T) {
	const mod = "github.com/backendroadmap/grader/"
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, mod+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	imports := map[string][]string{}
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkg := strings.TrimPrefix(f[0], mod)
		for _, imp := range f[1:] {
			if rest, ok := strings.CutPrefix(imp, mod); ok {
				imports[pkg] = append(imports[pkg], rest)
			}
		}
		if _, ok := imports[pkg]; !ok {
			imports[pkg] = nil
		}
	}
	under := func(p, prefix string) bool { return p == prefix || strings.HasPrefix(p, prefix+"/") }
	// layer returns the rules for pkg: prefixes it may not import.
	forbidden := func(pkg string) []string {
		switch {
		case under(pkg, "fault"):
			// Every layer classifies its errors with it: it imports none.
			return []string{"runner", "exercises", "graders", "sandbox", "report", "progress", "course", "classroom", "internal", "cmd"}
		case pkg == "runner":
			return []string{"exercises", "graders", "sandbox", "report", "progress", "course", "cmd"}
		case under(pkg, "sandbox"):
			return []string{"runner", "exercises", "graders", "report", "progress", "cmd"}
		case under(pkg, "exercises"):
			return []string{"graders", "sandbox", "report", "progress", "cmd"}
		case under(pkg, "report"), under(pkg, "progress"):
			return []string{"exercises", "graders", "sandbox", "course", "cmd"}
		case under(pkg, "classroom"):
			// The service queues and records; how a check runs is the
			// Grader cmd/grader hands it.
			return []string{"graders", "sandbox", "progress", "cmd"}
		case under(pkg, "course"):
			// Course-scale grading reads results, never runs anything.
			return []string{"exercises", "graders", "sandbox", "progress", "cmd"}
		case under(pkg, "graders"):
			// A grader family never imports another one, nor the catalog,
			// except the HTTP family: the families that attack or probe the
			// learner's server (security, browser) send its requests, in its
			// format, through its exported bridge (httpcheck.Script).
			family := strings.Join(strings.SplitN(pkg, "/", 3)[:2], "/")
			var fs []string
			for other := range imports {
				if under(other, "graders") && !under(other, family) && other != "graders/httpcheck" {
					fs = append(fs, other)
				}
			}
			return append(fs, "exercises", "report", "progress", "cmd")
		}
		return nil
	}
	for pkg, imps := range imports {
		for _, imp := range imps {
			if under(imp, "sandbox/sandboxtest") || strings.HasSuffix(imp, "/pgtest") {
				continue // test helpers, imported by tests only
			}
			if slices.ContainsFunc(forbidden(pkg), func(f string) bool { return under(imp, f) }) {
				t.Errorf("%s imports %s, which its layer may not", pkg, imp)
			}
		}
	}
	if len(imports) < 10 {
		t.Fatalf("go list found only %d packages: %v", len(imports), imports)
	}
}
