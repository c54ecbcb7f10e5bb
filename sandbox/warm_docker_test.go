package sandbox

// Docker tests of the warm sandbox: reuse, the reset between runs, limits,
// idle expiry and removal. Like docker_test.go they fail under CI=true when
// Docker or the test image is missing.

import (
	"context"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// warmLimits are small limits for the warm tests.
var warmLimits = Limits{Memory: 128 * MiB, Pids: 64, Tmp: 16 * MiB, Work: 16 * MiB, Timeout: 20 * time.Second}

// warmEngine returns an engine and a warm setting of the test's own (its
// own state folder, so its own containers), removed after the test.
func warmEngine(t *testing.T, idle time.Duration) (*Engine, Warm) {
	t.Helper()
	e := requireDocker(t)
	w := Warm{StateDir: t.TempDir(), Idle: idle}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := e.RemoveWarm(ctx, w); err != nil {
			t.Errorf("remove warm sandbox: %v", err)
		}
	})
	return e, w
}

// warmContainers lists the test's kept containers.
func warmContainers(t *testing.T, e *Engine, w Warm) []container.Summary {
	t.Helper()
	dir, err := w.stateDir()
	if err != nil {
		t.Fatal(err)
	}
	f := make(client.Filters).Add("label", LabelWarmSandbox+"="+userKey(dir))
	list, err := e.api.ContainerList(t.Context(), client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	return list.Items
}

// warmID returns the one kept container's ID, failing when there is not
// exactly one.
func warmID(t *testing.T, e *Engine, w Warm) string {
	t.Helper()
	cs := warmContainers(t, e, w)
	if len(cs) != 1 {
		t.Fatalf("want 1 warm container, found %d", len(cs))
	}
	return cs[0].ID
}

func runWarm(t *testing.T, e *Engine, w Warm, lim Limits, script string) *Result {
	t.Helper()
	res, err := e.RunWarm(t.Context(), Spec{Image: testImage(), Cmd: []string{"sh", "-c", script}, Limits: lim}, w)
	if err != nil {
		t.Fatalf("RunWarm: %v", err)
	}
	return res
}

// listOthers prints every process but the shell itself that the holder's
// user does not own: what a run left behind.
const listOthers = `for s in /proc/[0-9]*/status; do
	p=${s#/proc/}; p=${p%/status}
	[ "$p" = $$ ] && continue
	[ "$p" = 1 ] && continue
	while read -r k v _; do
		if [ "$k" = Uid: ]; then [ "$v" = 65534 ] || echo "LEFT process $p uid $v"; break; fi
	done < "$s"
done
`

func TestWarmSecondRunReusesAFreshContainer(t *testing.T) {
	e, w := warmEngine(t, time.Minute)
	res := runWarm(t, e, w, warmLimits, `echo secret > /work/f; echo secret > /tmp/t; mkdir /work/d; echo s > /work/d/.hidden
		echo secret > /dev/shm/s; chmod 000 /work/d; echo ran`)
	if res.ExitCode != 0 || !strings.Contains(string(res.Stdout), "ran") {
		t.Fatalf("run 1: exit %d, %q %q", res.ExitCode, res.Stdout, res.Stderr)
	}
	id := warmID(t, e, w)

	res = runWarm(t, e, w, warmLimits, `for p in /work/f /work/d /tmp/t /dev/shm/s; do [ -e "$p" ] && echo "LEFT $p"; done
		ls -A /work /tmp /dev/shm; id -u; echo done`)
	out := string(res.Stdout) + string(res.Stderr)
	if strings.Contains(out, "LEFT") || strings.Contains(out, "secret") || !strings.Contains(out, "done") {
		t.Errorf("run 2 saw what run 1 left:\n%s", out)
	}
	if !strings.Contains(out, "10001") {
		t.Errorf("run 2 did not run as the sandbox user 10001:\n%s", out)
	}
	if got := warmID(t, e, w); got != id {
		t.Errorf("run 2 used container %s, want the kept %s", short(got), short(id))
	}
}

func TestWarmBackgroundProcessesAreGoneBeforeTheNextRun(t *testing.T) {
	e, w := warmEngine(t, time.Minute)
	// A detached writer, one that ignores SIGTERM and SIGHUP, and one that
	// forks and leaves its parent: each would write into the next run's
	// work folder if it lived.
	res := runWarm(t, e, w, warmLimits, `
		nohup sh -c 'while :; do echo x >> /work/bg1; sleep 0.1; done' >/dev/null 2>&1 &
		sh -c 'trap "" TERM HUP INT; while :; do echo x >> /work/bg2; sleep 0.1; done' >/dev/null 2>&1 &
		sh -c '(sh -c "while :; do echo x >> /work/bg3; sleep 0.1; done" &) ; exit 0' >/dev/null 2>&1
		sleep 0.3; ls /work; echo started`)
	if !strings.Contains(string(res.Stdout), "bg3") {
		t.Fatalf("run 1 did not start its background writers: %q %q", res.Stdout, res.Stderr)
	}
	id := warmID(t, e, w)

	res = runWarm(t, e, w, warmLimits, listOthers+`sleep 1; ls -A /work; echo done`)
	out := string(res.Stdout) + string(res.Stderr)
	if strings.Contains(out, "LEFT") || strings.Contains(out, "bg") || !strings.Contains(out, "done") {
		t.Errorf("run 2 found run 1's processes or their files:\n%s", out)
	}
	if got := warmID(t, e, w); got != id {
		t.Errorf("run 2 used container %s, want the kept %s", short(got), short(id))
	}
}

func TestWarmLimitsHold(t *testing.T) {
	e, w := warmEngine(t, time.Minute)
	runWarm(t, e, w, warmLimits, "true")
	id := warmID(t, e, w)

	in, err := e.api.ContainerInspect(t.Context(), id, client.ContainerInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	hc := in.Container.HostConfig
	if !hc.ReadonlyRootfs || !slices.Equal(hc.CapDrop, []string{"ALL"}) || string(hc.NetworkMode) != "none" ||
		!slices.Contains(hc.SecurityOpt, "no-new-privileges") || hc.Memory != warmLimits.Memory || hc.MemorySwap != warmLimits.Memory ||
		hc.PidsLimit == nil || *hc.PidsLimit != warmLimits.Pids || hc.NanoCPUs != int64(DefaultCPUs*1e9) || in.Container.Config.User != holderUser {
		t.Errorf("the warm container is not hardened as a fresh one: %+v user %q", hc, in.Container.Config.User)
	}

	res := runWarm(t, e, w, warmLimits, "head -c 400m /dev/zero | tail > /dev/null; echo after")
	if res.Limit != LimitMemory {
		t.Errorf("a memory hog in the warm container: limit %q, want memory (exit %d, %q)", res.Limit, res.ExitCode, res.Stderr)
	}
	res = runWarm(t, e, w, warmLimits, "for i in $(seq 100); do sleep 5 & done; wait")
	if res.Limit != LimitPids {
		t.Errorf("100 processes under a limit of %d: limit %q, want pids (exit %d, %q)", warmLimits.Pids, res.Limit, res.ExitCode, res.Stderr)
	}
	res = runWarm(t, e, w, warmLimits, "head -c 20m /dev/zero > /tmp/big; echo $?")
	if !strings.Contains(string(res.Stderr), "No space") {
		t.Errorf("20 MiB into a 16 MiB /tmp: %q %q, want no space left", res.Stdout, res.Stderr)
	}
	if got := warmID(t, e, w); got != id {
		t.Errorf("runs the engine judged in place changed the container: %s, want %s", short(got), short(id))
	}
	// The kill after the pids run borrows room above the limit: it is back.
	if in, err := e.api.ContainerInspect(t.Context(), id, client.ContainerInspectOptions{}); err != nil {
		t.Fatal(err)
	} else if p := in.Container.HostConfig.PidsLimit; p == nil || *p != warmLimits.Pids {
		t.Errorf("pids limit after the runs: %v, want %d", p, warmLimits.Pids)
	}

	lim := warmLimits
	lim.Timeout = time.Second
	res = runWarm(t, e, w, lim, "sleep 30")
	if res.Limit != LimitTimeout {
		t.Errorf("sleep 30 under a 1 s timeout: limit %q", res.Limit)
	}
	if cs := warmContainers(t, e, w); len(cs) != 0 {
		t.Errorf("a run ended by the timeout left its container kept: %d", len(cs))
	}
	runWarm(t, e, w, warmLimits, "true")
	if got := warmID(t, e, w); got == id {
		t.Error("the run after a timeout reused the killed container")
	}
}

func TestWarmOtherLimitsReplaceTheContainer(t *testing.T) {
	e, w := warmEngine(t, time.Minute)
	runWarm(t, e, w, warmLimits, "true")
	id := warmID(t, e, w)
	lim := warmLimits
	lim.Memory = 96 * MiB
	runWarm(t, e, w, lim, "true")
	got := warmID(t, e, w) // exactly one: the old one is gone
	if got == id {
		t.Fatal("a run with other limits reused the container made for the old ones")
	}
	in, err := e.api.ContainerInspect(t.Context(), got, client.ContainerInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if in.Container.HostConfig.Memory != lim.Memory {
		t.Errorf("memory %d, want %d", in.Container.HostConfig.Memory, lim.Memory)
	}
}

func TestWarmConcurrentRunsBothSucceed(t *testing.T) {
	e, w := warmEngine(t, time.Minute)
	var wg sync.WaitGroup
	results := make([]*Result, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() {
			results[i], errs[i] = e.RunWarm(t.Context(), Spec{Image: testImage(), Cmd: []string{"sh", "-c", "sleep 1; ls -A /work; echo ok"}, Limits: warmLimits}, w)
		})
	}
	wg.Wait()
	for i := range 2 {
		if errs[i] != nil || results[i].ExitCode != 0 || strings.TrimSpace(string(results[i].Stdout)) != "ok" {
			t.Errorf("run %d: %v %+v", i, errs[i], results[i])
		}
	}
	warmID(t, e, w) // one kept; the other run's fresh container is gone
}

func TestWarmStopsAfterIdleAndIsRemoved(t *testing.T) {
	e, w := warmEngine(t, 3*time.Second)
	runWarm(t, e, w, warmLimits, "true")
	warmID(t, e, w)
	deadline := time.Now().Add(30 * time.Second)
	for len(warmContainers(t, e, w)) > 0 {
		if time.Now().After(deadline) {
			t.Fatal("the warm container was still there 30 s after its 3 s idle time")
		}
		time.Sleep(500 * time.Millisecond)
	}

	// A new one, then stop: gc would find it, RemoveWarm removes it.
	runWarm(t, e, w, warmLimits, "true")
	id := warmID(t, e, w)
	left, err := e.Leftovers(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(left, func(r Resource) bool { return r.Kind == "container" && r.ID == id }) {
		t.Error("grader gc would not find the warm container")
	}
	n, err := e.RemoveWarm(t.Context(), w)
	if err != nil || n != 1 {
		t.Fatalf("RemoveWarm: %d, %v; want 1", n, err)
	}
	if cs := warmContainers(t, e, w); len(cs) != 0 {
		t.Errorf("%d warm containers left after RemoveWarm", len(cs))
	}
	if n, err := e.RemoveWarm(t.Context(), w); err != nil || n != 0 {
		t.Errorf("RemoveWarm again: %d, %v; want 0", n, err)
	}
}

func TestWarmRebuiltImageReplacesTheContainer(t *testing.T) {
	e, w := warmEngine(t, time.Minute)
	// The image "rebuilt": one name, first on the test image, then on
	// another local image (another ID), as `make images` would leave it.
	name := "grader-warmtest:" + randomHex(4)
	first, second := e.Images.Resolve(testImage()), e.Images.Resolve("python:3.11")
	tag := func(src string) {
		t.Helper()
		if out, err := exec.Command("docker", "tag", src, name).CombinedOutput(); err != nil {
			t.Fatalf("docker tag: %v %s", err, out)
		}
	}
	tag(first)
	t.Cleanup(func() { _ = exec.Command("docker", "rmi", name).Run() })
	run := func(e *Engine) {
		t.Helper()
		res, err := e.RunWarm(t.Context(), Spec{Image: name, Cmd: []string{"true"}, Limits: warmLimits}, w)
		if err != nil || res.ExitCode != 0 {
			t.Fatalf("RunWarm: %v %+v", err, res)
		}
	}
	run(e)
	id := warmID(t, e, w)
	tag(second)
	e2, err := Connect(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	run(e2) // a new process: it reads the image's ID afresh
	got := warmID(t, e, w)
	if got == id {
		t.Fatal("the container of the image's old build was reused")
	}
	in, err := e.api.ContainerInspect(t.Context(), got, client.ContainerInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := e2.api.ImageInspect(t.Context(), second)
	if err != nil {
		t.Fatal(err)
	}
	if in.Container.Image != want.ID {
		t.Errorf("the new container runs image %s, want the rebuilt %s", in.Container.Image, want.ID)
	}
}
