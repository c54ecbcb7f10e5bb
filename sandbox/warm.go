package sandbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/client"
)

// Labels of a warm sandbox container, besides [LabelManaged], [LabelOwner]
// and [LabelCreated] (so `grader gc` sweeps it like any other).
const (
	// LabelWarmSandbox is the user key of a warm sandbox: a hash of the
	// user, the host and the state folder, so users (and tests) sharing an
	// engine never reuse or remove each other's.
	LabelWarmSandbox = "org.grader.warm.sandbox"
	// LabelWarmSlot says which image the container is kept for (one per
	// user and image).
	LabelWarmSlot = "org.grader.warm.slot"
	// LabelWarmConfig is a hash of the image ID, the container's limits, the
	// user, the work dir and the idle limit: a kept container whose hash
	// differs (a rebuilt image, other limits) is replaced, not reused.
	LabelWarmConfig = "org.grader.warm.config"
)

// DefaultWarmIdle is how long a warm sandbox is kept with no run in it
// before it stops itself, as the warm PostgreSQL does.
const DefaultWarmIdle = 15 * time.Minute

// resetTimeout bounds the reset between two runs of a warm sandbox.
const resetTimeout = 10 * time.Second

// Warm says where a learner's warm sandboxes are kept track of and for how
// long they are kept. The zero value uses the user's cache folder and
// [DefaultWarmIdle].
type Warm struct {
	// StateDir holds one lock and one state file per kept container. Empty
	// means $XDG_CACHE_HOME/grader/sandbox (or the OS's cache folder).
	StateDir string
	// Idle stops a kept container after this long with no run (default
	// [DefaultWarmIdle]).
	Idle time.Duration
}

func (w Warm) idle() time.Duration {
	if w.Idle > 0 {
		return w.Idle
	}
	return DefaultWarmIdle
}

func (w Warm) stateDir() (string, error) {
	dir := w.StateDir
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("find a folder for the warm sandbox's state: %w (set XDG_CACHE_HOME or HOME)", err)
		}
		dir = filepath.Join(cache, "grader", "sandbox")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	return dir, os.MkdirAll(dir, 0o700)
}

// idleArgs returns the holder's idle limit and poll interval in seconds:
// four polls per limit, at least every second and at most every 15 s.
func (w Warm) idleArgs() (limit, step int) {
	limit = max(int(w.idle().Round(time.Second)/time.Second), 1)
	return limit, min(max(limit/4, 1), 15)
}

// userKey identifies this user's warm sandboxes for state folder dir.
func userKey(dir string) string {
	host, _ := os.Hostname()
	sum := sha256.Sum256([]byte(strconv.Itoa(os.Getuid()) + "@" + host + ":" + dir))
	return hex.EncodeToString(sum[:8])
}

