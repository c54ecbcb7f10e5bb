package sandbox

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
)

// ImageAppSpec starts a built [Image] as a server: its own user,
// entrypoint, command, workdir and HEALTHCHECK, as `docker run IMAGE`
// would, on a private network.
//
// Why not [Engine.StartApp]: an app is a command exec'd as a fixed numeric
// user into a holder container with a read-only root and the files on a
// tmpfs at its workdir. A learner's image brings its own files, user (a
// name from its /etc/passwd) and entrypoint, and whether it runs as the
// user it declares is what is graded; so it runs as the container's main
// process, hardened the same way except for the read-only root (an
// arbitrary image writes where it likes; /tmp is a tmpfs).
type ImageAppSpec struct {
	Image *Image
	// Network is a private network ([Engine.CreateNetwork]); Aliases the
	// container's host names on it.
	Network *Network
	Aliases []string
	// Limits: Memory, Pids, CPUs, NoFile, FileSize, Tmp, Output and
	// Timeout (the container's whole lifetime) apply; zero is the default.
	Limits Limits
}

// ImageApp is a started [ImageAppSpec]; its methods are safe for
// concurrent use.
type ImageApp struct {
	e    *Engine
	id   string
	lim  Limits
	out  *tailBuffer
	done chan struct{}

	mu      sync.Mutex
	limit   Limit
	stopped sync.Once
	timer   *time.Timer
}

// StartImage starts s's image and returns once its container runs. Stop
// it with [ImageApp.Stop]; [Engine.Close] and `grader gc` remove it too.
func (e *Engine) StartImage(ctx context.Context, s ImageAppSpec) (*ImageApp, error) {
	if s.Image == nil || s.Network == nil {
		return nil, invalidf("an image app needs an image and a private network")
	}
	l, err := appLimits(s.Limits)
	if err != nil {
		return nil, err
	}
	hc := &container.HostConfig{
		NetworkMode: container.NetworkMode(s.Network.Name),
		CapDrop:     []string{"ALL"},
		SecurityOpt: []string{"no-new-privileges"},
		Init:        ptr(true),
		Tmpfs:       map[string]string{"/tmp": fmt.Sprintf("rw,exec,nosuid,nodev,size=%d,mode=1777", l.Tmp)},
		LogConfig:   cappedLog,
		Resources:   lim(l),
	}
	cfg := &container.Config{Image: s.Image.ID, Hostname: "app", Labels: e.labels()}
	nc := &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{s.Network.Name: {Aliases: s.Aliases}}}
	return e.launch(ctx, l, cfg, hc, nc, "grader-image-"+randomHex(6), "the built image", "The image does not start: ")
}

// appLimits are an app container's limits: l with an app's lifetime and
// output cap where it sets none, validated, then the sandbox's defaults.
func appLimits(l Limits) (Limits, error) {
	if l.Timeout == 0 {
		l.Timeout = DefaultAppLifetime
	}
	if l.Output == 0 {
		l.Output = DefaultAppOutput
	}
	if err := l.Validate(); err != nil {
		return Limits{}, err
	}
	return l.WithDefaults(), nil
}

// launch creates the app container of cfg, hc and nc (named name), starts
// it and follows its output, under l's output and lifetime limits: the one
// way [Engine.StartImage] and [Engine.StartStackService] run a container.
// what names the container in infrastructure errors; a start the image's
// own config refuses (no such user, no entrypoint) is the learner's
// [BuildFailure], its message after notStarting. On any failure the
// container is removed, also when a failed create made it anyway.
func (e *Engine) launch(ctx context.Context, l Limits, cfg *container.Config, hc *container.HostConfig, nc *network.NetworkingConfig, name, what, notStarting string) (*ImageApp, error) {
	a := &ImageApp{e: e, lim: l, out: &tailBuffer{max: appTail}, done: make(chan struct{})}
	fail := func(err error) (*ImageApp, error) {
		close(a.done)
		_ = a.Stop(ctx)
		return nil, err
	}
	cctx, cancel := creating(ctx)
	defer cancel()
	created, err := e.api.ContainerCreate(cctx, client.ContainerCreateOptions{Config: cfg, HostConfig: hc, NetworkingConfig: nc, Name: name})
	if created.ID != "" {
		a.id = created.ID
		if !e.track("container", a.id) {
			return fail(errors.New("sandbox engine is closed"))
		}
	}
	if err != nil {
		return fail(e.engineErr("create the container of "+what, err))
	}
	if _, err := e.api.ContainerStart(ctx, a.id, client.ContainerStartOptions{}); err != nil {
		if learnerStartError(err) {
			return fail(&BuildFailure{Msg: notStarting + cleanEngineMsg(err)})
		}
		return fail(e.engineErr("start "+what, err))
	}
	logs, err := e.api.ContainerLogs(ctx, a.id, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true, Follow: true})
	if err != nil {
		return fail(e.engineErr("read the output of "+what, err))
	}
	w := floodWriter(a.out, l.Output, func() { a.kill(LimitOutput) })
	go func() {
		defer close(a.done)
		defer logs.Close()
		_, _ = stdcopy.StdCopy(w, w, logs)
	}()
	a.timer = time.AfterFunc(l.Timeout, func() { a.kill(LimitTimeout) })
	return a, nil
}

