package sandbox

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"
)

// AppSpec is a learner's long-running program: a server that checks probe
// from outside. It runs like a [Spec] (the same hardened holder container,
// the files copied onto a private tmpfs, a fixed non-root user), but its
// command keeps running after [Engine.StartApp] returns, until
// [App.Stop].
type AppSpec struct {
	Spec
	// Aliases are the app's host names on Spec.Network, which must be a
	// private network ([Engine.CreateNetwork]): an app always has one.
	Aliases []string
}

// App limits that differ from a run's: an app's Timeout is its whole
// lifetime, and its output is a log that grows with every request.
const (
	// DefaultAppLifetime bounds an app that nobody stops.
	DefaultAppLifetime = MaxTimeout
	// DefaultAppOutput is how much an app may print in all before it is
	// stopped as a flood.
	DefaultAppOutput = 8 * MiB
	// appTail is how much of an app's latest output is kept to show.
	appTail = 64 << 10
)

// App is a started [AppSpec]. Its methods are safe for concurrent use.
type App struct {
	r      *run
	execID string
	out    *tailBuffer
	done   chan struct{} // closed when the command's output stream ends

	mu       sync.Mutex
	limit    Limit
	stopOnce sync.Once
	stopErr  error
	timer    *time.Timer
}

// StartApp starts s in a fresh hardened container on its private network
// and returns once the command has started (not once it listens: see
// [Probe.Reachable]). The container is removed by [App.Stop], by
// [Engine.Close], or by `grader gc` after a crash. An app that prints more
// than its output limit, or outlives its Timeout, is killed and says so in
// [App.Exited]. An app takes no turn for the cores ([Engine.Cores]): it
// lives for a whole attempt and would starve the runs.
func (e *Engine) StartApp(ctx context.Context, s AppSpec) (*App, error) {
	if s.Network == "" || s.Network == "none" {
		return nil, invalidf("an app needs a private network")
	}
	if s.Limits.Timeout == 0 {
		s.Limits.Timeout = DefaultAppLifetime
	}
	if s.Limits.Output == 0 {
		s.Limits.Output = DefaultAppOutput
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	lim := s.Limits.WithDefaults()
	uid, gid, _ := parseUser(s.user())
	image := e.Images.Resolve(s.Image)
	if err := e.ensureImage(ctx, s.Image, image); err != nil {
		return nil, err
	}
	spec := s.Spec
	r := &run{e: e, s: &spec, lim: lim, image: image, uid: uid, gid: gid, name: "grader-app-" + randomHex(6), aliases: s.Aliases}
	a := &App{r: r, out: &tailBuffer{max: appTail}, done: make(chan struct{})}
	if err := r.create(ctx); err != nil {
		_ = r.cleanup(ctx)
		return nil, err
	}
	if err := a.start(ctx); err != nil {
		_ = r.cleanup(ctx)
		return nil, err
	}
	return a, nil
}

// start runs the command with its output streamed into the tail buffer.
func (a *App) start(ctx context.Context) error {
	e, r := a.r.e, a.r
	ex, err := e.api.ExecCreate(ctx, r.id, client.ExecCreateOptions{
		User:         r.s.user(),
		Env:          r.s.Env,
		WorkingDir:   r.s.workDir(),
		Cmd:          r.s.Cmd,
		AttachStdout: true,
		AttachStderr: true,
	})
	if err != nil {
		return e.engineErr("create exec", err)
	}
	att, err := e.api.ExecAttach(ctx, ex.ID, client.ExecAttachOptions{})
	if err != nil {
		return e.engineErr("start the server's command", err)
	}
	a.execID = ex.ID
	w := floodWriter(a.out, r.lim.Output, func() { a.kill(LimitOutput) })
	go func() {
		defer close(a.done)
		defer att.Close()
		// StdCopy writes stdout and stderr from this goroutine alone, so
		// the count needs no lock.
		_, _ = stdcopy.StdCopy(w, w, att.Reader)
	}()
	a.timer = time.AfterFunc(r.lim.Timeout, func() { a.kill(LimitTimeout) })
	return nil
}

// floodWriter keeps a server's output in out and, once it has printed
// more than max in all, calls flood (once, on a goroutine of its own) and
// stops taking more. One goroutine writes to it, so the count needs no lock.
func floodWriter(out *tailBuffer, max int64, flood func()) io.Writer {
	var total int64
	var once sync.Once
	return writerFunc(func(p []byte) (int, error) {
		out.Write(p)
		total += int64(len(p))
		if total > max {
			once.Do(func() { go flood() })
			return 0, errOutputCap
		}
		return len(p), nil
	})
}

// Restart ends every process of the app and starts its command again in
// the same container: the same files (with whatever the last process wrote
// to them), a new process, and a fresh count of its output. It is how a
// check gets a fresh server without paying for a new container. An app
// that a limit stopped cannot be restarted (its container is dead): start
// a new one.
func (a *App) Restart(ctx context.Context) error {
	a.mu.Lock()
	limited := a.limit != ""
	a.mu.Unlock()
	if limited {
		return fmt.Errorf("the app was stopped for its %s limit", a.limit)
	}
	e, r := a.r.e, a.r
	// As the learner's own user, kill(-1): every process it can signal,
	// which is every process the app started and nothing of grader's.
	ex, err := e.api.ExecCreate(ctx, r.id, client.ExecCreateOptions{
		User: r.s.user(), Cmd: []string{"/bin/sh", "-c", "kill -KILL -1"}, AttachStdout: true, AttachStderr: true,
	})
	if err != nil {
		return e.engineErr("stop the server's processes", err)
	}
	att, err := e.api.ExecAttach(ctx, ex.ID, client.ExecAttachOptions{})
	if err != nil {
		return e.engineErr("stop the server's processes", err)
	}
	_, _ = io.Copy(io.Discard, att.Reader)
	att.Close()
	select {
	case <-a.done:
	case <-time.After(r.lim.Grace):
		return fmt.Errorf("the server's processes did not stop within %s", r.lim.Grace)
	case <-ctx.Done():
		return ctx.Err()
	}
	if a.timer != nil {
		a.timer.Stop()
	}
	a.out.Reset()
	a.done = make(chan struct{})
	return a.start(ctx)
}

// kill ends the app for a limit, keeping its container (and output) until
// Stop, so the check can still say what happened.
func (a *App) kill(l Limit) {
	a.mu.Lock()
	if a.limit == "" {
		a.limit = l
	}
	a.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	_, _ = a.r.e.api.ContainerKill(ctx, a.r.id, client.ContainerKillOptions{Signal: "SIGKILL"})
}

// Output returns the latest output of the app (stdout and stderr as they
// came), up to 64 KiB.
func (a *App) Output() []byte { return a.out.Bytes() }

// Exited says how the app ended, for a learner: "" while it runs, else
// "exited with status 1", "was killed: it ran out of memory (512 MiB)",
// and so on. The verdict comes from the engine and the kernel's cgroups,
// never from what the app printed.
func (a *App) Exited(ctx context.Context) string {
	a.mu.Lock()
	limit := a.limit
	a.mu.Unlock()
	if msg := stoppedFor(limit, a.r.lim); msg != "" {
		return msg
	}
	in, err := a.r.e.api.ExecInspect(ctx, a.execID, client.ExecInspectOptions{})
	if err != nil {
		if ctx.Err() != nil {
			return ""
		}
		return "stopped: its container is gone"
	}
	if in.Running {
		return ""
	}
	code := in.ExitCode
	switch {
	case oomKilled(a.r.e.api.DaemonHost(), a.r.id):
		return fmt.Sprintf("was killed: it ran out of memory (%s)", sizeString(a.r.lim.Memory))
	case code != 0 && a.r.pidsFull(ctx):
		return fmt.Sprintf("failed: it tried to start more than %d processes or threads", a.r.lim.Pids)
	case code > 128:
		return fmt.Sprintf("was killed by signal %d (exit status %d)", code-128, code)
	default:
		return fmt.Sprintf("exited with status %d", code)
	}
}

// stoppedFor says how a server that the sandbox stopped for limit ended,
// or "" for no limit.
func stoppedFor(limit Limit, l Limits) string {
	switch limit {
	case LimitOutput:
		return fmt.Sprintf("was stopped: it printed more than %s of output", sizeString(l.Output))
	case LimitTimeout:
		return fmt.Sprintf("was stopped after running for %s", l.Timeout)
	}
	return ""
}

// Listener is a TCP socket the app listens on.
type Listener = netip.AddrPort

// Listeners returns the TCP sockets the app's container listens on, read
// from the kernel's tables in its network namespace (by grader's holder
// process, not the learner's): the readiness message can then say "your
// server listens on 127.0.0.1:5000, not on 0.0.0.0:8080".
func (a *App) Listeners(ctx context.Context) ([]Listener, error) {
	e, r := a.r.e, a.r
	ex, err := e.api.ExecCreate(ctx, r.id, client.ExecCreateOptions{
		User:         holderUser,
		Cmd:          []string{"cat", "/proc/net/tcp", "/proc/net/tcp6"},
		AttachStdout: true,
		AttachStderr: true,
	})
	if err != nil {
		return nil, e.engineErr("read the server's sockets", err)
	}
	att, err := e.api.ExecAttach(ctx, ex.ID, client.ExecAttachOptions{})
	if err != nil {
		return nil, e.engineErr("read the server's sockets", err)
	}
	defer att.Close()
	var out, errOut bytes.Buffer
	if _, err := stdcopy.StdCopy(&limitedWriter{w: &out, n: 1 << 20}, &limitedWriter{w: &errOut, n: 4096}, att.Reader); err != nil {
		return nil, fmt.Errorf("read the server's sockets: %w", err)
	}
	return parseListeners(out.Bytes()), nil
}

// parseListeners reads /proc/net/tcp{,6} and returns the LISTEN sockets.
func parseListeners(data []byte) []Listener {
	var ls []Listener
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || f[3] != "0A" { // 0A: TCP_LISTEN
			continue
		}
		host, port, ok := strings.Cut(f[1], ":")
		if !ok {
			continue
		}
		p, err := strconv.ParseUint(port, 16, 16)
		if err != nil {
			continue
		}
		raw, err := hex.DecodeString(host)
		if err != nil || (len(raw) != 4 && len(raw) != 16) {
			continue
		}
		// The kernel prints each 32-bit word in host (little-endian) order.
		for i := 0; i+4 <= len(raw); i += 4 {
			raw[i], raw[i+1], raw[i+2], raw[i+3] = raw[i+3], raw[i+2], raw[i+1], raw[i]
		}
		addr, _ := netip.AddrFromSlice(raw)
		ls = append(ls, netip.AddrPortFrom(addr.Unmap(), uint16(p)))
	}
	return ls
}

