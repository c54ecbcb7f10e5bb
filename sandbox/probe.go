package sandbox

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// ProbeSpec is grader's own helper on an attempt's network: it forwards
// grader's connections to the learner's server and receives the webhooks
// that server sends.
type ProbeSpec struct {
	// Image runs the probe; it needs python3 (the base image has it).
	Image string
	// Network is the attempt's private network.
	Network *Network
	// Target is the learner's server, host:port on Network.
	Target string
	// Hooks also runs the webhook receiver, at host "hooks" port
	// [HooksPort] on Network.
	Hooks bool
	// Browser is host:port on Network of the attempt's headless browser's
	// DevTools endpoint (see [Engine.StartBrowser]); "" publishes no such
	// port. The browser joins the network only, so grader reaches it
	// through the probe, as it reaches the learner's server. It may be set
	// before the browser exists: the forward then fails until it starts.
	Browser string
}

// HooksPort is where the probe receives webhooks on the attempt's network.
const HooksPort = 9000

// Probe ports inside its container.
const (
	probeForward = 8080
	probeControl = 8081
	probeBrowser = 8082
)

// Probe is a started [ProbeSpec].
//
// The learner's server sits on a network the host cannot reach (see
// [Network]), so the probe sits on both that network and the default
// bridge, where its forward and control ports are published on 127.0.0.1.
// It binds them to its default-bridge address only, so the learner's server
// cannot reach them; on the attempt's network it offers the webhook
// receiver alone. It is grader's code in a container of its own: the
// learner's server cannot touch it, and it computes no verdict (it forwards
// bytes and records requests; grader judges them on the host).
type Probe struct {
	// URL is the base URL that reaches the target, like http://127.0.0.1:41234.
	URL string
	// BrowserAddr is 127.0.0.1:port, forwarded to [ProbeSpec.Browser]; ""
	// without one.
	BrowserAddr string

	svc     *Service
	control string
}

// probeScript is the probe: a TCP forwarder to TARGET, a control port
// (READY: can TARGET be reached now; HOOKS: the webhooks received, as
// JSON), with HOOKS=1 an HTTP receiver that records every request, and
// with BROWSER set a second forwarder, to the browser's DevTools.
const probeScript = `
import base64, fcntl, json, os, socket, struct, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
def addr(s):
    host, port = s.rsplit(":", 1)
    return (host, int(port))
def ifaddr(name):
    # SIOCGIFADDR: the interface's own IPv4 address. Not the hostname's,
    # which /etc/hosts gives, and which the engine rewrites in place when
    # the probe joins the attempt's network, as this line may be running.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        return socket.inet_ntoa(fcntl.ioctl(s.fileno(), 0x8915, struct.pack("256s", name.encode()))[20:24])
TARGET = addr(os.environ["TARGET"])
BIND = ifaddr("eth0")  # the default bridge: the probe is created on it, and joins the attempt's network later
hooks, lock = [], threading.Lock()

def pipe(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    finally:
        try:
            b.shutdown(socket.SHUT_WR)
        except OSError:
            pass

def forward(c, target=TARGET):
    try:
        s = socket.create_connection(target, timeout=5)
    except OSError:
        c.close()
        return
    s.settimeout(None)
    t = threading.Thread(target=pipe, args=(s, c), daemon=True)
    t.start()
    pipe(c, s)
    t.join()
    s.close()
    c.close()

def control(c):
    try:
        f = c.makefile("rwb")
        line = f.readline().decode().strip()
        if line.startswith("READY"):
            target = TARGET
            if " " in line:
                h, p = line.split(" ", 1)[1].rsplit(":", 1)
                target = (h, int(p))
            try:
                socket.create_connection(target, timeout=1).close()
                f.write(b"1\n")
            except ConnectionRefusedError:
                f.write(b"0 refused\n")
            except OSError as e:
                f.write(("0 " + str(e) + "\n").encode())
        elif line == "HOOKS":
            with lock:
                f.write(json.dumps(hooks).encode() + b"\n")
        f.flush()
    except OSError:
        pass
    finally:
        c.close()

def serve(port, handle):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((BIND, port))
    s.listen(128)
    while True:
        c, _ = s.accept()
        threading.Thread(target=handle, args=(c,), daemon=True).start()

class Hook(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def handle_one_request(self):
        try:
            super().handle_one_request()
        except Exception:
            self.close_connection = True
    def do_any(self):
        n = min(int(self.headers.get("Content-Length") or 0), 65536)
        body = self.rfile.read(n) if n > 0 else b""
        header = {}
        for k, v in self.headers.items():
            header.setdefault(k, []).append(v)
        with lock:
            if len(hooks) < 100:
                hooks.append({"method": self.command, "path": self.path, "header": header,
                              "body": base64.b64encode(body).decode()})
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()
    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_any
    def log_message(self, *a):
        pass

if os.environ.get("HOOKS") == "1":
    srv = ThreadingHTTPServer(("0.0.0.0", %d), Hook)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
if os.environ.get("BROWSER"):
    BROWSER = addr(os.environ["BROWSER"])
    threading.Thread(target=serve, args=(%d, lambda c: forward(c, BROWSER)), daemon=True).start()
threading.Thread(target=serve, args=(%d, control), daemon=True).start()
serve(%d, forward)
`

