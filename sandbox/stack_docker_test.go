package sandbox

import (
	"context"
	"strings"
	"testing"
	"time"
)

// waitExit waits until a stack service's container has stopped.
func waitExit(t *testing.T, a *ImageApp) int {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, running, err := a.ExitCode(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if !running {
			return code
		}
		if time.Now().After(deadline) {
			t.Fatal("the container still runs after 30s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestStackVolumeOutlivesItsContainer: what one container writes to a
// named volume, the next container on it reads (a recreated stack's
// database), as the stand-in postgres's own uid with every capability
// dropped; `grader gc` lists the volume; Close removes it.
func TestStackVolumeOutlivesItsContainer(t *testing.T) {
	e := requireImage(t, "postgres:15")
	net, err := e.CreateNetwork(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer net.Remove(context.Background())
	vol, err := e.CreateVolume(t.Context(), "dbdata")
	if err != nil {
		t.Fatal(err)
	}
	run := func(script string) *ImageApp {
		t.Helper()
		a, err := e.StartStackService(t.Context(), StackServiceSpec{
			Name: "db", Image: "postgres:15", Entrypoint: []string{"sh", "-c"}, Cmd: []string{script},
			Volumes: []VolumeMount{{Volume: vol, Target: "/var/lib/postgresql/data"}}, Network: net,
			Limits: Limits{Memory: 128 * MiB, Pids: 32, CPUs: 1},
		})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	w := run(`id -u; grep CapEff /proc/self/status; echo kept > /var/lib/postgresql/data/f`)
	if code := waitExit(t, w); code != 0 {
		t.Fatalf("the writer exited %d: %s", code, w.Output())
	}
	out := string(w.Output())
	if !strings.Contains(out, "10001") || !strings.Contains(out, "CapEff:\t0000000000000000") {
		t.Errorf("the service ran as %q, want uid 10001 and no capabilities", out)
	}
	if err := w.Shutdown(t.Context(), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	r := run(`cat /var/lib/postgresql/data/f`)
	waitExit(t, r)
	time.Sleep(200 * time.Millisecond) // the log stream's last line
	if got := strings.TrimSpace(string(r.Output())); got != "kept" {
		t.Errorf("the next container read %q, want kept", got)
	}
	if err := r.Stop(t.Context()); err != nil {
		t.Fatal(err)
	}
	rs, err := e.Leftovers(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, x := range rs {
		found = found || x.Kind == "volume" && x.Name == vol.Name
	}
	if !found {
		t.Errorf("Leftovers (grader gc) does not list the volume %s", vol.Name)
	}
	// Not removed by hand: Engine.Close (the path Ctrl-C takes) must.
	if err := net.Remove(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
}