// learnerStartError reports an engine refusal to start that the image's
// config caused: a USER that does not exist, an entrypoint that is not
// there.
func learnerStartError(err error) bool {
	s := err.Error()
	for _, sign := range []string{"unable to find user", "no matching entries in passwd", "executable file not found", "no such file or directory", "permission denied"} {
		if strings.Contains(s, sign) {
			return true
		}
	}
	return false
}

// cleanEngineMsg keeps the useful end of the runtime's long start error.
func cleanEngineMsg(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, "unable to find user"); i >= 0 {
		return s[i:]
	}
	if i := strings.LastIndex(s, "exec: "); i >= 0 {
		return strings.TrimSuffix(s[i:], ": unknown")
	}
	return s
}

func (a *ImageApp) kill(l Limit) {
	a.mu.Lock()
	if a.limit == "" {
		a.limit = l
	}
	a.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	_, _ = a.e.api.ContainerKill(ctx, a.id, client.ContainerKillOptions{Signal: "SIGKILL"})
}

// ID is the container's ID.
func (a *ImageApp) ID() string { return a.id }

// Output returns the latest output of the container, up to 64 KiB.
func (a *ImageApp) Output() []byte { return a.out.Bytes() }

// Exited says how the container ended, for a learner, or "" while it runs.
func (a *ImageApp) Exited(ctx context.Context) string {
	a.mu.Lock()
	limit := a.limit
	a.mu.Unlock()
	if msg := stoppedFor(limit, a.lim); msg != "" {
		return msg
	}
	in, err := a.e.api.ContainerInspect(ctx, a.id, client.ContainerInspectOptions{})
	if err != nil || in.Container.State == nil {
		if ctx.Err() != nil {
			return ""
		}
		return "stopped: its container is gone"
	}
	st := in.Container.State
	switch {
	case st.Running:
		return ""
	case st.OOMKilled:
		return fmt.Sprintf("was killed: it ran out of memory (%s)", sizeString(a.lim.Memory))
	case st.ExitCode > 128:
		return fmt.Sprintf("was killed by signal %d (exit status %d)", st.ExitCode-128, st.ExitCode)
	default:
		return fmt.Sprintf("exited with status %d", st.ExitCode)
	}
}

// Health is the HEALTHCHECK's state: "starting", "healthy", "unhealthy",
// or "" when the image has none; last is the latest check's output.
func (a *ImageApp) Health(ctx context.Context) (status, last string, err error) {
	in, err := a.e.api.ContainerInspect(ctx, a.id, client.ContainerInspectOptions{})
	if err != nil {
		return "", "", a.e.engineErr("inspect the container", err)
	}
	if in.Container.State == nil || in.Container.State.Health == nil {
		return "", "", nil
	}
	h := in.Container.State.Health
	if n := len(h.Log); n > 0 && h.Log[n-1] != nil {
		last = strings.TrimSpace(h.Log[n-1].Output)
	}
	return string(h.Status), last, nil
}

// Listeners returns the TCP sockets the container listens on, read from
// the kernel's tables in its network namespace by an unprivileged exec
// (the image needs `cat`; without it the list is empty).
func (a *ImageApp) Listeners(ctx context.Context) ([]Listener, error) {
	out, _, err := a.e.execOut(ctx, a.id, holderUser, []string{"cat", "/proc/net/tcp", "/proc/net/tcp6"})
	if err != nil {
		return nil, err
	}
	return parseListeners(out), nil
}

// Stop kills and removes the container; safe to call twice.
func (a *ImageApp) Stop(ctx context.Context) error {
	var err error
	a.stopped.Do(func() {
		if a.timer != nil {
			a.timer.Stop()
		}
		if a.id != "" {
			err = a.e.remove(ctx, resource{"container", a.id})
		}
		select {
		case <-a.done:
		case <-time.After(DefaultGrace):
		}
	})
	return err
}

