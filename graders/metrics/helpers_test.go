package metrics

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/backendroadmap/grader/graders/httpcheck"
	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/runner/runnertest"
	"github.com/backendroadmap/grader/sandbox"
	"github.com/backendroadmap/grader/sandbox/attempt"
	"github.com/backendroadmap/grader/sandbox/sandboxtest"
)

// fakeTarget is an httptest server standing for the learner's.
type fakeTarget struct{ url string }

func (t fakeTarget) URL() string                                   { return t.url }
func (t fakeTarget) Output() string                                { return "" }
func (t fakeTarget) Exited(context.Context) string                 { return "" }
func (t fakeTarget) Hooks(context.Context) ([]attempt.Hook, error) { return nil, nil }

type fakeServers struct{ t httpcheck.Target }

func (s fakeServers) Server(context.Context, runner.Attempt, attempt.Request) (httpcheck.Target, error) {
	return s.t, nil
}

// serve starts h as the learner's server.
func serve(t *testing.T, h http.Handler) httpcheck.Servers {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return fakeServers{fakeTarget{srv.URL}}
}

// compile compiles kind with `with:` written in YAML, in an exercise whose
// server is Python.
func compile(t *testing.T, ks runner.Kinds, kind, with string) (runner.Checker, error) {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(with), &n); err != nil {
		t.Fatal(err)
	}
	return ks[kind].Compile(runner.Params{
		Decode: func(v any) error { return n.Content[0].Decode(v) },
		Service: func(name string, v any) error {
			if name != "server" {
				return runner.ErrNoService
			}
			return yaml.Unmarshal([]byte("language: python"), v)
		},
	})
}

func mustCompile(t *testing.T, ks runner.Kinds, kind, with string) runner.Checker {
	t.Helper()
	c, err := compile(t, ks, kind, with)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return c
}

// check runs c as the runner does, on an attempt over dir.
func check(t *testing.T, c runner.Checker, dir string) runner.Outcome {
	t.Helper()
	a := runner.Attempt{Dir: dir, Memo: &runner.Memo{}}
	t.Cleanup(a.Memo.Close)
	return runnertest.Run(t, c, a)
}

// sandboxServers starts the learner's server as grader does: in the
// sandbox, on the attempt's private network. It fails the test under
// CI=true when Docker is missing, and checks nothing is left behind.
func sandboxServers(t *testing.T) httpcheck.Servers {
	t.Helper()
	eng, err := sandbox.Connect(t.Context())
	if err != nil {
		sandboxtest.Unavailable(t, "docker: %v", err)
	}
	eng.Images = sandboxtest.Images(t)
	t.Cleanup(func() {
		left, err := eng.Leftovers(context.Background(), 0)
		if err != nil {
			t.Error(err)
		}
		for _, r := range left {
			if r.Owner == eng.Owner() {
				t.Errorf("left behind: %s", r)
			}
		}
		_ = eng.Close()
	})
	return &attemptServers{p: &attempt.Provider{Engine: func(context.Context) (*sandbox.Engine, error) { return eng, nil }}}
}

type attemptServers struct{ p *attempt.Provider }

func (s *attemptServers) Server(ctx context.Context, a runner.Attempt, req attempt.Request) (httpcheck.Target, error) {
	env, err := s.p.Env(a.Memo, a.Dir)
	if err != nil {
		return nil, err
	}
	srv, err := env.Server(ctx, req)
	if srv == nil {
		return nil, err
	}
	return srv, err
}

// workspace writes files into a new folder.
func workspace(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
