package attempt

// Docker tests of an attempt's environment: the messages a learner gets when
// a server does not come up, and that nothing is left behind. They fail
// under CI=true when Docker is missing.

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backendroadmap/grader/sandbox"
	"github.com/backendroadmap/grader/sandbox/sandboxtest"
)

// memo is the part of runner.Memo an Env needs.
type memo struct {
	mu       sync.Mutex
	m        map[any]any
	cleanups []func()
}

func (m *memo) Do(key any, f func() (any, error)) (any, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.m[key]; ok {
		return v, nil
	}
	v, err := f()
	if err == nil {
		if m.m == nil {
			m.m = map[any]any{}
		}
		m.m[key] = v
	}
	return v, err
}

func (m *memo) Cleanup(f func()) { m.cleanups = append(m.cleanups, f) }

func (m *memo) close() {
	for i := len(m.cleanups) - 1; i >= 0; i-- {
		m.cleanups[i]()
	}
}

// newEnv returns an environment over a workspace holding app.py = code,
// closed (and checked for leftovers) when the test ends.
func newEnv(t *testing.T, code string) *Env {
	t.Helper()
	eng, err := sandbox.Connect(t.Context())
	if err != nil {
		sandboxtest.Unavailable(t, "docker: %v", err)
	}
	eng.Images = sandboxtest.Images(t)
	t.Cleanup(func() {
		_ = eng.Close()
	})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "app.py"), []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	m := &memo{}
	p := &Provider{Engine: func(context.Context) (*sandbox.Engine, error) { return eng, nil }}
	env, err := p.Env(m, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		m.close()
		left, err := eng.Leftovers(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range left {
			if r.Owner == eng.Owner() {
				t.Errorf("left behind: %s", r)
			}
		}
	})
	return env
}

func spec(t *testing.T, ready time.Duration) *ServerSpec {
	t.Helper()
	s, err := ServerConfig{Language: "python", ReadyTimeout: ready.String(), Memory: "128MiB"}.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const server = `
import os
from http.server import BaseHTTPRequestHandler, HTTPServer
count = 0
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        global count
        count += 1
        body = os.environ.get("DATABASE_URL", "no database").encode()
        if self.path == "/count":
            body = str(count).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
print("starting", flush=True)
HTTPServer((HOST, PORT), H).serve_forever()
`

func serverOn(host, port string) string {
	return strings.NewReplacer("HOST", host, "PORT", port).Replace(server)
}

func TestServerAnswersThroughTheProbe(t *testing.T) {
	env := newEnv(t, serverOn(`"0.0.0.0"`, `int(os.environ["PORT"])`))
	s, err := env.Server(t.Context(), Request{Server: spec(t, 20*time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(s.URL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "no database" {
		t.Errorf("body %q", body)
	}
	if got := get(t, s.URL()+"/count"); got != "2" {
		t.Errorf("count = %s after two requests", got)
	}
	again, err := env.Server(t.Context(), Request{Server: spec(t, 20*time.Second)})
	if err != nil || again != s {
		t.Errorf("the second check got another server (%v)", err)
	}
	fresh, err := env.Server(t.Context(), Request{Server: spec(t, 20*time.Second), Fresh: true})
	if err != nil || fresh == s {
		t.Fatalf("a fresh server is the old one (%v)", err)
	}
	if got := get(t, fresh.URL()+"/count"); got != "1" {
		t.Errorf("the restarted server has answered %s requests: it is not a new process", got)
	}
	if later, err := env.Server(t.Context(), Request{Server: spec(t, 20*time.Second)}); err != nil || later != fresh {
		t.Errorf("the checks after a restart do not share the restarted server (%v)", err)
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// startError starts code and returns the StartError it must give.
func startError(t *testing.T, code string, ready time.Duration) *StartError {
	t.Helper()
	env := newEnv(t, code)
	_, err := env.Server(t.Context(), Request{Server: spec(t, ready)})
	var se *StartError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want a StartError", err)
	}
	return se
}

func TestServerStartErrorsSayWhatToChange(t *testing.T) {
	cases := []struct {
		name, code string
		want       []string
	}{
		{"loopback", serverOn(`"127.0.0.1"`, `int(os.environ["PORT"])`),
			[]string{"listens on 127.0.0.1:8080 only", "0.0.0.0", `app.run(host="0.0.0.0"`}},
		{"another port", serverOn(`"0.0.0.0"`, `5000`),
			[]string{"listens on 0.0.0.0:5000", "must listen on port 8080", "PORT environment variable"}},
		{"crash", "import sys\nprint('KeyError: DATABASE_URL', flush=True)\nsys.exit(1)\n",
			[]string{"exited with status 1 before it listened on port 8080"}},
		{"never listens", "import time\nprint('thinking', flush=True)\ntime.sleep(600)\n",
			[]string{"did not listen on port 8080 within 3s"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			se := startError(t, c.code, 3*time.Second)
			for _, w := range c.want {
				if !strings.Contains(se.Msg, w) {
					t.Errorf("message %q lacks %q", se.Msg, w)
				}
			}
		})
	}
	se := startError(t, "import sys\nprint('KeyError: DATABASE_URL', flush=True)\nsys.exit(1)\n", 3*time.Second)
	if !strings.Contains(se.Output, "KeyError: DATABASE_URL") {
		t.Errorf("output %q lacks the server's own words", se.Output)
	}
}

func TestTail(t *testing.T) {
	out := []byte("a\nb\nc\nd\n")
	if got := Tail(out, 2, 100); got != "c\nd" {
		t.Errorf("Tail lines = %q", got)
	}
	if got := Tail(out, 10, 3); got != "d" {
		t.Errorf("Tail bytes = %q", got)
	}
}