func hashOf(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// warmHolder is a warm container's main process, run as the holder's user
// under the engine's init: it exits, and the engine then removes the
// container and its work volume, once nothing has changed in the work dir
// for the idle limit and no process but the holder's own runs. Every run
// copies files in and every reset empties the folder, so its time of change
// is the last use.
//
// Arguments: $1 idle limit (s), $2 poll interval (s), $3 the work dir.
const warmHolder = `limit=$1 step=$2 work=$3
busy() {
	for s in /proc/[0-9]*/status; do
		while read -r k v _; do
			if [ "$k" = Uid: ]; then [ "$v" != 65534 ] && return 0; break; fi
		done < "$s"
	done 2>/dev/null
	return 1
}
while :; do
	sleep "$step"
	busy && continue
	last=$(stat -c %Y "$work") || exit 0
	[ $(( $(date +%s) - last )) -ge "$limit" ] && exit 0
done
`

// warmReset runs as the command's user between two runs of a warm sandbox.
// It kills every process of that user (kill -1 reaches each process the
// caller may signal, never itself nor init; the holder runs as another
// user), then checks from /proc that none but init, the holder's and its
// own is left, trying again for about two seconds. It empties the work
// dir, /tmp, /dev/shm and /dev/mqueue and checks they are empty, and checks
// that no System V IPC object is left. Any failure exits non-zero, saying
// what was left: the container is then discarded.
//
// Arguments: $1 the work dir; $2 "kill" to stop after the processes.
const warmReset = `work=$1
cd /
left() {
	l=
	for s in /proc/[0-9]*/status; do
		p=${s#/proc/}; p=${p%/status}
		if [ "$p" = 1 ] || [ "$p" = $$ ]; then continue; fi
		u=
		while read -r k v _; do
			if [ "$k" = Uid: ]; then u=$v; break; fi
		done < "$s" 2>/dev/null
		if [ -z "$u" ]; then [ -e "$s" ] && l="$l $p"; continue; fi
		[ "$u" = 65534 ] || l="$l $p"
	done
	[ -n "$l" ]
}
i=0
while kill -KILL -1 2>/dev/null; left; do
	i=$((i + 1))
	if [ "$i" -gt 40 ]; then echo "processes left:$l"; exit 3; fi
	sleep 0.05
done
[ "${2-}" = kill ] && exit 0
chmod u+rwx "$work" 2>/dev/null
for d in "$work" /tmp /dev/shm /dev/mqueue; do
	[ -d "$d" ] || continue
	find "$d" -mindepth 1 -type d -exec chmod u+rwx {} + 2>/dev/null
	find "$d" -mindepth 1 -delete 2>/dev/null
	if [ -n "$(find "$d" -mindepth 1 -print -quit 2>&1)" ]; then echo "$d is not empty"; exit 4; fi
done
ipc() {
	for f in /proc/sysvipc/shm /proc/sysvipc/msg /proc/sysvipc/sem; do
		[ -r "$f" ] || continue
		n=0
		while read -r _; do n=$((n + 1)); done < "$f"
		[ "$n" -le 1 ] || return 1
	done
}
if ! ipc; then ipcrm --all 2>/dev/null; ipc || { echo "System V IPC objects left"; exit 5; }; fi
`

// warmRun is the part of a [run] in a kept container.
type warmRun struct {
	labels map[string]string
	idle   Warm
	// pids and ooms are the container's counts of refused forks and OOM
	// kills before the command started; ok is false when they cannot be
	// read (a remote engine), and the run is then judged as a fresh one
	// (the container stopped, then discarded).
	pids, ooms int64
	ok         bool
	// killed is set once the container was killed: it cannot be kept.
	killed bool
}

// warmState is what the next process needs to trust a kept container
// without resetting it again: which container, the exec of the reset
// started after its last run, and when that run ended.
type warmState struct {
	ContainerID string    `json:"container_id"`
	ResetExec   string    `json:"reset_exec"`
	Used        time.Time `json:"used"`
}

// RunWarm is [Engine.Run] in a container kept for the next run of the same
// user and image: for a learner re-checking their own code on their own
// machine, never for a batch of submissions (grade, validate), which must
// not share one. The container is hardened exactly as Run's (same limits,
// user, read-only root, no network) and reset after every run: every
// process of the command's user killed and checked gone, the work dir, /tmp,
// /dev/shm and /dev/mqueue emptied and checked empty. A reset that fails,
// a run that hit a limit or was cancelled, a rebuilt image (its ID changed)
// or other limits make a fresh container instead. The kept container stops
// itself after w's idle time with no run; [Engine.RemoveWarm] and [Engine.GC]
// remove it at once.
//
// A run on a network (services) and a run while another process holds the
// user's container take a fresh one (Run).
func (e *Engine) RunWarm(ctx context.Context, s Spec, w Warm) (*Result, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	lim := s.Limits.WithDefaults()
	if err := lim.Validate(); err != nil {
		return nil, err
	}
	if s.network() != "none" {
		return e.Run(ctx, s)
	}
	ref, imageID, err := e.Image(ctx, s.Image)
	if err != nil {
		return nil, err
	}
	dir, err := w.stateDir()
	if err != nil {
		return nil, err
	}
	key := userKey(dir)
	slot := hashOf(key, ref)
	unlock, ok, err := tryLock(filepath.Join(dir, "warm-"+slot+".lock"))
	if err != nil {
		return nil, err
	}
	if !ok {
		return e.Run(ctx, s) // another check holds it: this one takes a fresh container
	}
	defer unlock()
	release, err := e.takeTurn(ctx, lim.CPUs)
	if err != nil {
		return nil, err
	}
	defer release()

	limit, _ := w.idleArgs()
	uid, gid, _ := parseUser(s.user())
	config := hashOf(imageID, s.user(), s.workDir(), strconv.Itoa(limit), warmHolder,
		fmt.Sprint(lim.Memory, lim.Pids, lim.CPUs, lim.NoFile, lim.FileSize, lim.Tmp, lim.Work))
	labels := e.labels()
	labels[LabelWarmSandbox], labels[LabelWarmSlot], labels[LabelWarmConfig] = key, slot, config
	statePath := filepath.Join(dir, "warm-"+slot+".json")
	r := &run{e: e, s: &s, lim: lim, image: ref, uid: uid, gid: gid,
		warm: &warmRun{labels: labels, idle: w}, viaStdin: true}

	st := readWarmState(statePath)
	r.id = e.claimWarm(ctx, slot, config, st, time.Duration(limit-1)*time.Second)
	_ = os.Remove(statePath) // in use: a crash from here on leaves it untrusted
	if r.id != "" && !r.resetDone(ctx, st.ResetExec) {
		_ = r.discard(ctx)
		r.id = ""
	}
	if r.id == "" {
		r.name = "grader-warm-" + slot[:8] + "-" + randomHex(3)
		if err := r.create(ctx); err != nil {
			_ = r.discard(ctx)
			return nil, err
		}
	} else {
		e.track("container", r.id) // removed by Close if this process is interrupted
		if err := r.copyIn(ctx); err != nil {
			_ = r.discard(ctx)
			return nil, err
		}
	}
	r.warm.pids, r.warm.ooms, r.warm.ok = r.counters()
	res, err := r.exec(ctx)
	if err != nil || r.warm.killed {
		if cerr := r.discard(ctx); cerr != nil && err == nil {
			return nil, fmt.Errorf("sandbox cleanup: %w", cerr)
		}
		return res, err
	}
	// Judged: thaw and start the reset now, so nothing the run left behind
	// goes on running until the next check. The reset runs detached, after
	// this process has returned the verdict; the next run waits for it and
	// reads how it ended (resetDone).
	//
	// A process the run left could trace (ptrace) the reset's shell, which
	// runs as the same user, and make it skip its work. So the reset that
	// cleans starts only once the host has seen, in the container's own
	// cgroup, that no process but the holder's is alive: most runs leave
	// none (checked while still frozen); otherwise a first exec kills them
	// and the host looks again. Nothing alive can then tamper with the reset.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), resetTimeout)
	defer cancel()
	left, ok := foreignProcs(e.api.DaemonHost(), r.id)
	_, _ = e.api.ContainerUnpause(rctx, r.id, client.ContainerUnpauseOptions{})
	if ok && left > 0 {
		ok = r.killLeftovers(rctx)
		if ok {
			left, ok = foreignProcs(e.api.DaemonHost(), r.id)
		}
	}
	execID, err := "", errors.New("processes left in the sandbox, or its cgroup cannot be read")
	if ok && left == 0 {
		execID, err = r.startReset(rctx)
	}
	if err != nil {
		if cerr := r.discard(ctx); cerr != nil {
			return nil, fmt.Errorf("sandbox cleanup: %w", cerr)
		}
		return res, nil
	}
	writeWarmState(statePath, warmState{ContainerID: r.id, ResetExec: execID, Used: time.Now()})
	e.untrack("container", r.id)
	return res, nil
}

// killLeftovers kills every process a run left in the kept container, by
// an exec of the reset's kill step. A run that filled its pids limit leaves
// no room to start that exec (runc's init cannot fork), so the limit is
// raised by a few processes for it and set back after; leftovers that fork
// take that room first, the exec then fails, and the container is
// discarded, as it is when the limit cannot be set back.
func (r *run) killLeftovers(ctx context.Context) bool {
	lent := r.lim.Pids + killRoom
	if _, err := r.e.api.ContainerUpdate(ctx, r.id, client.ContainerUpdateOptions{
		Resources: &container.Resources{PidsLimit: &lent},
	}); err != nil {
		return false
	}
	code, _, err := r.e.execOutput(ctx, r.id, r.s.user(), append(r.resetCmd(), "kill"))
	limit := r.lim.Pids
	if _, uerr := r.e.api.ContainerUpdate(ctx, r.id, client.ContainerUpdateOptions{
		Resources: &container.Resources{PidsLimit: &limit},
	}); uerr != nil {
		return false
	}
	return err == nil && code == 0
}

// killRoom is how many processes the kill exec may need beyond a full pids
// limit: runc's init, the shell, kill and a few of the reset's own.
const killRoom = 8

// resetDone reports whether the kept container is clean for a run: the
// reset started after its last run (exec execID) ended with status 0,
// waited for while it runs, and the host then sees no process but the
// holder's in the container. When the engine no longer knows that exec (it
// forgets finished ones after some minutes) or there is none, the reset
// runs again now, once the host has seen that nothing is alive that could
// tamper with it. false means the container must be discarded.
func (r *run) resetDone(ctx context.Context, execID string) bool {
	clean := func() bool {
		left, ok := foreignProcs(r.e.api.DaemonHost(), r.id)
		return ok && left == 0
	}
	if execID == "" {
		return clean() && r.reset(ctx) == nil && clean()
	}
	ctx, cancel := context.WithTimeout(ctx, resetTimeout)
	defer cancel()
	for {
		in, err := r.e.api.ExecInspect(ctx, execID, client.ExecInspectOptions{})
		if err != nil {
			return cerrdefs.IsNotFound(err) && clean() && r.reset(ctx) == nil && clean()
		}
		if in.ContainerID != "" && in.ContainerID != r.id {
			return false
		}
		if !in.Running {
			return in.ExitCode == 0 && clean()
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(execPoll):
		}
	}
}

// startReset starts [warmReset] detached and returns its exec's ID.
func (r *run) startReset(ctx context.Context) (string, error) {
	ex, err := r.e.api.ExecCreate(ctx, r.id, client.ExecCreateOptions{User: r.s.user(), Cmd: r.resetCmd()})
	if err != nil {
		return "", r.e.engineErr("create exec", err)
	}
	if _, err := r.e.api.ExecStart(ctx, ex.ID, client.ExecStartOptions{Detach: true}); err != nil {
		return "", r.e.engineErr("start the sandbox's reset", err)
	}
	return ex.ID, nil
}

func (r *run) resetCmd() []string {
	return []string{"sh", "-c", warmReset, "warm-reset", r.s.workDir()}
}

// claimWarm returns the ID of the kept container for slot if it can be
// reused (running, its config hash equal to config, the one the state file
// names, used recently enough that it will not stop itself under the run)
// and removes every other container of the slot. "" means none.
func (e *Engine) claimWarm(ctx context.Context, slot, config string, st warmState, fresh time.Duration) string {
	f := make(client.Filters).Add("label", LabelManaged+"=1").Add("label", LabelWarmSlot+"="+slot)
	list, err := e.api.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		return ""
	}
	keep := ""
	for _, c := range list.Items {
		if keep == "" && c.ID == st.ContainerID && c.State == container.StateRunning &&
			c.Labels[LabelWarmConfig] == config && time.Since(st.Used) < fresh {
			keep = c.ID
			continue
		}
		_ = e.removeWarm(ctx, c.ID)
	}
	return keep
}

