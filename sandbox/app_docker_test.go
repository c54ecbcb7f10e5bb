package sandbox

// Integration tests of apps (the learner's servers), private networks and
// the probe, against the real engine. Like every Docker test here, they fail
// under CI=true when Docker or the image is missing.

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"testing/fstest"

	"time"

	"github.com/moby/moby/client"
)

// appImage has python3: the apps here are small Python servers.
const appImage = "python:3.11"

// startApp starts code (a Python program) as an app on a fresh network
// with a probe in front of it, all removed when the test ends.
func startApp(t *testing.T, e *Engine, code string, lim Limits) (*App, *Probe, *Network) {
	t.Helper()
	ctx := t.Context()
	n, err := e.CreateNetwork(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = n.Remove(context.Background()) })
	app, err := e.StartApp(ctx, AppSpec{
		Spec: Spec{
			Image:   appImage,
			Cmd:     []string{"python3", "-u", "app.py"},
			Env:     []string{"PORT=8080"},
			Files:   fstest.MapFS{"app.py": {Data: []byte(code)}},
			Network: n.Name,
			Limits:  lim,
		},
		Aliases: []string{"app"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.Stop(context.Background()) })
	p, err := e.StartProbe(ctx, ProbeSpec{Image: appImage, Network: n, Target: "app:8080", Hooks: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Remove(context.Background()) })
	return app, p, n
}

// waitReachable polls the probe until the app accepts connections or d passes.
func waitReachable(t *testing.T, p *Probe, d time.Duration) (bool, string) {
	t.Helper()
	end := time.Now().Add(d)
	for {
		ok, why, err := p.Reachable(t.Context())
		if err != nil {
			t.Fatalf("probe: %v", err)
		}
		if ok || time.Now().After(end) {
			return ok, why
		}
		time.Sleep(50 * time.Millisecond)
	}
}

const helloServer = `
import os
from http.server import BaseHTTPRequestHandler, HTTPServer
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"hello from " + self.path.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
print("listening", flush=True)
HTTPServer((os.environ.get("HOST", "0.0.0.0"), int(os.environ["PORT"])), H).serve_forever()
`

