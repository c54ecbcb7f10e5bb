package security

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/backendroadmap/grader/graders/httpcheck"
	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/runner/runnertest"
	"github.com/backendroadmap/grader/sandbox/attempt"
	"github.com/backendroadmap/grader/sandbox/postgres"
)

// fakeTarget stands for the learner's server: an httptest server, with a
// statement log and a database that the test's handler writes.
type fakeTarget struct {
	url string

	mu     sync.Mutex
	stmts  []postgres.Statement
	stored map[string]string // username → stored password
	noDB   bool
}

func (t *fakeTarget) URL() string                                   { return t.url }
func (t *fakeTarget) Output() string                                { return "serving on 0.0.0.0:8080\n" }
func (t *fakeTarget) Exited(context.Context) string                 { return "" }
func (t *fakeTarget) Hooks(context.Context) ([]attempt.Hook, error) { return nil, nil }

func (t *fakeTarget) StatementMark(context.Context) (postgres.LogMark, error) {
	if t.noDB {
		return postgres.LogMark{}, attempt.ErrNoDatabase
	}
	return postgres.LogMark{}, nil
}

func (t *fakeTarget) Statements(context.Context, postgres.LogMark) ([]postgres.Statement, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]postgres.Statement(nil), t.stmts...), nil
}

// log records a statement the fake server "ran".
func (t *fakeTarget) log(text, params string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stmts = append(t.stmts, postgres.Statement{Text: text, Params: params})
}

// Query answers sec.passwords' SELECT with the stored password of $1.
func (t *fakeTarget) Query(_ context.Context, _ string, args ...any) ([]string, error) {
	if t.noDB {
		return nil, attempt.ErrNoDatabase
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if h, ok := t.stored[args[0].(string)]; ok {
		return []string{h}, nil
	}
	return nil, nil
}

type fakeServers struct{ target *fakeTarget }

func (s *fakeServers) Server(context.Context, runner.Attempt, attempt.Request) (httpcheck.Target, error) {
	return s.target, nil
}

// serve starts h as the learner's server; h gets the target to log to.
func serve(t *testing.T, h func(ft *fakeTarget) http.Handler) (*fakeServers, *fakeTarget) {
	t.Helper()
	ft := &fakeTarget{stored: map[string]string{}}
	srv := httptest.NewServer(h(ft))
	t.Cleanup(srv.Close)
	ft.url = srv.URL
	return &fakeServers{target: ft}, ft
}

// compile compiles kind with a `with:` block in YAML, in an exercise with a
// Python server and a PostgreSQL database.
func compile(t *testing.T, servers httpcheck.Servers, kind, with string) (runner.Checker, error) {
	t.Helper()
	return Kinds(servers)[kind].Compile(runner.Params{
		Decode:  runnertest.Decoder(t, with),
		Service: runnertest.Services(t, map[string]any{"server": "language: python"}),
	})
}

func mustCompile(t *testing.T, servers httpcheck.Servers, kind, with string) runner.Checker {
	t.Helper()
	c, err := compile(t, servers, kind, with)
	if err != nil {
		t.Fatalf("compile %s: %v", kind, err)
	}
	return c
}

// run prepares and runs a check as the runner does.
func run(t *testing.T, c runner.Checker) runner.Outcome {
	t.Helper()
	a := runner.Attempt{Dir: t.TempDir(), Memo: &runner.Memo{}}
	t.Cleanup(a.Memo.Close)
	if p, ok := c.(runner.Preparer); ok {
		if err := p.Prepare(t.Context(), a); err != nil {
			return runner.Errored(err) // a learner's failure fails
		}
	}
	return c.Check(t.Context(), a)
}

// readJSON decodes a request's JSON body into a map.
func readJSON(r *http.Request) map[string]any {
	var m map[string]any
	_ = json.NewDecoder(r.Body).Decode(&m)
	return m
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