// removeWarm removes a kept container and waits until the engine has
// removed it and its work volume: one with AutoRemove is removed by the
// engine itself once killed, and a caller that lists containers right after
// (`grader stop`, then a check) must not find it.
func (e *Engine) removeWarm(ctx context.Context, id string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	wait := e.api.ContainerWait(ctx, id, client.ContainerWaitOptions{Condition: container.WaitConditionRemoved})
	if err := e.remove(ctx, resource{"container", id}); err != nil {
		return err
	}
	select {
	case <-wait.Result:
	case err := <-wait.Error:
		if !cerrdefs.IsNotFound(err) {
			return fmt.Errorf("remove warm sandbox %s: %w", short(id), err)
		}
	case <-ctx.Done():
		return fmt.Errorf("remove warm sandbox %s: %w", short(id), ctx.Err())
	}
	return nil
}

// discard removes the run's kept container, waiting until it is gone.
func (r *run) discard(ctx context.Context) error {
	if r.id == "" {
		return nil
	}
	return r.e.removeWarm(ctx, r.id)
}

// createWarm makes the kept container: its work dir is an anonymous tmpfs
// volume, removed with it; its holder stops it after the idle time.
func (r *run) createWarm(ctx, cctx context.Context) error {
	limit, step := r.warm.idle.idleArgs()
	holder := []string{"sh", "-c", warmHolder, "warm-holder", strconv.Itoa(limit), strconv.Itoa(step), r.s.workDir()}
	work := mount.Mount{
		Type: mount.TypeVolume, Target: r.s.workDir(),
		VolumeOptions: &mount.VolumeOptions{NoCopy: true, Labels: r.warm.labels, DriverConfig: &mount.Driver{
			Name: "local",
			Options: map[string]string{
				"type":   "tmpfs",
				"device": "tmpfs",
				"o":      fmt.Sprintf("size=%d,uid=%d,gid=%d,mode=0755,nosuid,nodev", r.lim.Work, r.uid, r.gid),
			},
		}},
	}
	return r.startHolder(ctx, cctx, holder, r.warm.labels, work, true)
}

