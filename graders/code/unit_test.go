package code

// Tests that need no Docker: a fake sandbox plays the container's side.

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/runner/runnertest"
	"github.com/backendroadmap/grader/sandbox"
)

// fakeSandbox answers a run with what play returns; play sees the run's
// config (from stdin) and may write results into the output folder.
type fakeSandbox struct {
	runs atomic.Int32
	play func(cfg map[string]any, s sandbox.Spec) (*sandbox.Result, error)
}

func (f *fakeSandbox) Run(ctx context.Context, s sandbox.Spec) (*sandbox.Result, error) {
	f.runs.Add(1)
	var cfg map[string]any
	data, _ := io.ReadAll(s.Stdin)
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, err
	}
	if strings.Contains(string(data), "want") {
		return nil, errors.New("an expected value reached the sandbox")
	}
	return f.play(cfg, s)
}

const fakeSuite = `language: python
module: fizzbuzz
cases:
  - {id: one, group: small, call: fizzbuzz, args: [1], want: ["1"]}
  - {id: three, group: small, call: fizzbuzz, args: [3], want: ["1", "2", "Fizz"]}
`

func fakeChecks(t *testing.T, sb Sandbox) (*runner.Exercise, string) {
	t.Helper()
	files := fstest.MapFS{"tests/cases.yaml": {Data: []byte(fakeSuite)}}
	k := Kinds(sb)
	compile := func(kind string, with map[string]any) runner.Checker {
		c, err := k[kind].Compile(runnertest.Params(t, with, files))
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		return c
	}
	ex := &runner.Exercise{ID: "fake", Checks: []runner.Check{
		{ID: "compiles", Kind: "python.compiles", Checker: compile("python.compiles", nil)},
		{ID: "one", Kind: "python.test", Checker: compile("python.test", map[string]any{"cases": []string{"one"}})},
		{ID: "small", Kind: "python.test", Checker: compile("python.test", map[string]any{"groups": []string{"small"}})},
	}}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "fizzbuzz.py"), []byte("def fizzbuzz(n): pass\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return ex, dir
}