// StartProbe starts a probe on s.Network and waits until it answers on its
// control port. Remove it with [Probe.Remove] (or [Engine.Close]). A probe
// that does not come up is grader's own failure, never the learner's: it is
// replaced once, and the error says whether its container died and what it
// printed.
func (e *Engine) StartProbe(ctx context.Context, s ProbeSpec) (*Probe, error) {
	if s.Network == nil || s.Target == "" {
		return nil, invalidf("a probe needs a network and a target")
	}
	p, err := e.startProbe(ctx, s)
	var down *StartError
	if errors.As(err, &down) && ctx.Err() == nil {
		p, err = e.startProbe(ctx, s)
	}
	return p, err
}

func (e *Engine) startProbe(ctx context.Context, s ProbeSpec) (*Probe, error) {
	env := []string{"TARGET=" + s.Target, "PYTHONDONTWRITEBYTECODE=1"}
	var aliases []string
	if s.Hooks {
		env = append(env, "HOOKS=1")
		aliases = []string{"hooks"}
	}
	more := []int{probeControl}
	if s.Browser != "" {
		env = append(env, "BROWSER="+s.Browser)
		more = append(more, probeBrowser)
	}
	svc, err := e.StartService(ctx, ServiceSpec{
		Service:   "probe",
		Name:      "grader-probe-" + randomHex(6),
		Image:     s.Image,
		Cmd:       []string{"python3", "-u", "-c", fmt.Sprintf(probeScript, HooksPort, probeBrowser, probeControl, probeForward)},
		Env:       env,
		User:      holderUser,
		Port:      probeForward,
		MorePorts: more,
		Memory:    128 * MiB,
		Hardened:  true,
	})
	if err != nil {
		return nil, err
	}
	p := &Probe{svc: svc, URL: fmt.Sprintf("http://127.0.0.1:%d", svc.HostPort),
		control: net.JoinHostPort("127.0.0.1", strconv.Itoa(svc.HostPorts[probeControl]))}
	if s.Browser != "" {
		p.BrowserAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(svc.HostPorts[probeBrowser]))
	}
	fail := func(err error) (*Probe, error) {
		_ = svc.Remove(ctx)
		return nil, err
	}
	if err := s.Network.Connect(ctx, svc.ID, aliases...); err != nil {
		return fail(err)
	}
	// The probe answers once python has bound its ports; python starts
	// slowly while builds share the cores (CI saw 20 s pass).
	if err := svc.Await(ctx, "grader's probe", 20*time.Millisecond, 60*time.Second, func() error {
		_, _, err := p.Reachable(ctx)
		return err
	}); err != nil {
		return fail(err)
	}
	return p, nil
}

// Reachable asks the probe whether the target accepts a TCP connection now.
// why is the probe's reason when it does not ("refused", a timeout); err is
// the probe's own failure.
func (p *Probe) Reachable(ctx context.Context) (ok bool, why string, err error) {
	return p.ReachableAt(ctx, "")
}

// ReachableAt is [Probe.Reachable] for another host:port of the network
// (a companion of the learner's server); "" is the probe's target.
func (p *Probe) ReachableAt(ctx context.Context, hostPort string) (ok bool, why string, err error) {
	cmd := "READY"
	if hostPort != "" {
		cmd += " " + hostPort
	}
	line, err := p.ask(ctx, cmd)
	if err != nil {
		return false, "", err
	}
	if line == "1" {
		return true, "", nil
	}
	return false, strings.TrimSpace(strings.TrimPrefix(line, "0")), nil
}

// Hooks returns the webhooks the probe received, in order, as JSON objects
// with method, path, header and body (base64): see attempt.Hook.
func (p *Probe) Hooks(ctx context.Context) (json.RawMessage, error) {
	line, err := p.ask(ctx, "HOOKS")
	if err != nil {
		return nil, err
	}
	if !json.Valid([]byte(line)) {
		return nil, fmt.Errorf("grader's probe sent a malformed list of webhooks")
	}
	return json.RawMessage(line), nil
}

// ask sends one control command and reads the one-line answer.
func (p *Probe) ask(ctx context.Context, cmd string) (string, error) {
	d := net.Dialer{Timeout: 2 * time.Second}
	c, err := d.DialContext(ctx, "tcp", p.control)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte(cmd + "\n")); err != nil {
		return "", err
	}
	line, err := bufio.NewReaderSize(c, 64<<10).ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("grader's probe did not answer: %w", err)
	}
	return strings.TrimSpace(line), nil
}

// Remove stops and removes the probe.
func (p *Probe) Remove(ctx context.Context) error { return p.svc.Remove(ctx) }
