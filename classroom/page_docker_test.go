package classroom

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/testcontainers/testcontainers-go"

	"github.com/backendroadmap/grader/sandbox"
	"github.com/backendroadmap/grader/sandbox/sandboxtest"
)

// forwarder relays the browser's connections to the class page on the
// host: the browser sits on a private network that reaches no host.
const forwarder = `
import socket, sys, threading
TARGET = ("host.docker.internal", int(sys.argv[1]))
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
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 8080))
s.listen(16)
while True:
    c, _ = s.accept()
    try:
        u = socket.create_connection(TARGET, timeout=5)
    except OSError:
        c.close()
        continue
    threading.Thread(target=pipe, args=(c, u), daemon=True).start()
    threading.Thread(target=pipe, args=(u, c), daemon=True).start()
`

// TestClassPageInChromium loads the class page in headless Chromium and
// reads the numbers a teacher sees: each exercise's pass rate on the
// roadmap, and each learner's progress.
func TestClassPageInChromium(t *testing.T) {
	_, base, pool := newService(t, 2, "0.0.0.0:0")
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(base, "http://"))
	repo := func(v string) []byte {
		return tarGz(t, map[string]string{".git/HEAD": "ref: refs/heads/main\n", "verdict.txt": v})
	}
	plain := func(v string) []byte { return tarGz(t, map[string]string{"verdict.txt": v}) }
	for _, s := range []struct {
		learner, exercise string
		archive           []byte
	}{
		{"ada", "git-basics", repo("fail")}, // superseded by her next submission
		{"ada", "git-basics", repo("pass")},
		{"ada", "py-fizzbuzz", plain("pass")},
		{"bob", "git-basics", repo("fail")},
		{"bob", "py-fizzbuzz", plain("pass")},
		{"cy", "git-basics", repo("pass")},
	} {
		if code, body := upload(t, base, s.learner, s.exercise, s.archive); code != http.StatusAccepted {
			t.Fatalf("upload: %d %v", code, body)
		}
	}
	waitGraded(t, pool, 6, 60*time.Second)

	ctx := t.Context()
	e, err := sandbox.Connect(ctx)
	if err != nil {
		sandboxtest.Unavailable(t, "docker: %v", err)
	}
	t.Cleanup(func() { _ = e.Close() })
	e.Images = sandboxtest.Images(t)
	n, err := e.CreateNetwork(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = n.Remove(context.Background()) })

	// The forwarder is on the default bridge (which reaches the host) and
	// on the private network, as "classroom".
	fwd, err := testcontainers.Run(ctx, e.Images.Resolve("python:3.11"),
		testcontainers.WithCmd("python3", "-c", forwarder, port),
		testcontainers.WithLabels(map[string]string{
			sandbox.LabelManaged: "1", sandbox.LabelOwner: e.Owner(),
			sandbox.LabelCreated: strconv.FormatInt(time.Now().Unix(), 10), sandbox.LabelService: "classroom-forwarder",
		}),
		testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
			hc.ExtraHosts = append(hc.ExtraHosts, "host.docker.internal:host-gateway")
		}),
	)
	if fwd != nil {
		t.Cleanup(func() {
			cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_ = testcontainers.TerminateContainer(fwd, testcontainers.StopContext(cctx))
		})
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Connect(ctx, fwd.GetContainerID(), "classroom"); err != nil {
		t.Fatal(err)
	}
	p, err := e.StartProbe(ctx, sandbox.ProbeSpec{Image: "python:3.11", Network: n, Target: "classroom:8080", Browser: sandbox.BrowserTarget})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Remove(context.Background()) })
	b, err := e.StartBrowser(ctx, sandbox.BrowserSpec{Network: n, Probe: p})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close(context.Background()) })

	queries := []sandbox.Query{
		{Selector: "li.exercise", Attribute: "data-exercise"},
		{Selector: "li.exercise .rate"},
		{Selector: "tr.learner", Attribute: "data-learner"},
		{Selector: "tr.learner td:nth-of-type(1)"},
		{Selector: `tr[data-skill="version-control"] li.exercise`},
		{Selector: `tr.learner[data-learner="ada"] td[data-skill="programming"]`},
	}
	var v *sandbox.Visit
	for try := 0; ; try++ {
		vctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		v, err = b.Visit(vctx, "http://classroom:8080/", sandbox.VisitOptions{Queries: queries})
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if v.LoadError == "" || try == 5 {
			break
		}
		time.Sleep(500 * time.Millisecond) // the forwarder may still be starting
	}
	if v.Status != http.StatusOK {
		t.Fatalf("the class page: status %d, load error %q", v.Status, v.LoadError)
	}
	r := v.Results
	if got := strings.Join(r[0], ","); got != "py-fizzbuzz,git-basics,sql-window" {
		t.Errorf("roadmap exercises in skill order: %s", got)
	}
	// git-basics: ada's latest passes, bob fails, cy passes: 2 of 3.
	// py-fizzbuzz: 2 of 2. sql-window: nobody, so no rate.
	if got := strings.Join(r[1], ","); got != "100%,66%" {
		t.Errorf("pass rates: %s, want 100%%,66%%", got)
	}
	if got := strings.Join(r[2], ","); got != "ada,bob,cy" {
		t.Errorf("learners: %s", got)
	}
	want := []string{"2 passed of 3 (2 graded)", "1 passed of 3 (2 graded)", "1 passed of 3 (1 graded)"}
	for i, w := range want {
		if i >= len(r[3]) || !strings.Contains(strings.Join(strings.Fields(r[3][i]), " "), w) {
			t.Errorf("learner %d's progress: %q, want %q", i, r[3], w)
		}
	}
	if len(r[4]) != 1 || !strings.Contains(r[4][0], "2 of 3 passed") {
		t.Errorf("version-control row: %q", r[4])
	}
	if len(r[5]) != 1 || strings.TrimSpace(r[5][0]) != "1 / 1" {
		t.Errorf("ada's programming progress: %q, want 1 / 1", r[5])
	}
}