// execOut runs cmd in a running container as user and returns its stdout
// (up to 1 MiB) and exit code.
func (e *Engine) execOut(ctx context.Context, id, user string, cmd []string) ([]byte, int, error) {
	ex, err := e.api.ExecCreate(ctx, id, client.ExecCreateOptions{User: user, Cmd: cmd, AttachStdout: true, AttachStderr: true})
	if err != nil {
		return nil, 0, e.engineErr("exec in the container", err)
	}
	att, err := e.api.ExecAttach(ctx, ex.ID, client.ExecAttachOptions{})
	if err != nil {
		return nil, 0, e.engineErr("exec in the container", err)
	}
	defer att.Close()
	var out, errOut bytes.Buffer
	if _, err := stdcopy.StdCopy(&limitedWriter{w: &out, n: 1 << 20}, &limitedWriter{w: &errOut, n: 4096}, att.Reader); err != nil && !errors.Is(err, io.EOF) {
		return nil, 0, fmt.Errorf("exec in the container: %w", err)
	}
	in, err := e.api.ExecInspect(ctx, ex.ID, client.ExecInspectOptions{})
	if err != nil {
		return out.Bytes(), 0, e.engineErr("exec in the container", err)
	}
	return out.Bytes(), in.ExitCode, nil
}

// RunAsImageUser runs cmd (in place of the entrypoint and command) in a
// fresh, hardened container of the image with no network, as the image's
// own USER, and returns what it printed and its exit code: how a check
// learns which uid that USER really is (`id -u`). A USER that does not
// exist is a *[BuildFailure] saying so.
func (img *Image) RunAsImageUser(ctx context.Context, cmd []string) (out string, code int, err error) {
	e := img.e
	hc := &container.HostConfig{
		NetworkMode: "none",
		CapDrop:     []string{"ALL"},
		SecurityOpt: []string{"no-new-privileges"},
		LogConfig:   cappedLog,
		Resources:   lim(Limits{Memory: 256 * MiB, Pids: 64, CPUs: 1}.WithDefaults()),
	}
	cfg := &container.Config{Image: img.ID, Entrypoint: cmd[:1], Cmd: cmd[1:], Labels: e.labels(), NetworkDisabled: true}
	cctx, cancel := creating(ctx)
	defer cancel()
	created, err := e.api.ContainerCreate(cctx, client.ContainerCreateOptions{Config: cfg, HostConfig: hc, Name: "grader-id-" + randomHex(6)})
	if created.ID != "" {
		e.track("container", created.ID)
		defer func() { _ = e.remove(ctx, resource{"container", created.ID}) }()
	}
	if err != nil {
		return "", 0, e.engineErr("create a container from the built image", err)
	}
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	wait := e.api.ContainerWait(wctx, created.ID, client.ContainerWaitOptions{Condition: container.WaitConditionNextExit})
	if _, err := e.api.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
		if learnerStartError(err) {
			return "", 0, &BuildFailure{Msg: "a container of the image does not start: " + cleanEngineMsg(err)}
		}
		return "", 0, e.engineErr("start the built image", err)
	}
	select {
	case r := <-wait.Result:
		code = int(r.StatusCode)
	case err := <-wait.Error:
		return "", 0, e.engineErr("wait for the container", err)
	}
	logs, err := e.api.ContainerLogs(ctx, created.ID, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true})
	if err != nil {
		return "", code, e.engineErr("read the container's output", err)
	}
	defer logs.Close()
	var b bytes.Buffer
	_, _ = stdcopy.StdCopy(&limitedWriter{w: &b, n: 64 << 10}, &limitedWriter{w: &b, n: 64 << 10}, logs)
	return b.String(), code, nil
}

// ReadFile returns a regular file of the image (an absolute path, at most
// max bytes), read from a container of it that is created but never
// started: how a check reads /etc/passwd in an image with no program to
// ask (distroless). A missing file, a link or a folder is an error that
// says so.
func (img *Image) ReadFile(ctx context.Context, path string, max int64) ([]byte, error) {
	e := img.e
	cfg := &container.Config{Image: img.ID, Entrypoint: []string{"/nonexistent"}, Labels: e.labels(), NetworkDisabled: true}
	hc := &container.HostConfig{NetworkMode: "none", LogConfig: cappedLog}
	cctx, cancel := creating(ctx)
	defer cancel()
	created, err := e.api.ContainerCreate(cctx, client.ContainerCreateOptions{Config: cfg, HostConfig: hc, Name: "grader-read-" + randomHex(6)})
	if created.ID != "" {
		e.track("container", created.ID)
		defer func() { _ = e.remove(ctx, resource{"container", created.ID}) }()
	}
	if err != nil {
		return nil, e.engineErr("create a container from the built image", err)
	}
	cp, err := e.api.CopyFromContainer(ctx, created.ID, client.CopyFromContainerOptions{SourcePath: path})
	if err != nil {
		return nil, fmt.Errorf("the image has no %s: %w", path, err)
	}
	defer cp.Content.Close()
	tr := tar.NewReader(cp.Content)
	h, err := tr.Next()
	if err != nil {
		return nil, fmt.Errorf("read %s from the image: %w", path, err)
	}
	if h.Typeflag != tar.TypeReg {
		return nil, fmt.Errorf("%s in the image is not a regular file", path)
	}
	if h.Size > max {
		return nil, fmt.Errorf("%s in the image is %d bytes, more than %d", path, h.Size, max)
	}
	return io.ReadAll(io.LimitReader(tr, max))
}
