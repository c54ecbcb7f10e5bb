//go:build unix

package sandbox

import (
	"os"
	"os/exec"
	"strconv"
	"testing"
)

// TestOwnerRunning: a resource is in use while the grader process that
// made it runs on this machine; not once it has ended, not when it was made
// on another machine or by this process (whose own it is to sweep), and not
// when the label is not pid@host.
func TestOwnerRunning(t *testing.T) {
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	p := exec.Command("sleep", "60")
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	self := ownerLabel()
	running := strconv.Itoa(p.Process.Pid) + "@" + host
	if !ownerRunning(running, self) {
		t.Errorf("owner %s, a process running here: not in use", running)
	}
	for _, owner := range []string{
		strconv.Itoa(p.Process.Pid) + "@another-" + host,
		self,
		"", "garbage", "x@" + host, "-1@" + host,
	} {
		if ownerRunning(owner, self) {
			t.Errorf("owner %q: in use", owner)
		}
	}
	if ownerRunning(strconv.Itoa(p.Process.Pid)+"@"+unknownHost, "1@"+unknownHost) {
		t.Errorf("owner on a host whose name could not be read: in use")
	}
	_ = p.Process.Kill()
	_ = p.Wait()
	if ownerRunning(running, self) {
		t.Errorf("owner %s, a process that has ended: still in use", running)
	}
}
