package compose

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/runner/runnertest"
)

// spy is a service that answers GET / with what its container can reach
// and how it runs: the internet, the host (grader's own listener on every
// address of this machine), the peer service by name, its capabilities.
const spy = `
import json, os, socket, time, http.server
def tcp(host, port, wait=0):
    end = time.time() + wait
    while True:
        try:
            socket.create_connection((host, int(port)), timeout=2).close()
            return "reached"
        except OSError:
            if time.time() >= end:
                return "blocked"
            time.sleep(0.2)
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        st = dict(l.split(":", 1) for l in open("/proc/self/status"))
        port = os.environ["HOST_PORT"]
        host = "reached" if any(tcp(a, port) == "reached" for a in os.environ["HOST_ADDRS"].split(",")) else "blocked"
        body = json.dumps({"internet": tcp("1.1.1.1", 80), "host": host, "peer": tcp("peer", 9000, 10),
            "capeff": st["CapEff"].strip(), "nnp": st["NoNewPrivs"].strip()}).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json"); self.end_headers(); self.wfile.write(body)
http.server.ThreadingHTTPServer(("0.0.0.0", 8000), H).serve_forever()
`

// TestStackIsConfined: a stack's services reach each other by name and
// nothing else, not the internet, not this machine, with no capability
// and no-new-privileges, and nothing is left behind.
func TestStackIsConfined(t *testing.T) {
	e := requireEngine(t)
	// A listener on every address of this machine: what a service must
	// not reach.
	ln, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	var addrs []string
	ifs, _ := net.InterfaceAddrs()
	for _, a := range ifs {
		if ip, ok := a.(*net.IPNet); ok && ip.IP.To4() != nil && !ip.IP.IsLoopback() {
			addrs = append(addrs, ip.IP.String())
			c, err := net.DialTimeout("tcp", fmt.Sprintf("%s:%d", ip.IP, port), time.Second)
			if err != nil {
				t.Fatalf("the host listener is not reachable on %s from the host itself: %v", ip.IP, err)
			}
			c.Close()
		}
	}
	if len(addrs) == 0 {
		t.Fatal("no IPv4 address on this machine")
	}
	file := fmt.Sprintf(`services:
  web:
    image: python:3.11
    command: ["python3", "-c", %q]
    environment:
      HOST_PORT: "%d"
      HOST_ADDRS: %s
    ports: ["8000:8000"]
    depends_on: [peer]
  peer:
    image: python:3.11
    command: ["python3", "-m", "http.server", "9000"]
`, spy, port, strings.Join(addrs, ","))
	with := `
service: web
port: 8000
ready: 30s
requests:
  - path: /
    expect:
      status: 200
      json: {internet: blocked, host: blocked, peer: reached, capeff: "0000000000000000", nnp: "1"}
`
	a := runnertest.Attempt(t, map[string]string{"compose.yaml": file})
	out := runnertest.Run(t, compile(t, Kinds(e), "compose.up", with), a)
	runnertest.Want(t, "confined", out, runner.Pass)
}

// TestDependsOnConditions: docker compose's conditions, each failing
// the way it should, with the service that never got there and its log.
func TestDependsOnConditions(t *testing.T) {
	e := requireEngine(t)
	web := `  web:
    image: python:3.11
    command: ["python3", "-m", "http.server", "8000"]
`
	cases := []struct {
		name, file string
		status     runner.Status
		parts      []string
	}{
		{"unhealthy", web + `    depends_on: {db: {condition: service_healthy}}
  db:
    image: python:3.11
    command: ["sh", "-c", "echo starting the db; sleep 600"]
    healthcheck: {test: ["CMD", "sh", "-c", "echo not ready; exit 1"], interval: 1s, retries: 2}
`, runner.Fail, []string{"Service db is unhealthy", "web was never started", "not ready", "starting the db"}},
		{"never healthy", web + `    depends_on: {db: {condition: service_healthy}}
  db:
    image: python:3.11
    command: ["sleep", "600"]
    healthcheck: {test: ["CMD", "false"], interval: 1s, retries: 1000}
`, runner.Fail, []string{"Service db did not become healthy within 4s", "web was never started"}},
		{"no healthcheck", web + `    depends_on: {db: {condition: service_healthy}}
  db:
    image: python:3.11
    command: ["sleep", "600"]
`, runner.Fail, []string{"db has no healthcheck"}},
		{"migration fails", web + `    depends_on: {migrate: {condition: service_completed_successfully}}
  migrate:
    image: python:3.11
    command: ["sh", "-c", "echo no such table >&2; exit 3"]
`, runner.Fail, []string{"migrate exited with status 3", "no such table"}},
		{"migration passes", web + `    depends_on: {migrate: {condition: service_completed_successfully}}
  migrate:
    image: python:3.11
    command: ["true"]
`, runner.Pass, nil},
		{"crash at start", `  web:
    image: python:3.11
    command: ["sh", "-c", "echo cannot reach localhost:5432 >&2; exit 1"]
    environment: {DATABASE_URL: "postgres://localhost/db"}
`, runner.Fail, []string{"Service web exited with status 1 before it answered on port 8000", "cannot reach", "DATABASE_URL names localhost"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := runnertest.Attempt(t, map[string]string{"compose.yaml": "services:\n" + c.file})
			ch := compile(t, Kinds(e), "compose.up", "{service: web, port: 8000, healthy_timeout: 4s, requests: [{path: /, expect: {status: 200}}]}")
			out := runnertest.Run(t, ch, a)
			runnertest.Want(t, c.name, out, c.status, c.parts...)
		})
	}
}

// TestInterruptedStackIsRemoved: a check cancelled while it waits (Ctrl-C)
// still removes its containers, network and volume (sandboxtest.Engine
// fails the test on any leftover).
func TestInterruptedStackIsRemoved(t *testing.T) {
	e := requireEngine(t)
	file := `services:
  web:
    image: python:3.11
    command: ["python3", "-m", "http.server", "8000"]
    depends_on: {db: {condition: service_healthy}}
  db:
    image: python:3.11
    command: ["sleep", "600"]
    healthcheck: {test: ["CMD", "false"], interval: 1s, retries: 1000}
    volumes: [data:/data]
volumes:
  data:
`
	a := runnertest.Attempt(t, map[string]string{"compose.yaml": file})
	ch := compile(t, Kinds(e), "compose.up", "{service: web, port: 8000, healthy_timeout: 60s}")
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Second)
	defer cancel()
	start := time.Now()
	out := ch.Check(ctx, a)
	if out.Status == runner.Pass || time.Since(start) > 30*time.Second {
		t.Fatalf("a cancelled check: %s after %s", out.Status, time.Since(start))
	}
}

// TestUpRefusesBeforeDocker: compose.up applies the same policy as
// compose.file before anything runs: a privileged service with the
// engine's socket mounted starts nothing.
func TestUpRefusesBeforeDocker(t *testing.T) {
	e := requireEngine(t)
	file := `services:
  web:
    image: python:3.11
    privileged: true
    volumes: ["/var/run/docker.sock:/var/run/docker.sock"]
    command: ["python3", "-m", "http.server", "8000"]
`
	a := runnertest.Attempt(t, map[string]string{"compose.yaml": file})
	out := runnertest.Run(t, compile(t, Kinds(e), "compose.up", "{service: web, port: 8000}"), a)
	runnertest.Want(t, "privileged", out, runner.Fail, "line 4: service web: `privileged: true`", "line 5: service web: the bind mount /var/run/docker.sock")
	rs, err := e.e.Leftovers(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Owner == e.e.Owner() {
			t.Errorf("a refused file made %s", r)
		}
	}
}
