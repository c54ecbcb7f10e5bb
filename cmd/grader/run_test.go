package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/backendroadmap/grader/runner"
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
