package sandbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
)

// holderCmd is the container's main process: it only keeps the work volume
// mounted. The engine's init (docker-init, tini) runs it as PID 1's child and
// reaps whatever the command leaves behind.
var holderCmd = []string{"sleep", "infinity"}

// execPoll is how often the exit of the command is polled once its output
// stream has closed.
const execPoll = 20 * time.Millisecond

// freezeTimeout bounds the pause that stills a finished run before it is
// judged. A fork bomb or a loaded machine can make a freeze slow; the run is
// then judged unfrozen rather than held up.
const freezeTimeout = 10 * time.Second

// Run runs s.Cmd in a fresh hardened container and returns what it did. The
// container and its volume are removed before Run returns, whatever happens,
// including when ctx is cancelled (then the error is ctx's). A limit ending
// the run is reported in [Result.Limit], not as an error; errors are the
// sandbox's own failures ([ErrNoDocker], [ErrImageMissing], [ErrInvalid], or
// the engine refusing an operation). When the runs under way already ask
// for all of [Engine.Cores], Run waits its turn, with its container made
// and its files copied in, before it starts the command. A verdict read
// from the container's cgroups lets Run return before the container is
// removed; the engine removes it in the background (Close waits for that).
func (e *Engine) Run(ctx context.Context, s Spec) (res *Result, err error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	lim := s.Limits.WithDefaults()
	if err := lim.Validate(); err != nil {
		return nil, err
	}
	uid, gid, _ := parseUser(s.user())
	image := e.Images.Resolve(s.Image)
	if err := e.ensureImage(ctx, s.Image, image); err != nil {
		return nil, err
	}
	r := &run{e: e, s: &s, lim: lim, image: image, uid: uid, gid: gid, name: "grader-" + randomHex(6), viaStdin: true}
	defer func() {
		if err == nil && r.judged {
			e.removeLater(ctx, r)
			return
		}
		if cerr := r.cleanup(ctx); cerr != nil && err == nil {
			res, err = nil, fmt.Errorf("sandbox cleanup: %w", cerr)
		}
	}()
	if err := r.create(ctx); err != nil {
		return nil, err
	}
	e.makeSpare(ctx, r)
	// The turn covers the command alone: making the container and copying
	// the files in is the engine's work, not the cores the run asked for,
	// so a batch prepares its next containers while others run.
	release, err := e.takeTurn(ctx, lim.CPUs)
	if err != nil {
		return nil, err
	}
	r.endTurn = sync.OnceFunc(release)
	defer r.endTurn() // before the removal: the command's cores are free
	return r.exec(ctx)
}