// Stop kills the app and removes its container and volume. It is safe to
// call more than once and with a cancelled context.
func (a *App) Stop(ctx context.Context) error {
	a.stopOnce.Do(func() {
		if a.timer != nil {
			a.timer.Stop()
		}
		a.stopErr = a.r.cleanup(ctx)
		select {
		case <-a.done:
		case <-time.After(a.r.lim.Grace):
		}
	})
	return a.stopErr
}

// sizeString prints a byte count the way limits are written (512 MiB).
func sizeString(n int64) string {
	switch {
	case n >= GiB && n%GiB == 0:
		return fmt.Sprintf("%d GiB", n/GiB)
	case n >= MiB:
		return fmt.Sprintf("%d MiB", n/MiB)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(p) >= t.max {
		t.buf = append(t.buf[:0], p[len(p)-t.max:]...)
		return
	}
	if over := len(t.buf) + len(p) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	t.buf = append(t.buf, p...)
}

// Reset forgets what was kept.
func (t *tailBuffer) Reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = t.buf[:0]
}

// Bytes returns a copy of what is kept.
func (t *tailBuffer) Bytes() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	return bytes.Clone(t.buf)
}

// limitedWriter keeps the first n bytes and drops the rest.
type limitedWriter struct {
	w interface{ Write([]byte) (int, error) }
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	k := min(len(p), l.n)
	if k > 0 {
		_, _ = l.w.Write(p[:k])
		l.n -= k
	}
	return len(p), nil
}