// reset runs [warmReset] in the container as the command's user.
func (r *run) reset(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, resetTimeout)
	defer cancel()
	code, out, err := r.e.execOutput(ctx, r.id, r.s.user(), r.resetCmd())
	if err != nil {
		return err
	}
	if code != 0 {
		return fmt.Errorf("reset of the warm sandbox failed (exit %d): %s", code, strings.TrimSpace(out))
	}
	return nil
}

// execOutput runs cmd in container id as user and returns its exit code and
// its first 4 KiB of output.
func (e *Engine) execOutput(ctx context.Context, id, user string, cmd []string) (int, string, error) {
	ex, err := e.api.ExecCreate(ctx, id, client.ExecCreateOptions{User: user, Cmd: cmd, AttachStdout: true, AttachStderr: true})
	if err != nil {
		return -1, "", e.engineErr("create exec", err)
	}
	att, err := e.api.ExecAttach(ctx, ex.ID, client.ExecAttachOptions{})
	if err != nil {
		return -1, "", e.engineErr("start exec", err)
	}
	defer att.Close()
	out := &capture{budget: 4 << 10, onOverflow: func() {}}
	_, _ = stdcopy.StdCopy(out.writer(&out.stdout), out.writer(&out.stderr), att.Reader)
	for {
		in, err := e.api.ExecInspect(ctx, ex.ID, client.ExecInspectOptions{})
		if err != nil {
			return -1, "", e.engineErr("inspect exec", err)
		}
		if !in.Running {
			stdout, stderr, _ := out.result()
			return in.ExitCode, string(stdout) + string(stderr), nil
		}
		select {
		case <-ctx.Done():
			return -1, "", ctx.Err()
		case <-time.After(execPoll):
		}
	}
}

