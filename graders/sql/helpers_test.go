package sql

// Tests against a real PostgreSQL: one throwaway server for the package,
// started the way `grader check` starts one. They fail under CI=true when
// Docker is missing and skip only elsewhere.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox/attempt"
	"github.com/backendroadmap/grader/sandbox/postgres"
	"github.com/backendroadmap/grader/sandbox/sandboxtest"
)

var shared struct {
	once sync.Once
	srv  *postgres.Server
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.srv != nil {
		if err := shared.srv.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "remove the test server:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// server returns the package's PostgreSQL server, starting it once.
func server(t testing.TB) *postgres.Server {
	t.Helper()
	shared.once.Do(func() {
		images, err := sandboxtest.ImageMap()
		if err != nil {
			shared.err = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		svc := &postgres.Service{Images: images, IdleTimeout: 10 * time.Minute, StateDir: os.TempDir()}
		shared.srv, shared.err = svc.Start(ctx)
	})
	if shared.err != nil {
		sandboxtest.Unavailable(t, "PostgreSQL for the tests: %v", shared.err)
	}
	return shared.srv
}

// provider gives attempts their databases on the package's server, through
// the attempt's environment, as the CLI does.
func provider(t testing.TB) Databases {
	srv := server(t)
	return envDatabases{&attempt.Provider{Databases: func(context.Context, string) (*postgres.Server, error) { return srv, nil }}}
}

// envDatabases serves [Databases] from each attempt's environment.
type envDatabases struct{ p *attempt.Provider }

func (d envDatabases) Database(ctx context.Context, a runner.Attempt, spec attempt.DatabaseSpec) (*postgres.Attempt, error) {
	env, err := d.p.Env(a.Memo, a.Dir)
	if err != nil {
		return nil, err
	}
	return env.Database(ctx, spec)
}

// exercise is an exercise's files and services block, for compiling kinds.
type exercise struct {
	files    fstest.MapFS
	services string // the YAML of services.postgres
}

// compile compiles one check of kind from its `with:` YAML.
func (ex exercise) compile(t testing.TB, kinds runner.Kinds, kind, with string) runner.Checker {
	t.Helper()
	c, err := ex.tryCompile(kinds, kind, with)
	if err != nil {
		t.Fatalf("compile %s: %v", kind, err)
	}
	return c
}

func (ex exercise) tryCompile(kinds runner.Kinds, kind, with string) (runner.Checker, error) {
	return ex.compileParams(kinds, kind, with, false)
}

// compileHidden compiles one check of kind as a `visibility: hidden` one.
func (ex exercise) compileHidden(t testing.TB, kinds runner.Kinds, kind, with string) runner.Checker {
	t.Helper()
	c, err := ex.compileParams(kinds, kind, with, true)
	if err != nil {
		t.Fatalf("compile %s: %v", kind, err)
	}
	return c
}

func (ex exercise) compileParams(kinds runner.Kinds, kind, with string, hidden bool) (runner.Checker, error) {
	decode := func(src string) func(v any) error {
		return func(v any) error {
			if src == "" {
				return nil
			}
			dec := yaml.NewDecoder(strings.NewReader(src))
			dec.KnownFields(true)
			return dec.Decode(v)
		}
	}
	return kinds[kind].Compile(runner.Params{
		Decode: decode(with),
		Files:  ex.files,
		Service: func(name string, v any) error {
			if name != "postgres" {
				return fmt.Errorf("no service %s", name)
			}
			return decode(ex.services)(v)
		},
		Hidden: hidden,
	})
}

// workspace writes a learner's files into a fresh folder.
func workspace(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// check runs checkers as one attempt (sharing its Memo, cleaned up after)
// and returns their outcomes.
func check(t testing.TB, dir string, checkers ...runner.Checker) []runner.Outcome {
	t.Helper()
	ex := &runner.Exercise{}
	for i, c := range checkers {
		ex.Checks = append(ex.Checks, runner.Check{ID: fmt.Sprintf("c%d", i), Checker: c, Timeout: time.Minute})
	}
	rep := runner.Run(t.Context(), ex, runner.Attempt{Dir: dir}, runner.Options{})
	var out []runner.Outcome
	for _, r := range rep.Checks {
		out = append(out, runner.Outcome{Status: r.Status, Message: r.Message, Expected: r.Expected, Actual: r.Actual})
	}
	return out
}
