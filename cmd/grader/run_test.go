package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox"
)

// env builds a getenv for run that keeps grader's state inside the test.
func env(t *testing.T) func(string) string {
	home := t.TempDir()
	vars := map[string]string{"HOME": home, "GRADER_HOME": filepath.Join(home, "state"), "GRADER_CACHE": filepath.Join(home, "cache")}
	return func(k string) string { return vars[k] }
}

func TestInterruptedCheckExits130AndIsUngradable(t *testing.T) {
	getenv := env(t)
	ws := filepath.Join(t.TempDir(), "ws")
	var out, errOut bytes.Buffer
	if code := run(t.Context(), []string{"start", "git-branching", ws}, nil, &out, &errOut, getenv); code != exitPass {
		t.Fatalf("start: exit %d: %s", code, errOut.String())
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel() // as Ctrl-C does before grading finishes
	out.Reset()
	code := run(ctx, []string{"check", "--dir", ws, "--format", "json"}, nil, &out, &errOut, getenv)
	if code != exitInterrupted {
		t.Fatalf("interrupted check exited %d, want %d", code, exitInterrupted)
	}
	var rep runner.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("interrupted check printed no report: %v\n%s", err, out.String())
	}
	if rep.Status != runner.Error || rep.Gradable || !rep.Interrupted {
		t.Fatalf("interrupted report: status %s gradable %v interrupted %v; want error false true", rep.Status, rep.Gradable, rep.Interrupted)
	}
	// An interrupted check is nobody's attempt.
	out.Reset()
	run(t.Context(), []string{"list", "--format", "json"}, nil, &out, &errOut, getenv)
	if bytes.Contains(out.Bytes(), []byte(`"attempts": 1`)) {
		t.Fatal("an interrupted check was counted as an attempt")
	}
}

// TestInterruptedServerCheckLeavesNothing presses Ctrl-C while an API
// check's server is up, and finds nothing of this process's left on the
// engine: no container, volume or network.
func TestInterruptedServerCheckLeavesNothing(t *testing.T) {
	ok, err := condition("docker")
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		t.Skip("no Docker engine (this fails under CI)")
	}
	getenv := env(t)
	vars := map[string]string{sandbox.ImageMapEnv: imageMap}
	withMap := func(k string) string {
		if v, ok := vars[k]; ok {
			return v
		}
		return getenv(k)
	}
	ws := filepath.Join(t.TempDir(), "ws")
	var out, errOut bytes.Buffer
	if code := run(t.Context(), []string{"start", "api-todo", ws}, nil, &out, &errOut, withMap); code != exitPass {
		t.Fatalf("start: exit %d: %s", code, errOut.String())
	}
	e, err := sandbox.Connect(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"check", "--dir", ws, "--format", "json"}, nil, &out, &errOut, withMap)
	}()
	// Interrupt once the learner's server runs.
	deadline := time.Now().Add(2 * time.Minute)
	for !serverUp(t, e) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != exitInterrupted {
		t.Fatalf("interrupted check exited %d, want %d", code, exitInterrupted)
	}
	left, err := e.Leftovers(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range left {
		if r.Owner == e.Owner() {
			t.Errorf("left behind after Ctrl-C: %s", r)
		}
	}
}

// serverUp reports whether this process runs a learner's server.
func serverUp(t *testing.T, e *sandbox.Engine) bool {
	left, err := e.Leftovers(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range left {
		if r.Owner == e.Owner() && strings.HasPrefix(r.Name, "grader-app-") {
			return true
		}
	}
	return false
}
