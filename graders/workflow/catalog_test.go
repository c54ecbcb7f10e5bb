package workflow

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backendroadmap/grader/exercises"
	"github.com/backendroadmap/grader/runner"
)

// catalogDir is the DevOps track of the embedded catalog, read from disk so
// the tests prove what ships.
const catalogDir = "../../exercises/catalog/devops"

// The pipeline exercises are proven against the real sandbox: the starter
// fails, the reference solution passes, each known-wrong workflow fails its
// checks.
func TestCIExercisesAreProven(t *testing.T) {
	for _, id := range []string{"ci-workflow", "ci-matrix", "ci-release-tags"} {
		t.Run(id, func(t *testing.T) { proveExercise(t, id) })
	}
}

func proveExercise(t *testing.T, id string) {
	e := requireEngine(t)
	c, err := exercises.NewCatalog(os.DirFS(catalogDir), "devops", Kinds(e))
	if err != nil {
		t.Fatal(err)
	}
	ex, err := c.Exercise(id)
	if err != nil {
		t.Fatal(err)
	}
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
}

// Workflows a learner may well write: the right ones pass every check of
// ci-workflow (the exercise is no stricter than its instructions), the
// wrong ones fail the check named.
func TestCIWorkflowAttempts(t *testing.T) {
	e := requireEngine(t)
	c, err := exercises.NewCatalog(os.DirFS(catalogDir), "devops", Kinds(e))
	if err != nil {
		t.Fatal(err)
	}
	ex, err := c.Exercise("ci-workflow")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		workflow string
		fail     string // the first check that fails; "" passes all
	}{
		{"matrix, runs-on from it, upgrade pip, template's install line", `name: Python package
on:
  push:
    branches: [ "main" ]
  pull_request:
    branches: [ "main" ]
jobs:
  test:
    runs-on: ${{ matrix.os }}
    strategy:
      fail-fast: false
      matrix:
        os: [ubuntu-latest]
        python-version: ["3.10", "3.11", "3.12"]
    steps:
    - uses: actions/checkout@v4
    - name: Set up Python ${{ matrix.python-version }}
      uses: actions/setup-python@v5
      with:
        python-version: ${{ matrix.python-version }}
        cache: pip
    - name: Install dependencies
      run: |
        python -m pip install --upgrade pip
        if [ -f requirements.txt ]; then pip install -r requirements.txt; fi
    - name: Test with pytest
      run: |
        python -m pytest -v
`, ""},
		{"all pushes, older actions, one step, 3.11.x, continued line", `on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v3         # older, still run by GitHub
      - uses: actions/setup-python@v4
        with: {python-version: 3.11.x}
      - run: |
          python -m pip install \
            -r "requirements.txt"
          python3.11 -m pytest tests
      - uses: actions/upload-artifact@v4
        if: always()
        with: {name: logs, path: .}
`, ""},
		{"pytest runs only where the tests of one file are", `on:
  push: {branches: [main]}
  pull_request: {branches: [main]}
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with: {python-version: "3.11"}
      - run: pip install -r requirements.txt
      - run: python -m pytest tests/test_calc.py tests/test_parse.py
`, "catches"},
		{"pull requests to master", `on:
  push: {branches: [main]}
  pull_request: {branches: [master]}
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with: {python-version: "3.11"}
      - run: pip install -r requirements.txt
      - run: python -m pytest
`, "triggers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := exercises.Apply(ex, ex.Starter, dir); err != nil {
				t.Fatal(err)
			}
			wf := filepath.Join(dir, ".github", "workflows", "ci.yml")
			if err := os.MkdirAll(filepath.Dir(wf), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(wf, []byte(tt.workflow), 0o644); err != nil {
				t.Fatal(err)
			}
			rep := runner.Run(t.Context(), &ex.Exercise, runner.Attempt{Dir: dir, Strict: true}, runner.Options{})
			first := ""
			for _, ch := range rep.Checks {
				if ch.Status == runner.Error {
					t.Fatalf("check %s could not run: %s", ch.ID, ch.Message)
				}
				if ch.Status == runner.Fail && first == "" {
					first = ch.ID
				}
			}
			if first != tt.fail {
				var b strings.Builder
				for _, ch := range rep.Checks {
					b.WriteString("\n" + ch.ID + " " + string(ch.Status) + ": " + ch.Message)
				}
				t.Errorf("first failing check %q, want %q:%s", first, tt.fail, b.String())
			}
		})
	}
}
