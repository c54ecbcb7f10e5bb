package httpcheck

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox/attempt"
)

// fakeTarget stands for the learner's server: an httptest server, with
// the output, exit and webhooks a test sets.
type fakeTarget struct {
	url    string
	output string

	mu     sync.Mutex
	exited string
	hooks  []attempt.Hook
	// hooksErr fails Hooks.
	hooksErr error
}

func (t *fakeTarget) URL() string    { return t.url }
func (t *fakeTarget) Output() string { return t.output }

func (t *fakeTarget) Exited(context.Context) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.exited
}

func (t *fakeTarget) Hooks(context.Context) ([]attempt.Hook, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]attempt.Hook(nil), t.hooks...), t.hooksErr
}

func (t *fakeTarget) addHook(h attempt.Hook) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.hooks = append(t.hooks, h)
}

// fakeServers hands out one target (or an error) and records what it was
// asked for.
type fakeServers struct {
	target *fakeTarget
	err    error

	mu   sync.Mutex
	reqs []attempt.Request
}

func (s *fakeServers) Server(_ context.Context, _ runner.Attempt, req attempt.Request) (Target, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, req)
	if s.err != nil {
		return nil, s.err
	}
	return s.target, nil
}

// MustServe starts h as the learner's server and returns the Servers that
// hand it out.
func MustServe(t *testing.T, h http.Handler) *fakeServers {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &fakeServers{target: &fakeTarget{url: srv.URL, output: "serving on 0.0.0.0:8080\n"}}
}

// decoder decodes a `with:` block written in YAML as the spec loader does:
// a struct's top-level fields strictly, the rest as yaml decodes it.
func decoder(t testing.TB, with string) func(any) error {
	t.Helper()
	if with == "" {
		return nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(with), &doc); err != nil {
		t.Fatalf("the test's YAML: %v", err)
	}
	n := doc.Content[0]
	return func(v any) error {
		rt := reflect.TypeOf(v).Elem()
		if rt.Kind() == reflect.Struct {
			known := map[string]bool{}
			for f := range rt.Fields() {
				name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
				known[name] = true
			}
			for i := 0; i+1 < len(n.Content); i += 2 {
				if k := n.Content[i].Value; !known[k] {
					return fmt.Errorf("%s: unknown parameter", k)
				}
			}
		}
		return n.Decode(v)
	}
}

// services decodes service blocks written in YAML, by name; a name absent
// from blocks is a block the exercise does not declare.
func serviceBlocks(t testing.TB, blocks map[string]string) func(string, any) error {
	t.Helper()
	return func(name string, v any) error {
		b, ok := blocks[name]
		if !ok {
			return fmt.Errorf("services.%s: %w", name, runner.ErrNoService)
		}
		return yaml.Unmarshal([]byte(b), v)
	}
}

// pythonServer is the services block most tests use.
var pythonServer = map[string]string{"server": "language: python"}

// MustCompile compiles kind with `with:` written in YAML.
func MustCompile(t testing.TB, ks runner.Kinds, kind, with string, files map[string]string) runner.Checker {
	t.Helper()
	c, err := compile(t, ks, kind, with, files)
	if err != nil {
		t.Fatalf("compile %s: %v", kind, err)
	}
	return c
}

func compile(t testing.TB, ks runner.Kinds, kind, with string, files map[string]string) (runner.Checker, error) {
	t.Helper()
	return compileIn(t, ks, kind, with, files, pythonServer)
}

// compileIn compiles kind in an exercise with these service blocks.
func compileIn(t testing.TB, ks runner.Kinds, kind, with string, files, blocks map[string]string) (runner.Checker, error) {
	t.Helper()
	return compileParams(t, ks, kind, with, files, blocks, false)
}

// compileParams compiles kind as a visible or hidden check.
func compileParams(t testing.TB, ks runner.Kinds, kind, with string, files, blocks map[string]string, hidden bool) (runner.Checker, error) {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, body := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return ks[kind].Compile(runner.Params{Decode: decoder(t, with), Files: fsys, Service: serviceBlocks(t, blocks), Hidden: hidden})
}

// run prepares and runs a check as the runner does.
func run(t testing.TB, c runner.Checker) runner.Outcome {
	t.Helper()
	return runWithin(t, c, 0)
}

// runWithin runs a check whose deadline is d from the start of Run (none
// when d is 0).
func runWithin(t testing.TB, c runner.Checker, d time.Duration) runner.Outcome {
	t.Helper()
	ctx := t.Context()
	a := runner.Attempt{Dir: t.TempDir(), Memo: &runner.Memo{}}
	t.Cleanup(a.Memo.Close)
	if p, ok := c.(runner.Preparer); ok {
		if err := p.Prepare(ctx, a); err != nil {
			return runner.Errored(err) // a learner's failure fails
		}
	}
	if d > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	return c.Check(ctx, a)
}