// results writes result lines where the harness would, as the sandbox's
// copy-out would leave them.
func results(t *testing.T, cfg map[string]any, s sandbox.Spec, lines ...map[string]any) {
	t.Helper()
	own := ".grader-" + cfg["nonce"].(string)
	if err := os.MkdirAll(filepath.Join(s.OutputDir, own), 0o755); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, l := range lines {
		if _, ok := l["nonce"]; !ok {
			l["nonce"] = cfg["nonce"]
		}
		j, _ := json.Marshal(l)
		b.Write(j)
		b.WriteByte('\n')
	}
	if err := os.WriteFile(filepath.Join(s.OutputDir, own, "results.jsonl"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func preambleLine(cfg map[string]any) []byte {
	return []byte("GRADER-PRE " + cfg["nonce"].(string) + ` {"syntax": []}` + "\n")
}

func statuses(rep *runner.Report) map[string]runner.Status {
	m := map[string]runner.Status{}
	for _, c := range rep.Checks {
		m[c.ID] = c.Status
	}
	return m
}

func TestChecksShareOneRunAndCompareOnTheHost(t *testing.T) {
	sb := &fakeSandbox{}
	sb.play = func(cfg map[string]any, s sandbox.Spec) (*sandbox.Result, error) {
		results(t, cfg, s,
			map[string]any{"id": "one", "status": "ok", "value": []string{"1"}},
			map[string]any{"id": "three", "status": "ok", "value": []string{"1", "2", "3"}})
		return &sandbox.Result{Stdout: preambleLine(cfg)}, nil
	}
	ex, dir := fakeChecks(t, sb)
	rep := runner.Run(t.Context(), ex, runner.Attempt{Dir: dir}, runner.Options{})
	if n := sb.runs.Load(); n != 1 {
		t.Errorf("%d sandbox runs for one attempt, want 1", n)
	}
	got := statuses(rep)
	if got["compiles"] != runner.Pass || got["one"] != runner.Pass || got["small"] != runner.Fail {
		t.Fatalf("statuses %v", got)
	}
	small := rep.Checks[2]
	if small.Expected != `["1", "2", "Fizz"]` || small.Actual != `["1", "2", "3"]` || !strings.Contains(small.Message, "case three: fizzbuzz(3) returned a wrong value") {
		t.Errorf("small: %q expected %q actual %q", small.Message, small.Expected, small.Actual)
	}
	if strings.Contains(small.Message, "Fizz") {
		t.Errorf("the message shows an expected value (hidden checks show their messages): %q", small.Message)
	}
}

func TestForgedResultsNeverPass(t *testing.T) {
	sb := &fakeSandbox{}
	sb.play = func(cfg map[string]any, s sandbox.Spec) (*sandbox.Result, error) {
		results(t, cfg, s,
			// A stale or guessed nonce is ignored; a second line for a case fails it.
			map[string]any{"id": "one", "nonce": "guess", "status": "ok", "value": []string{"1"}},
			map[string]any{"id": "three", "status": "pass", "pass": true},
			map[string]any{"id": "three", "status": "ok", "value": []string{"1", "2", "Fizz"}})
		return &sandbox.Result{Stdout: append(preambleLine(cfg), "PASS\nall cases pass\n"...)}, nil
	}
	ex, dir := fakeChecks(t, sb)
	rep := runner.Run(t.Context(), ex, runner.Attempt{Dir: dir}, runner.Options{})
	got := statuses(rep)
	if got["one"] != runner.Fail || got["small"] != runner.Fail {
		t.Fatalf("statuses %v, want one and small to fail", got)
	}
	if !strings.Contains(rep.Checks[2].Message, "has no result") {
		t.Errorf("small: %q", rep.Checks[2].Message)
	}
}

// TestLostResultsSayWhy: when the sandbox could not bring the results file
// back (the learner's code replaced it with a link), a case without a result
// says why, instead of guessing that the code stopped the tests.
func TestLostResultsSayWhy(t *testing.T) {
	sb := &fakeSandbox{}
	sb.play = func(cfg map[string]any, s sandbox.Spec) (*sandbox.Result, error) {
		own := ".grader-" + cfg["nonce"].(string)
		return &sandbox.Result{
			Stdout:       preambleLine(cfg),
			OutputErrors: []sandbox.OutputError{{Path: own + "/results.jsonl", Reason: "refused: a symbolic link (to /etc/passwd); only regular files are copied"}},
		}, nil
	}
	ex, dir := fakeChecks(t, sb)
	rep := runner.Run(t.Context(), ex, runner.Attempt{Dir: dir}, runner.Options{})
	if got := statuses(rep); got["small"] != runner.Fail {
		t.Fatalf("statuses %v, want small to fail", got)
	}
	msg := rep.Checks[2].Message
	for _, want := range []string{"has no result", "did not come back from the sandbox", "a symbolic link (to /etc/passwd)"} {
		if !strings.Contains(msg, want) {
			t.Errorf("small: %q lacks %q", msg, want)
		}
	}
}

func TestLimitIsTheLearnersFailure(t *testing.T) {
	sb := &fakeSandbox{}
	sb.play = func(cfg map[string]any, s sandbox.Spec) (*sandbox.Result, error) {
		results(t, cfg, s, map[string]any{"id": "one", "status": "ok", "value": []string{"1"}})
		marker := "\x1egrader-case " + cfg["nonce"].(string) + " "
		out := string(preambleLine(cfg)) + marker + "one\n" + marker + "three\nlooping\n"
		return &sandbox.Result{Stdout: []byte(out), Limit: sandbox.LimitTimeout, ExitCode: -1}, nil
	}
	ex, dir := fakeChecks(t, sb)
	rep := runner.Run(t.Context(), ex, runner.Attempt{Dir: dir}, runner.Options{})
	if rep.Status != runner.Fail || !rep.Gradable {
		t.Fatalf("report %s gradable %v, want a gradable failure", rep.Status, rep.Gradable)
	}
	small := rep.Checks[2].Message
	for _, w := range []string{"case three", "did not finish: the run timed out after 10s while this case ran", "looping"} {
		if !strings.Contains(small, w) {
			t.Errorf("small lacks %q: %s", w, small)
		}
	}
}

func TestSandboxFailureIsAnError(t *testing.T) {
	sb := &fakeSandbox{play: func(map[string]any, sandbox.Spec) (*sandbox.Result, error) {
		return nil, &sandbox.Error{Class: sandbox.ErrNoDocker, Msg: "cannot reach the Docker engine", Hint: "start Docker"}
	}}
	ex, dir := fakeChecks(t, sb)
	rep := runner.Run(t.Context(), ex, runner.Attempt{Dir: dir}, runner.Options{})
	if rep.Status != runner.Error || rep.Gradable {
		t.Fatalf("report %s gradable %v, want an ungradable error", rep.Status, rep.Gradable)
	}
	if c := rep.Checks[0]; !strings.Contains(c.Message, "cannot reach the Docker engine") || c.Hint != "start Docker" {
		t.Errorf("message %q, hint %q: want the sandbox's message and hint", c.Message, c.Hint)
	}
}

func TestCompileErrorsNameFileAndLine(t *testing.T) {
	out := "# example.com/stack\n./stack.go:12:5: undefined: foo\nvet: ./stack.go:3:2: unreachable code\n./grader_probe_test.go:9:7: undefined: NewStack\n"
	got := goDiagnostics(out)
	for _, w := range []string{"stack.go:12:5: undefined: foo", "stack.go:3:2: unreachable code", "the exercise's tests: undefined: NewStack"} {
		if !strings.Contains(got, w) {
			t.Errorf("goDiagnostics lacks %q:\n%s", w, got)
		}
	}
	if strings.Contains(got, "# example.com") {
		t.Errorf("kept the package header:\n%s", got)
	}
}

func TestEqual(t *testing.T) {
	n := func(s string) json.Number { return json.Number(s) }
	tests := []struct {
		name      string
		want, got any
		tol       float64
		unordered bool
		equal     bool
	}{
		{"int and float", n("2"), n("2.0"), 0, false, true},
		{"float rounding", n("0.3"), n("0.30000000000000004"), 0, false, true},
		{"tolerance", n("3.14159"), n("3.1416"), 1e-4, false, true},
		{"different", n("1"), n("2"), 0, false, false},
		{"string is not a number", n("1"), "1", 0, false, false},
		{"bool is not a number", n("1"), true, 0, false, false},
		{"ordered lists", []any{"a", "b"}, []any{"b", "a"}, 0, false, false},
		{"unordered lists", []any{"a", "b", "a"}, []any{"a", "a", "b"}, 0, true, true},
		{"unordered counts", []any{"a", "b"}, []any{"a", "a"}, 0, true, false},
		{"maps", map[string]any{"x": n("1")}, map[string]any{"x": n("1.0")}, 0, false, true},
		{"extra key", map[string]any{"x": n("1")}, map[string]any{"x": n("1"), "y": nil}, 0, false, false},
		{"nil", nil, nil, 0, false, true},
	}
	for _, tt := range tests {
		if got := equal(tt.want, tt.got, tt.tol, tt.unordered); got != tt.equal {
			t.Errorf("%s: equal(%v, %v) = %v, want %v", tt.name, tt.want, tt.got, got, tt.equal)
		}
	}
}

func TestSuiteProblemsAreTheAuthors(t *testing.T) {
	tests := []struct{ name, suite, want string }{
		{"unknown language", "language: ruby\ncases: [{id: a, call: f, want: 1}]", `"ruby" is not python or go`},
		{"no cases", "language: python\nmodule: m\ncases: []", "at least one case"},
		{"two outcomes", "language: python\nmodule: m\ncases: [{id: a, call: f, want: 1, raises: ValueError}]", "exactly one of want"},
		{"raises in go", "language: go\npackage: p\nprobe: p.go\ncases: [{id: a, call: f, raises: E}]", "for Python suites"},
		{"call and stdin", "language: python\nmodule: m\nentry: m.py\ncases: [{id: a, call: f, stdin: x}]", "either call"},
		{"go without probe", "language: go\npackage: p\ncases: [{id: a, call: f, want: 1}]", "probe: required"},
		{"duplicate id", "language: python\nmodule: m\ncases: [{id: a, call: f, want: 1}, {id: a, call: f, want: 2}]", "used twice"},
		{"unknown field", "language: python\nmodule: m\nwant: 1\ncases: [{id: a, call: f, want: 1}]", "field want not found"},
		{"memory above the cap", "language: python\nmodule: m\nmemory: 64GiB\ncases: [{id: a, call: f, want: 1}]", "above the cap"},
	}
	for _, tt := range tests {
		files := fstest.MapFS{"tests/cases.yaml": {Data: []byte(tt.suite)}, "p.go": {Data: []byte("package p")}}
		_, err := Kinds(nil)["python.test"].Compile(runnertest.Params(t, nil, files))
		var pe *runner.ParamError
		if !errors.As(err, &pe) || !strings.Contains(pe.Msg, tt.want) {
			t.Errorf("%s: error %v, want a ParamError saying %q", tt.name, err, tt.want)
		}
	}
}

// A suite that asks for the race detector cannot be graded without it: a
// racy solution would pass. An image without a C compiler is the machine's
// problem (an error), never the learner's pass.
func TestRaceDetectorMissingIsAnError(t *testing.T) {
	files := fstest.MapFS{
		"tests/cases.yaml":    {Data: []byte("language: go\npackage: pool\nrace: true\nprobe: tests/probe_test.go\ncases:\n  - {id: one, call: Map, args: [1], want: 1}\n")},
		"tests/probe_test.go": {Data: []byte("package pool\n")},
	}
	sb := &fakeSandbox{play: func(cfg map[string]any, s sandbox.Spec) (*sandbox.Result, error) {
		if got := strings.Join(s.Cmd, " "); !strings.HasSuffix(got, " 1") {
			t.Errorf("driver command %q does not ask for the race detector", got)
		}
		results(t, cfg, s, map[string]any{"id": "one", "status": "ok", "value": 1})
		pre := "GRADER-PRE " + cfg["nonce"].(string) + ` {"vet":0,"build":0,"race":"unavailable"}` + "\n"
		return &sandbox.Result{Stdout: []byte(pre)}, nil
	}}
	c, err := Kinds(sb)["go.test"].Compile(runnertest.Params(t, nil, files))
	if err != nil {
		t.Fatal(err)
	}
	ex := &runner.Exercise{ID: "fake", Checks: []runner.Check{{ID: "safe", Kind: "go.test", Checker: c}}}
	rep := runner.Run(t.Context(), ex, runner.Attempt{Dir: t.TempDir()}, runner.Options{})
	if rep.Status != runner.Error || rep.Gradable {
		t.Fatalf("report %s gradable %v, want an ungradable error", rep.Status, rep.Gradable)
	}
	if c := rep.Checks[0]; !strings.Contains(c.Message, "race detector") || !strings.Contains(c.Hint, "make images") {
		t.Errorf("message %q, hint %q: want what is missing and what to do", c.Message, c.Hint)
	}
}
