package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// buildPair builds the lean grader and grader-full into one new folder, as
// `make build` does, and returns the lean one's path. With race, both are
// built with the race detector, whose packages a `go test -race` run has
// already compiled (without -trimpath, as it compiles them), so little
// more than linking is left.
func buildPair(race bool) (string, error) {
	dir, err := os.MkdirTemp("", "grader-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "grader")
	for _, b := range []struct{ out, tags string }{{bin, "lean"}, {filepath.Join(dir, fullBinary), ""}} {
		args := []string{"build", "-tags", b.tags, "-o", b.out}
		env := append(os.Environ(), "CGO_ENABLED=0")
		if race {
			// As `go test -race` built them, so its compiled packages serve.
			args = append(args, "-race")
			env = append(os.Environ(), "CGO_ENABLED=1")
		} else {
			args = append(args, "-trimpath")
		}
		cmd := exec.Command("go", append(args, ".")...)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return bin, nil
}

// TestLeanPair runs the two binaries `make build` makes: the lean grader
// grades a git exercise by itself, and hands an exercise whose kinds it
// leaves out to grader-full, which alone can read those kinds' parameters,
// and the commands that need Docker, whose flags only grader-full knows;
// without grader-full, that is an installation error saying what to do.
func TestLeanPair(t *testing.T) {
	if testing.Short() {
		t.Skip("builds grader twice")
	}
	bin, err := buildPair(raceBuild)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(filepath.Dir(bin)) })
	lean := filepath.Join(t.TempDir(), "grader")
	if err := os.Link(bin, lean); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	env := append(os.Environ(), "HOME="+home, "XDG_STATE_HOME="+home, "XDG_CACHE_HOME="+home, "NO_COLOR=1", "PATH=/usr/bin:/bin")
	grader := func(dir, exe string, args ...string) (code int, stdout, stderr string) {
		t.Helper()
		cmd := exec.Command(exe, args...)
		cmd.Dir, cmd.Env = dir, env
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			code = ee.ExitCode()
		case err != nil:
			t.Fatalf("%s %v: %v", exe, args, err)
		}
		return code, o.String(), e.String()
	}

	// A learner's git exercise: the lean grader alone grades it.
	ws := filepath.Join(t.TempDir(), "git-branching")
	if code, _, stderr := grader(home, lean, "start", "git-branching", ws); code != 0 {
		t.Fatalf("start: exit %d\n%s", code, stderr)
	}
	code, stdout, stderr := grader(ws, lean, "check")
	if code != exitFail || !strings.Contains(stdout, "git-branching") {
		t.Fatalf("lean check of the starter: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitFail, stdout, stderr)
	}

	// A catalog whose API exercise names a spec file that is not there.
	cat := t.TempDir()
	src := filepath.Join("..", "..", "exercises", "catalog", "apis", "api-openapi")
	if err := os.CopyFS(filepath.Join(cat, "api-openapi"), os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	spec := filepath.Join(cat, "api-openapi", "exercise.yaml")
	data, err := os.ReadFile(spec)
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(data), "spec: openapi.yaml", "spec: no-such-file.yaml", 1)
	if broken == string(data) {
		t.Fatal("api-openapi no longer names spec: openapi.yaml; pick another line to break")
	}
	if err := os.WriteFile(spec, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}

	code, _, stderr = grader(home, lean, "validate", "--catalog", cat)
	if code != exitInfra || !strings.Contains(stderr, "no grader-full was found") || !strings.Contains(stderr, "make build") {
		t.Fatalf("lean validate without grader-full: exit %d, want %d with what to do\nstderr:\n%s", code, exitInfra, stderr)
	}

	// Docker's commands are grader-full's, flags and all.
	code, _, stderr = grader(home, lean, "gc", "--older-than", "-1s")
	if code != exitInfra || !strings.Contains(stderr, "grader gc is left to grader-full") || !strings.Contains(stderr, "make build") {
		t.Fatalf("lean gc without grader-full: exit %d, want %d with what to do\nstderr:\n%s", code, exitInfra, stderr)
	}

	// Their help is the summary alone, and says where the rest is.
	for _, args := range [][]string{{"help", "gc"}, {"gc", "--help"}} {
		code, stdout, stderr = grader(home, lean, args...)
		if code != 0 || !strings.Contains(stdout, gcCmd.short) || strings.Contains(stdout, "Only resources grader labelled") ||
			!strings.Contains(stderr, "grader-full, which was not found") {
			t.Fatalf("lean %v without grader-full: exit %d, want 0 with the summary and a note\nstdout:\n%s\nstderr:\n%s", args, code, stdout, stderr)
		}
	}

	if err := os.Link(filepath.Join(filepath.Dir(bin), fullBinary), filepath.Join(filepath.Dir(lean), fullBinary)); err != nil {
		t.Fatal(err)
	}
	// With grader-full, it is grader-full's whole help, flags and all.
	for _, args := range [][]string{{"help", "gc"}, {"gc", "--help"}} {
		code, stdout, stderr = grader(home, lean, args...)
		if code != 0 || !strings.Contains(stdout, "Only resources grader labelled") || !strings.Contains(stdout, "--dry-run ") {
			t.Fatalf("lean %v, handed to grader-full: exit %d, want grader-full's help with the flags\nstdout:\n%s\nstderr:\n%s", args, code, stdout, stderr)
		}
	}
	code, _, stderr = grader(home, lean, "gc", "--older-than", "-1s")
	if code != exitUsage || !strings.Contains(stderr, "--older-than must not be negative") {
		t.Fatalf("lean gc, handed to grader-full: exit %d, want %d from grader-full's flag check\nstderr:\n%s", code, exitUsage, stderr)
	}
	code, stdout, stderr = grader(home, lean, "validate", "--catalog", cat)
	if code != exitUsage || !strings.Contains(stdout+stderr, "no-such-file.yaml") {
		t.Fatalf("lean validate, handed to grader-full: exit %d, want %d naming the missing spec file\nstdout:\n%s\nstderr:\n%s", code, exitUsage, stdout, stderr)
	}
}