// run is the state of one [Engine.Run].
type run struct {
	e          *Engine
	s          *Spec
	lim        Limits
	image      string
	uid, gid   int
	name       string
	aliases    []string // the container's names on a private network
	volume     string
	id         string
	stopReason atomic.Value // Limit set by the host side (timeout, output)
	// warm, when set, makes this a run in a kept container (see
	// [Engine.RunWarm]): created to outlive the run, and judged without
	// stopping it when its counters can be read.
	warm *warmRun
	// judged is set when the run's verdict was read from its cgroup
	// counters, frozen and without stopping it: what is left is only to
	// remove it, which need not hold up the caller.
	judged bool
	// viaStdin sends the files in through the command's stdin (see
	// [unpackScript]) when they fit: Run and RunWarm, whose command is one
	// exec. An app's command restarts, so its files are copied in.
	viaStdin bool
	// unpack is the files' archive that the command's shell unpacks first,
	// and unpackTag the word its failure is told by.
	unpack    []byte
	unpackTag string
	// endTurn, when set, gives back the run's turn for the cores: once its
	// processes are frozen they use none, and the next run's command can
	// start while this one's outputs are copied out.
	endTurn func()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// create makes the work volume and the holder container, starts it and
// copies the files in.
func (r *run) create(ctx context.Context) error {
	e := r.e
	cctx, cancel := creating(ctx)
	defer cancel()
	if r.warm != nil {
		return r.createWarm(ctx, cctx)
	}
	if e.takeSpare(r) {
		return r.copyIn(ctx)
	}
	vol, err := e.api.VolumeCreate(cctx, client.VolumeCreateOptions{
		Name:   r.name + "-work",
		Driver: "local",
		DriverOpts: map[string]string{
			"type":   "tmpfs",
			"device": "tmpfs",
			"o":      fmt.Sprintf("size=%d,uid=%d,gid=%d,mode=0755,nosuid,nodev", r.lim.Work, r.uid, r.gid),
		},
		Labels: e.labels(),
	})
	if vol.Volume.Name != "" {
		r.volume = vol.Volume.Name
		if !e.track("volume", r.volume) {
			return errors.New("sandbox engine is closed")
		}
	}
	if err != nil {
		return e.engineErr("create work volume", err)
	}

	return r.startHolder(ctx, cctx, holderCmd, e.labels(), mount.Mount{
		Type: mount.TypeVolume, Source: r.volume, Target: r.s.workDir(),
		VolumeOptions: &mount.VolumeOptions{NoCopy: true},
	}, false)
}

// startHolder creates and starts the holder container with work mounted at
// the work dir, then copies the files in. autoRemove makes the engine
// remove it (and an anonymous work volume) once its holder exits.
func (r *run) startHolder(ctx, cctx context.Context, holder []string, labels map[string]string, work mount.Mount, autoRemove bool) error {
	e := r.e
	hc := &container.HostConfig{
		NetworkMode:    container.NetworkMode(r.s.network()),
		ReadonlyRootfs: true,
		CapDrop:        []string{"ALL"},
		SecurityOpt:    []string{"no-new-privileges"},
		Privileged:     false,
		Init:           ptr(true),
		Tmpfs:          map[string]string{"/tmp": fmt.Sprintf("rw,exec,nosuid,nodev,size=%d,mode=1777", r.lim.Tmp)},
		Mounts:         []mount.Mount{work},
		LogConfig:      cappedLog,
		Resources:      lim(r.lim),
		AutoRemove:     autoRemove,
	}
	cfg := &container.Config{
		Image:           r.image,
		Entrypoint:      holder,
		Cmd:             nil,
		User:            holderUser,
		WorkingDir:      "/",
		Hostname:        "sandbox",
		Labels:          labels,
		NetworkDisabled: r.s.network() == "none",
		StopSignal:      "SIGKILL",
	}
	var nc *network.NetworkingConfig
	if r.s.network() != "none" {
		nc = &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{
			r.s.network(): {Aliases: r.aliases},
		}}
	}
	created, err := e.api.ContainerCreate(cctx, client.ContainerCreateOptions{Config: cfg, HostConfig: hc, NetworkingConfig: nc, Name: r.name})
	if created.ID != "" { // register before checking err: it may exist anyway
		r.id = created.ID
		if !e.track("container", r.id) {
			return errors.New("sandbox engine is closed")
		}
	}
	if err != nil {
		return e.engineErr("create container from "+r.image, err)
	}
	if _, err := e.api.ContainerStart(ctx, r.id, client.ContainerStartOptions{}); err != nil {
		if strings.Contains(err.Error(), "executable file not found") {
			return &Error{Msg: "start container from " + r.image, Err: err,
				Hint: "sandbox images must provide `sleep` (coreutils or busybox): use one built by `make images`"}
		}
		return e.engineErr("start container from "+r.image, err)
	}
	return r.copyIn(ctx)
}

// copyIn copies the spec's files and inline files into the work dir.
func (r *run) copyIn(ctx context.Context) error {
	e, workDir := r.e, r.s.workDir()
	if r.s.Files == nil && len(r.s.Inline) == 0 {
		return nil // an empty copy still costs the engine ~100 ms
	}
	if r.viaStdin {
		if ok, err := r.packForStdin(); ok || err != nil {
			return err
		}
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(tarInputs(pw, r.s.Files, r.s.Inline, r.uid, r.gid)) }()
	_, err := e.api.CopyToContainer(ctx, r.id, client.CopyToContainerOptions{DestinationPath: workDir, Content: pr})
	pr.CloseWithError(io.ErrClosedPipe) // unblock the writer if the engine stopped reading
	if err != nil {
		var se *Error
		if errors.As(err, &se) {
			return err
		}
		return e.engineErr("copy files into the sandbox", err)
	}
	return nil
}