// counters reads the container's counts of forks refused at the pids limit
// and of OOM kills, from its cgroups on a local engine.
func (r *run) counters() (pids, ooms int64, ok bool) {
	pids, ok1 := pidsRefused(r.e.api.DaemonHost(), r.id)
	ooms, ok2 := oomKills(r.e.api.DaemonHost(), r.id)
	return pids, ooms, ok1 && ok2
}

// warmCounters judges the pids and memory limits of a warm run from the
// counters' growth during the run, without stopping the container: the
// engine's OOMKilled flag would count every earlier run of a kept
// container. ok is false for a cold run or counters that cannot be read:
// the caller then stops the container and asks the engine, as for a fresh
// one.
func (r *run) warmCounters() (pids, oom, ok bool) {
	if r.warm == nil || !r.warm.ok {
		return false, false, false
	}
	p, o, ok := r.counters()
	if !ok {
		return false, false, false
	}
	return p > r.warm.pids, o > r.warm.ooms, true
}

// oomKilled reports whether the kernel's OOM killer acted in the
// container, where a local engine keeps its cgroups; false when it cannot
// tell.
func oomKilled(daemonHost, id string) bool {
	n, _ := oomKills(daemonHost, id)
	return n > 0
}

// oomKills reads the oom_kill count of the container's memory cgroup
// (memory.oom_control in cgroup v1, memory.events in v2) on a local engine.
func oomKills(daemonHost, id string) (int64, bool) {
	if !strings.HasPrefix(daemonHost, "unix://") {
		return 0, false
	}
	for _, p := range []string{
		"/sys/fs/cgroup/memory/docker/" + id + "/memory.oom_control",
		"/sys/fs/cgroup/memory/system.slice/docker-" + id + ".scope/memory.oom_control",
		"/sys/fs/cgroup/docker/" + id + "/memory.events",
		"/sys/fs/cgroup/system.slice/docker-" + id + ".scope/memory.events",
	} {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		for line := range strings.SplitSeq(string(data), "\n") {
			if v, found := strings.CutPrefix(line, "oom_kill "); found {
				n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
				return n, err == nil
			}
		}
	}
	return 0, false
}

