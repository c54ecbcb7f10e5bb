package sandbox

import (
	"strings"
	"testing"
	"testing/fstest"
)

// TestSparesServeEachRunOnce: with spares on (a batch), a run's next
// container is made while it runs and the next run of the same shape
// takes it; still, no run sees anything a previous one left (files in the
// work dir or /tmp, processes), each spare serves one run, and Close
// removes the one left over.
func TestSparesServeEachRunOnce(t *testing.T) {
	e := requireDocker(t)
	e.Spares = true
	spare := func() string {
		t.Helper()
		e.settle()
		e.mu.Lock()
		defer e.mu.Unlock()
		if len(e.spares) != 1 {
			t.Fatalf("%d spares ready after a run, want 1", len(e.spares))
		}
		for _, sp := range e.spares {
			return sp.id
		}
		return ""
	}
	leave := `echo secret > left.txt; echo secret > /tmp/left.txt; (sleep 600 &) ; echo ok`
	look := `ls -A; ls -A /tmp; cat /proc/[0-9]*/comm 2>/dev/null | grep -c '^sleep$' || true`
	files := fstest.MapFS{"input.txt": {Data: []byte("mine\n")}}

	res := mustRun(t, e, Spec{Cmd: sh(leave), Files: files})
	if strings.TrimSpace(string(res.Stdout)) != "ok" {
		t.Fatalf("first run: %q %q", res.Stdout, res.Stderr)
	}
	first := spare()
	for i := range 2 {
		res = mustRun(t, e, Spec{Cmd: sh(look), Files: files})
		got := strings.Fields(string(res.Stdout))
		// The work dir holds only this run's input; /tmp is empty; one sleep:
		// the holder's own (`sleep infinity`), none left by the first run.
		if strings.Join(got, " ") != "input.txt 1" {
			t.Errorf("run %d after one that left files and a process saw %q (stderr %q); want only its own input.txt and the holder's sleep", i+2, got, res.Stderr)
		}
		next := spare()
		if next == first {
			t.Fatalf("run %d did not take the spare made for it", i+2)
		}
		e.mu.Lock()
		_, still := e.live[resource{"container", first}]
		e.mu.Unlock()
		if still {
			t.Errorf("the spare run %d took is still there after it", i+2)
		}
		first = next
	}
	if err := e.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
}