// exec runs the command, enforces the wall clock and the output cap, then
// freezes the container, copies outputs out and reads the engine's verdict.
func (r *run) exec(ctx context.Context) (*Result, error) {
	e := r.e
	cmd, stdin := r.command()
	ex, err := e.api.ExecCreate(ctx, r.id, client.ExecCreateOptions{
		User:         r.s.user(),
		Env:          r.s.Env,
		WorkingDir:   r.s.workDir(),
		Cmd:          cmd,
		AttachStdin:  stdin != nil,
		AttachStdout: true,
		AttachStderr: true,
	})
	if err != nil {
		return nil, e.engineErr("create exec", err)
	}
	att, err := e.api.ExecAttach(ctx, ex.ID, client.ExecAttachOptions{})
	if err != nil {
		return nil, e.engineErr("start command", err)
	}
	start := time.Now()
	var closeOnce sync.Once
	closeStream := func() { closeOnce.Do(att.Close) }
	defer closeStream()

	if stdin != nil {
		go func() {
			_, _ = io.Copy(att.Conn, stdin)
			_ = att.CloseWrite()
		}()
	}

	out := &capture{budget: r.lim.Output}
	overflow := make(chan struct{})
	out.onOverflow = func() { close(overflow) }
	streamDone := make(chan error, 1)
	go func() {
		_, err := stdcopy.StdCopy(out.writer(&out.stdout), out.writer(&out.stderr), att.Reader)
		streamDone <- err
	}()

	timer := time.NewTimer(r.lim.Timeout)
	defer timer.Stop()
	exitCode, ctxErr, streamEnded := -1, error(nil), false
	select {
	case <-streamDone:
		streamEnded = true
		// The stream closes when the command exits, or when it closes its
		// stdout and stderr and goes on: wait for the exit, still under the
		// deadline.
		exitCode, ctxErr = r.waitExit(ctx, ex.ID, timer.C)
	case <-timer.C:
		r.stopReason.CompareAndSwap(nil, LimitTimeout)
	case <-overflow:
		r.stopReason.CompareAndSwap(nil, LimitOutput)
	case <-ctx.Done():
		ctxErr = ctx.Err()
	}
	if ctxErr != nil {
		// Cancelled: nothing is judged or copied, so nothing is frozen. A
		// freeze on a loaded engine can outlast the cleanup budget and then
		// land late, leaving a paused container behind: kill at once.
		closeStream()
		kctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		r.killAndInspect(kctx)
		if r.warm != nil {
			r.warm.killed = true
		}
		return nil, ctxErr
	}
	duration := time.Since(start)
	// Freeze everything the command started before judging or copying: a
	// background process cannot race the copy-out or outlive the check. The
	// freeze has a budget of its own; past it the outputs are copied from the
	// running container instead, since a stopped one has lost its tmpfs work
	// volume.
	pctx, cancelFreeze := context.WithTimeout(context.WithoutCancel(ctx), freezeTimeout)
	frozen := e.freeze(pctx, r.id) == nil
	cancelFreeze()
	if frozen && r.endTurn != nil {
		r.endTurn()
	}
	closeStream()
	if !streamEnded {
		select { // the copy returns once the stream is closed
		case <-streamDone:
		case <-time.After(r.lim.Grace):
		}
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()

	res := &Result{ExitCode: exitCode, Duration: duration}
	reason, _ := r.stopReason.Load().(Limit)
	if len(r.s.Outputs) > 0 {
		if err := r.copyOut(fctx, res); err != nil {
			if frozen {
				return nil, err
			}
			// The run's own processes kept writing while the engine read
			// them (a disk filler is the usual one): what they broke is
			// theirs, and the outputs count as missing.
			res.Outputs = nil
			res.OutputErrors = append(res.OutputErrors, OutputError{Path: ".",
				Reason: "could not be copied: the run's processes were still writing, and the sandbox could not be frozen"})
		}
	}
	// Precedence when several limits left a trace: output (the host killed
	// the run for it), then memory, then pids (both explain a timeout better
	// than the timeout does), then the timeout.
	// The pids cgroup keeps its count whether or not the freeze worked (a
	// fork bomb on a loaded machine can make the pause fail), so it is read
	// either way.
	var pids, oom bool
	if p, o, ok := r.warmCounters(); ok {
		pids, oom = res.ExitCode != 0 && p, o
		if reason != "" {
			r.killAndInspect(fctx) // a host-side limit ended it: not kept
		}
	} else if p, o, ok := r.counters(); ok && r.warm == nil && frozen {
		// A fresh container's counters start at zero. Read while it is
		// frozen, they are final: the engine's OOMKilled flag would say the
		// same only once the container is stopped, which the removal does.
		pids, oom = res.ExitCode != 0 && p > 0, o > 0
		r.judged = true
	} else {
		pids = res.ExitCode != 0 && r.pidsFull(fctx)
		oom = r.killAndInspect(fctx)
	}
	switch {
	case reason == LimitOutput:
	case oom:
		reason = LimitMemory
	case pids:
		reason = LimitPids
	}
	res.Limit = reason
	res.Stdout, res.Stderr, res.Truncated = out.result()
	if err := r.unpackError(res); err != nil {
		return nil, err
	}
	return res, nil
}

// freeze pauses the container, trying again while ctx lasts: on a loaded
// machine, or with processes in the middle of a write or a fork, the engine
// can answer "unable to freeze" at once and manage a moment later.
func (e *Engine) freeze(ctx context.Context, id string) error {
	for {
		_, err := e.api.ContainerPause(ctx, id, client.ContainerPauseOptions{})
		if err == nil || ctx.Err() != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// waitExit polls the engine for the command's exit once its output stream has
// closed, until the deadline (then it marks the run timed out and returns -1)
// or ctx ends.
func (r *run) waitExit(ctx context.Context, execID string, deadline <-chan time.Time) (int, error) {
	for {
		in, err := r.e.api.ExecInspect(ctx, execID, client.ExecInspectOptions{})
		if err != nil {
			if ctx.Err() != nil {
				return -1, ctx.Err()
			}
			return -1, nil // the container died under it; the verdict comes from its state
		}
		if !in.Running {
			return in.ExitCode, nil
		}
		select {
		case <-deadline:
			r.stopReason.CompareAndSwap(nil, LimitTimeout)
			return -1, nil
		case <-ctx.Done():
			return -1, ctx.Err()
		case <-time.After(execPoll):
		}
	}
}

// pidsFull reports whether the command hit the pids limit. The engine keeps
// no count of failed forks, so it reads the container's own pids cgroup when
// the engine is local (pids.events counts every fork refused at the limit),
// and otherwise falls back to the engine's stats: was the cgroup full when
// the run stopped? The fallback misses a program that hit the limit and then
// shrank; it then ends as a plain failed exit or a timeout.
func (r *run) pidsFull(ctx context.Context) bool {
	if n, ok := pidsRefused(r.e.api.DaemonHost(), r.id); ok {
		return n > 0
	}
	st, err := r.e.api.ContainerStats(ctx, r.id, client.ContainerStatsOptions{})
	if err != nil {
		return false
	}
	defer st.Body.Close()
	var s container.StatsResponse
	if err := json.NewDecoder(st.Body).Decode(&s); err != nil {
		return false
	}
	return s.PidsStats.Limit > 0 && s.PidsStats.Current >= s.PidsStats.Limit
}

// pidsRefused reads the "max" count of the container's pids.events, where a
// local engine keeps its cgroups (cgroup v1 or v2, cgroupfs or systemd
// driver). ok is false when no such file can be read.
func pidsRefused(daemonHost, id string) (n int64, ok bool) {
	if !strings.HasPrefix(daemonHost, "unix://") {
		return 0, false
	}
	for _, p := range []string{
		"/sys/fs/cgroup/pids/docker/" + id + "/pids.events",
		"/sys/fs/cgroup/pids/system.slice/docker-" + id + ".scope/pids.events",
		"/sys/fs/cgroup/docker/" + id + "/pids.events",
		"/sys/fs/cgroup/system.slice/docker-" + id + ".scope/pids.events",
	} {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		for line := range strings.SplitSeq(string(data), "\n") {
			if v, found := strings.CutPrefix(line, "max "); found {
				n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
				return n, err == nil
			}
		}
	}
	return 0, false
}

// killAndInspect kills the container (paused or not), waits up to the grace
// for it to stop, and returns the engine's OOMKilled flag, which it sets
// when the container stops if the OOM killer acted at any point in the run.
func (r *run) killAndInspect(ctx context.Context) bool {
	e := r.e
	// SIGKILL, then thaw: Docker 20.10 resumes a paused container it sends
	// SIGKILL to, other versions may not; the unpause covers both.
	if r.warm != nil {
		r.warm.killed = true
	}
	_, _ = e.api.ContainerKill(ctx, r.id, client.ContainerKillOptions{Signal: "SIGKILL"})
	_, _ = e.api.ContainerUnpause(ctx, r.id, client.ContainerUnpauseOptions{})
	wctx, cancel := context.WithTimeout(ctx, r.lim.Grace)
	defer cancel()
	w := e.api.ContainerWait(wctx, r.id, client.ContainerWaitOptions{Condition: container.WaitConditionNotRunning})
	select {
	case <-w.Result:
	case <-w.Error:
	case <-wctx.Done():
	}
	in, err := e.api.ContainerInspect(ctx, r.id, client.ContainerInspectOptions{})
	if err != nil || in.Container.State == nil {
		return false
	}
	return in.Container.State.OOMKilled
}

// copyOut copies the declared outputs from the frozen container into the
// host's output dir. The whole work dir comes as one archive that the engine
// builds without following links; only declared paths are written.
func (r *run) copyOut(ctx context.Context, res *Result) error {
	if err := os.MkdirAll(r.s.OutputDir, 0o755); err != nil {
		return fmt.Errorf("copy outputs: %w", err)
	}
	root, err := os.OpenRoot(r.s.OutputDir)
	if err != nil {
		return fmt.Errorf("copy outputs: %w", err)
	}
	defer root.Close()
	cp, err := r.e.api.CopyFromContainer(ctx, r.id, client.CopyFromContainerOptions{SourcePath: r.s.workDir()})
	if err != nil {
		return r.e.engineErr("copy outputs out of the sandbox", err)
	}
	defer cp.Content.Close()
	res.Outputs, res.OutputErrors, err = extractOutputs(cp.Content, path.Base(r.s.workDir()), r.s.Outputs, root, r.lim.Work)
	return err
}

// cleanup removes the container, then its volume, with a fresh context.
func (r *run) cleanup(ctx context.Context) error {
	var errs []error
	if r.id != "" {
		errs = append(errs, r.e.remove(ctx, resource{"container", r.id}))
	}
	if r.volume != "" {
		errs = append(errs, r.e.remove(ctx, resource{"volume", r.volume}))
	}
	return errors.Join(errs...)
}

// capture keeps the first budget bytes of stdout and stderr together and
// signals once when more arrives.
type capture struct {
	mu             sync.Mutex
	budget         int64
	used           int64
	truncated      bool
	stdout, stderr []byte
	onOverflow     func()
}

// errOutputCap stops the stream copy once the cap is passed.
var errOutputCap = errors.New("output cap reached")

func (c *capture) writer(dst *[]byte) io.Writer {
	return writerFunc(func(p []byte) (int, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.truncated {
			return 0, errOutputCap
		}
		room := c.budget - c.used
		if int64(len(p)) > room {
			*dst = append(*dst, p[:room]...)
			c.used = c.budget
			c.truncated = true
			c.onOverflow()
			return int(room), errOutputCap
		}
		*dst = append(*dst, p...)
		c.used += int64(len(p))
		return len(p), nil
	})
}

func (c *capture) result() (stdout, stderr []byte, truncated bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stdout, c.stderr, c.truncated
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func ptr[T any](v T) *T { return &v }

// cappedLog keeps the engine's own log of a container small, whatever it
// prints (output is captured, and capped, as it streams).
var cappedLog = container.LogConfig{Type: "json-file", Config: map[string]string{"max-size": "1m", "max-file": "1"}}

// lim is a container's resources under l: memory with no swap, CPUs,
// pids, open files, file size, no core dumps.
func lim(l Limits) container.Resources {
	return container.Resources{
		Memory:     l.Memory,
		MemorySwap: l.Memory,
		NanoCPUs:   int64(l.CPUs * 1e9),
		PidsLimit:  ptr(l.Pids),
		Ulimits: []*container.Ulimit{
			{Name: "nofile", Soft: l.NoFile, Hard: l.NoFile},
			{Name: "fsize", Soft: l.FileSize, Hard: l.FileSize},
			{Name: "core", Soft: 0, Hard: 0},
		},
	}
}