// foreignProcs counts, from the host, the live processes in the container
// that do not belong to the holder's user (every uid 65534): the learner's
// code cannot hide from or tamper with this count, which the engine's
// cgroup keeps. Zombies count for nothing. ok is false when the cgroup or a
// process cannot be read (a remote engine, another PID namespace).
func foreignProcs(daemonHost, id string) (n int, ok bool) {
	if !strings.HasPrefix(daemonHost, "unix://") {
		return 0, false
	}
	for _, p := range []string{
		"/sys/fs/cgroup/pids/docker/" + id + "/cgroup.procs",
		"/sys/fs/cgroup/pids/system.slice/docker-" + id + ".scope/cgroup.procs",
		"/sys/fs/cgroup/docker/" + id + "/cgroup.procs",
		"/sys/fs/cgroup/system.slice/docker-" + id + ".scope/cgroup.procs",
	} {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		pids := strings.Fields(string(data))
		if len(pids) == 0 {
			return 0, false // the holder at least is there: not visible from here
		}
		for _, pid := range pids {
			if pid == "0" {
				return 0, false // outside this PID namespace
			}
			st, err := os.ReadFile("/proc/" + pid + "/status")
			if errors.Is(err, os.ErrNotExist) {
				continue // gone meanwhile
			}
			if err != nil {
				return 0, false
			}
			if !holderProcess(string(st)) {
				n++
			}
		}
		return n, true
	}
	return 0, false
}

// holderProcess reports whether /proc status text is of a zombie or of a
// process whose every uid is the holder's.
func holderProcess(status string) bool {
	uidOK := false
	for line := range strings.SplitSeq(status, "\n") {
		k, v, _ := strings.Cut(line, ":")
		switch k {
		case "State":
			if strings.HasPrefix(strings.TrimSpace(v), "Z") {
				return true
			}
		case "Uid":
			f := strings.Fields(v)
			uidOK = len(f) > 0
			for _, u := range f {
				if u != "65534" {
					uidOK = false
				}
			}
		}
	}
	return uidOK
}

func readWarmState(path string) warmState {
	var st warmState
	data, err := os.ReadFile(path)
	if err == nil {
		_ = json.Unmarshal(data, &st)
	}
	return st
}

func writeWarmState(path string, st warmState) {
	data, _ := json.Marshal(st)
	tmp := path + ".tmp"
	if os.WriteFile(tmp, data, 0o600) == nil {
		_ = os.Rename(tmp, path)
	}
}

// RemoveWarm removes this user's warm sandboxes (for w's state folder), at
// once, and returns how many there were: for `grader stop`.
func (e *Engine) RemoveWarm(ctx context.Context, w Warm) (int, error) {
	dir, err := w.stateDir()
	if err != nil {
		return 0, err
	}
	f := make(client.Filters).Add("label", LabelManaged+"=1").Add("label", LabelWarmSandbox+"="+userKey(dir))
	list, err := e.api.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		return 0, e.engineErr("list warm sandboxes", err)
	}
	var errs []error
	for _, c := range list.Items {
		errs = append(errs, e.removeWarm(ctx, c.ID))
	}
	states, _ := filepath.Glob(filepath.Join(dir, "warm-*.json"))
	for _, p := range states {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return len(list.Items), errors.Join(errs...)
}
