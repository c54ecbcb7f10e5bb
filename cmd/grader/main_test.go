package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/backendroadmap/grader/sandbox"
	"github.com/backendroadmap/grader/sandbox/postgres"
	"github.com/backendroadmap/grader/sandbox/postgres/pgtest"
)

var update = flag.Bool("update", false, "rewrite testscript golden files in place")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"grader": func() {
			os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
		},
	})
}

// TestScripts runs the CLI sessions in testdata/script: a learner, an
// instructor or CI at a terminal, with the real git CLI.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		UpdateScripts:       *update,
		Cmds:                map[string]func(*testscript.TestScript, bool, []string){"exits": exits, "pgserver": pgserver},
		Condition:           condition,
		Setup: func(env *testscript.Env) error {
			home := filepath.Join(env.WorkDir, "home")
			for k, v := range map[string]string{
				"HOME":                home,
				"GRADER_HOME":         filepath.Join(home, "state"),
				"GRADER_CACHE":        filepath.Join(home, "cache"),
				"GIT_AUTHOR_NAME":     "Learner",
				"GIT_AUTHOR_EMAIL":    "learner@example.com",
				"GIT_COMMITTER_NAME":  "Learner",
				"GIT_COMMITTER_EMAIL": "learner@example.com",
				"GIT_CONFIG_NOSYSTEM": "1",
				"GIT_CONFIG_GLOBAL":   filepath.Join(home, "gitconfig"),
				// The repository's image map: exercises name public images
				// (postgres:15), the tests run the local builds.
				sandbox.ImageMapEnv: imageMap,
			} {
				env.Setenv(k, v)
			}
			// A script that fails half-way leaves no warm database behind.
			env.Defer(func() {
				svc := &postgres.Service{StateDir: filepath.Join(home, "cache", "postgres")}
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				if _, err := os.Stat(svc.StateDir); err == nil {
					_, _ = svc.RemoveWarm(ctx)
				}
			})
			// Nor a warm code sandbox.
			env.Defer(func() {
				w := sandbox.Warm{StateDir: filepath.Join(home, "cache", "sandbox")}
				if _, err := os.Stat(w.StateDir); err != nil {
					return
				}
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				if e, err := sandbox.Connect(ctx); err == nil {
					_, _ = e.RemoveWarm(ctx, w)
					_ = e.Close()
				}
			})
			return os.MkdirAll(home, 0o755)
		},
	})
}

// exits runs a command and asserts its exact exit code (`exits 3 grader ...`):
// the codes are a contract, and `! exec` cannot tell 1 from 2 or 3. Output is
// kept for stdout/stderr assertions as with exec.
func exits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: %q is not an exit code", args[0])
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("exits: %v", err)
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

// imageMap is sandbox/images/imagemap.json, unless GRADER_IMAGE_MAP says
// otherwise.
var imageMap = func() string {
	if v := os.Getenv(sandbox.ImageMapEnv); v != "" {
		return v
	}
	abs, _ := filepath.Abs(filepath.Join("..", "..", "sandbox", "images", "imagemap.json"))
	return abs
}()

// pgserver starts a plain PostgreSQL, as a CI job's service container would
// be, and sets $PGURL to its superuser URL (`pgserver`); it is removed when
// the script ends.
func pgserver(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: pgserver")
	}
	url, stop, err := pgtest.Start(context.Background())
	if stop != nil {
		ts.Defer(func() {
			if err := stop(); err != nil {
				ts.Logf("remove the PostgreSQL server: %v", err)
			}
		})
	}
	if err != nil {
		ts.Fatalf("pgserver: %v", err)
	}
	ts.Setenv("PGURL", url)
}

// condition answers [docker]: is a Docker engine reachable? Under CI (the CI
// variable set) an unreachable engine is an error, so a script that needs
// Docker fails there instead of skipping.
func condition(cond string) (bool, error) {
	if cond != "docker" {
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	e, err := sandbox.Connect(ctx)
	if err != nil {
		if os.Getenv("CI") != "" {
			return false, fmt.Errorf("CI needs Docker: %v", err)
		}
		return false, nil
	}
	return true, e.Close()
}