func TestAppServesThroughTheProbe(t *testing.T) {
	e := requireImage(t, appImage)
	app, p, _ := startApp(t, e, helloServer, Limits{})
	if ok, why := waitReachable(t, p, 20*time.Second); !ok {
		t.Fatalf("never reachable: %s; output %q", why, app.Output())
	}
	status, body := fetch(t, p.URL+"/todos")
	if status != 200 || body != "hello from /todos" {
		t.Fatalf("got %d %q", status, body)
	}
	if got := app.Exited(t.Context()); got != "" {
		t.Errorf("Exited = %q while it runs", got)
	}
	if !strings.Contains(string(app.Output()), "listening") {
		t.Errorf("output %q lacks the server's own line", app.Output())
	}
	ls, err := app.Listeners(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !containsListener(ls, "0.0.0.0:8080") {
		t.Errorf("listeners %v lack 0.0.0.0:8080", ls)
	}
}

func containsListener(ls []Listener, want string) bool {
	w := netip.MustParseAddrPort(want)
	for _, l := range ls {
		if l == w {
			return true
		}
	}
	return false
}

func TestAppOnLoopbackIsSeenButNotReachable(t *testing.T) {
	e := requireImage(t, appImage)
	code := strings.Replace(helloServer, `os.environ.get("HOST", "0.0.0.0")`, `"127.0.0.1"`, 1)
	app, p, _ := startApp(t, e, code, Limits{})
	if ok, _ := waitReachable(t, p, 3*time.Second); ok {
		t.Fatal("a server on 127.0.0.1 was reachable from outside its container")
	}
	ls, err := app.Listeners(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !containsListener(ls, "127.0.0.1:8080") {
		t.Errorf("listeners %v lack 127.0.0.1:8080", ls)
	}
}

func TestAppCrashSaysHow(t *testing.T) {
	e := requireImage(t, appImage)
	app, p, _ := startApp(t, e, "import sys\nprint('boom: no database', flush=True)\nsys.exit(3)\n", Limits{})
	if ok, _ := waitReachable(t, p, 2*time.Second); ok {
		t.Fatal("reachable")
	}
	if got := app.Exited(t.Context()); got != "exited with status 3" {
		t.Errorf("Exited = %q", got)
	}
	if !strings.Contains(string(app.Output()), "boom: no database") {
		t.Errorf("output %q", app.Output())
	}
}

func TestAppCannotReachTheHostOrTheInternet(t *testing.T) {
	e := requireImage(t, appImage)
	// The app tries the host's addresses on the default bridge and its own
	// network's gateway, a public address and name, and reports what it
	// reached on the page it serves.
	code := `
import os, socket
from http.server import BaseHTTPRequestHandler, HTTPServer
results = []
gw = None
for line in open("/proc/net/route").read().splitlines()[1:]:
    f = line.split()
    if f[1] == "00000000":
        gw = socket.inet_ntoa(bytes.fromhex(f[2])[::-1])
for host, port in [("172.17.0.1", 22), ("172.17.0.1", 2375), (gw or "172.18.0.1", 22), ("1.1.1.1", 80), ("example.com", 80)]:
    s = socket.socket()
    s.settimeout(1)
    try:
        s.connect((host, port))
        results.append("REACHED %s:%d" % (host, port))
    except Exception as e:
        results.append("blocked %s:%d" % (host, port))
    s.close()
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        body = "\n".join(results).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
HTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
`
	_, p, _ := startApp(t, e, code, Limits{})
	if ok, why := waitReachable(t, p, 30*time.Second); !ok {
		t.Fatalf("never reachable: %s", why)
	}
	_, body := fetch(t, p.URL+"/")
	if strings.Contains(body, "REACHED") || !strings.Contains(body, "blocked") {
		t.Fatalf("the app reached beyond its network:\n%s", body)
	}
}

func TestAppOutputFloodIsStopped(t *testing.T) {
	e := requireImage(t, appImage)
	app, _, _ := startApp(t, e, "import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n", Limits{Output: 2 * MiB})
	end := time.Now().Add(30 * time.Second)
	for app.Exited(t.Context()) == "" && time.Now().Before(end) {
		time.Sleep(100 * time.Millisecond)
	}
	if got := app.Exited(t.Context()); !strings.Contains(got, "printed more than 2 MiB") {
		t.Fatalf("Exited = %q", got)
	}
	if n := len(app.Output()); n == 0 || n > appTail {
		t.Errorf("kept %d bytes of output", n)
	}
}

func TestAppOutOfMemorySaysSo(t *testing.T) {
	e := requireImage(t, appImage)
	app, _, _ := startApp(t, e, "b = []\nwhile True:\n    b.append(bytearray(16 << 20))\n", Limits{Memory: 128 * MiB, Tmp: 16 * MiB})
	end := time.Now().Add(30 * time.Second)
	for app.Exited(t.Context()) == "" && time.Now().Before(end) {
		time.Sleep(100 * time.Millisecond)
	}
	if got := app.Exited(t.Context()); !strings.Contains(got, "ran out of memory (128 MiB)") {
		t.Fatalf("Exited = %q", got)
	}
}

func TestProbeReceivesWebhooks(t *testing.T) {
	e := requireImage(t, appImage)
	code := `
import os, urllib.request
req = urllib.request.Request("http://hooks:9000/orders", data=b'{"type":"order.created"}', method="POST",
                             headers={"Content-Type": "application/json", "X-Signature": "sha256=abc"})
print(urllib.request.urlopen(req, timeout=5).status, flush=True)
import time
time.sleep(60)
`
	app, p, _ := startApp(t, e, code, Limits{})
	end := time.Now().Add(20 * time.Second)
	for {
		raw, err := p.Hooks(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if s := string(raw); strings.Contains(s, `"path": "/orders"`) {
			if !strings.Contains(s, `"X-Signature": ["sha256=abc"]`) || !strings.Contains(s, `"POST"`) {
				t.Fatalf("hooks %s", s)
			}
			break
		}
		if time.Now().After(end) {
			t.Fatalf("no webhook arrived; app output %q, exited %q", app.Output(), app.Exited(t.Context()))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestAppCannotReachAnotherAttempt(t *testing.T) {
	e := requireImage(t, appImage)
	other, otherProbe, otherNet := startApp(t, e, helloServer, Limits{})
	if ok, why := waitReachable(t, otherProbe, 20*time.Second); !ok {
		t.Fatalf("the other attempt's server never came up: %s", why)
	}
	in, err := e.api.ContainerInspect(t.Context(), other.r.id, client.ContainerInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ep := in.Container.NetworkSettings.Networks[otherNet.Name]
	if ep == nil || !ep.IPAddress.IsValid() {
		t.Fatalf("no address on %s", otherNet.Name)
	}
	code := strings.Replace(`
import os, socket
from http.server import BaseHTTPRequestHandler, HTTPServer
s = socket.socket()
s.settimeout(2)
try:
    s.connect(("OTHER", 8080))
    result = b"REACHED"
except Exception:
    result = b"blocked"
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", str(len(result)))
        self.end_headers()
        self.wfile.write(result)
HTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
`, "OTHER", ep.IPAddress.String(), 1)
	_, p, _ := startApp(t, e, code, Limits{})
	if ok, why := waitReachable(t, p, 30*time.Second); !ok {
		t.Fatalf("never reachable: %s", why)
	}
	_, body := fetch(t, p.URL+"/")
	if body != "blocked" {
		t.Fatalf("one attempt's server reached another's at %s: %s", ep.IPAddress, body)
	}
}

// fetch GETs url and returns the status and body.
func fetch(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestProbeThatDiesSaysWhy: a probe whose program dies at start (here, a
// target with no port) is reported at once as grader's own failure, with
// what it printed, after one replacement; neither container is left.
func TestProbeThatDiesSaysWhy(t *testing.T) {
	e := requireImage(t, appImage)
	n, err := e.CreateNetwork(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = n.Remove(context.Background()) })
	_, err = e.StartProbe(t.Context(), ProbeSpec{Image: appImage, Network: n, Target: "app"})
	var se *StartError
	if !errors.As(err, &se) || !se.Exited {
		t.Fatalf("StartProbe of a probe that cannot start: %v; want a *StartError saying it exited", err)
	}
	for _, want := range []string{"grader's probe exited while starting", "ValueError"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	rs, err := e.Leftovers(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Kind == "container" && r.Owner == e.owner && strings.HasPrefix(r.Name, "grader-probe-") {
			t.Errorf("left behind: %v", r)
		}
	}
}

// TestAwaitSaysWhy: a service that never answers is given up on at its
// time, one that stops is given up on at once with its exit status, and
// both errors carry what the container printed.
func TestAwaitSaysWhy(t *testing.T) {
	e := requireImage(t, appImage)
	notYet := errors.New("not answering yet")
	start := func(code string) *Service {
		t.Helper()
		svc, err := e.StartService(t.Context(), ServiceSpec{Service: "awaittest", Image: appImage, Cmd: []string{"python3", "-u", "-c", code}, Port: 8080})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = svc.Remove(context.Background()) })
		return svc
	}

	slow := start("print('warming up'); import time; time.sleep(120)")
	err := slow.Await(t.Context(), "the slow one", 50*time.Millisecond, 2*time.Second, func() error { return notYet })
	var se *StartError
	if !errors.As(err, &se) || se.Exited || !errors.Is(err, notYet) || !strings.Contains(se.Log, "warming up") ||
		!strings.Contains(err.Error(), "the slow one did not answer within 2s") {
		t.Errorf("a service that never answers: %v; want a timeout naming it, its last failure and its output", err)
	}

	dead := start("print('cannot start'); raise SystemExit(3)")
	began := time.Now()
	err = dead.Await(t.Context(), "the dead one", 50*time.Millisecond, time.Minute, func() error { return notYet })
	if !errors.As(err, &se) || !se.Exited || se.Status != 3 || !strings.Contains(se.Log, "cannot start") ||
		!strings.Contains(err.Error(), "the dead one exited while starting (status 3)") {
		t.Errorf("a service that stopped: %v; want its exit status and its output", err)
	}
	if waited := time.Since(began); waited > 30*time.Second {
		t.Errorf("a stopped service was waited on for %v: its minute should not be spent", waited)
	}
}
