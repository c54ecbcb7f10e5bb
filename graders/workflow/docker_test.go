package workflow

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox"
	"github.com/backendroadmap/grader/sandbox/sandboxtest"
)

// requireEngine returns a sandbox engine with the repository's image map,
// failing the test under CI=true when Docker is unreachable and skipping it
// otherwise. After the test it checks that nothing it made is left.
func requireEngine(t testing.TB) *sandbox.Engine {
	t.Helper()
	return sandboxtest.Engine(t)
}

// writeFiles makes a workspace of path → content.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const dockerWorkflow = `on:
  push:
    branches: [main]
env:
  GREETING: hello
jobs:
  test:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        python-version: ["3.11", "3.12"]
    steps:
      - name: Nothing before checkout
        run: test ! -e check.sh
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: ${{ matrix.python-version }}
      - uses: actions/cache@v4
        with: {path: x, key: y}
      - name: Export
        run: |
          echo "FROM_STEP=set by a step" >> "$GITHUB_ENV"
          mkdir -p "$RUNNER_TEMP/bin"
          printf '#!/bin/sh\necho tool ran\n' > "$RUNNER_TEMP/bin/mytool"
          chmod +x "$RUNNER_TEMP/bin/mytool"
          echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"
      - name: Read
        working-directory: sub
        env:
          LOCAL: ${{ env.GREETING }}-${{ github.ref_name }}
        run: |
          test "$FROM_STEP" = "set by a step"
          test "$LOCAL" = hello-main
          test "$CI" = true && test "$RUNNER_OS" = Linux
          test "$(basename "$PWD")" = sub
          mytool
          python --version | grep -q 3.11
          pip --version
      - name: Allowed to fail
        continue-on-error: true
        run: false | cat
      - name: Check
        run: bash check.sh
      - name: Only after a failure
        if: failure()
        run: echo reporting
      - name: Always
        if: always()
        run: echo cleanup
`

func TestRunDocker(t *testing.T) {
	e := requireEngine(t)
	dir := writeFiles(t, map[string]string{
		".github/workflows/ci.yml": dockerWorkflow,
		"check.sh":                 "echo checking\nexit 1\n",
		"sub/keep":                 "",
	})
	prm := &RunParams{Job: "test", MatrixValue: "3.11", Plant: []Plant{
		{Name: "a check.sh that passes", Files: map[string]string{"check.sh": "echo fine\n"}},
	}}
	if err := prm.Validate(); err != nil {
		t.Fatal(err)
	}
	k := &runKind{sb: e}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	r, err := k.execute(ctx, runner.Attempt{Dir: dir, Memo: &runner.Memo{}}, DefaultFile, prm, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("two variants in one sandbox: %s", time.Since(start).Round(time.Millisecond))
	if r.refused != "" {
		t.Fatalf("refused: %s", r.refused)
	}
	if len(r.variants) != 2 {
		t.Fatalf("%d variants, want 2 (the 3.11 combination, as is and planted)", len(r.variants))
	}
	outcomes := func(v int) string {
		var out []string
		for k := range r.job.Steps {
			if st := r.results[v].steps[k]; st != nil {
				out = append(out, st.outcome)
			} else {
				out = append(out, "-")
			}
		}
		return strings.Join(out, " ")
	}
	// As is: check.sh fails, so the failure() step runs and the job fails.
	if got, want := outcomes(0), "success success success success success success failure failure success success"; got != want {
		for k, st := range r.results[0].steps {
			t.Logf("step %d: %s %d\n%s", k, st.outcome, st.exit, st.tail)
		}
		t.Errorf("variant 0 outcomes:\n got %s\nwant %s", got, want)
	}
	if r.results[0].conclusion != "failure" {
		t.Errorf("variant 0 concluded %q", r.results[0].conclusion)
	}
	// Planted check.sh passes: the failure() step is skipped, the job succeeds
	// despite the step that continues on error.
	if got, want := outcomes(1), "success success success success success success failure success skipped success"; got != want {
		t.Errorf("variant 1 outcomes:\n got %s\nwant %s", got, want)
	}
	if r.results[1].conclusion != "success" {
		t.Errorf("variant 1 concluded %q", r.results[1].conclusion)
	}
	o := judge([]*jobRun{r}, prm)
	if o.Status != runner.Fail || !strings.Contains(o.Message, `step "Check" (.github/workflows/ci.yml:43) failed with exit code 1`) || !strings.Contains(o.Message, "checking") {
		t.Errorf("judge: %s: %s", o.Status, o.Message)
	}
}

func TestRunDockerUnemulated(t *testing.T) {
	e := requireEngine(t)
	dir := writeFiles(t, map[string]string{".github/workflows/ci.yml": `on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-python@v5
        with: {python-version: "3.12"}
      - uses: someone/deploy@v1
        if: always()
`})
	prm := &RunParams{Job: "test"}
	if err := prm.Validate(); err != nil {
		t.Fatal(err)
	}
	r, err := (&runKind{sb: e}).execute(t.Context(), runner.Attempt{Dir: dir, Memo: &runner.Memo{}}, DefaultFile, prm, true)
	if err != nil {
		t.Fatal(err)
	}
	o := judge([]*jobRun{r}, prm)
	if o.Status != runner.Fail || !strings.Contains(o.Message, "Python 3.12 is not available on this runner") {
		t.Errorf("judge: %s: %s", o.Status, o.Message)
	}
	if st := r.results[0].steps[1]; st == nil || !strings.Contains(st.tail, "`uses: someone/deploy@v1` is not emulated") {
		t.Errorf("step 2: %+v", st)
	}
}
