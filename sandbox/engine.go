package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
)

// Labels carried by every container, volume and network this package creates,
// so a sweep ([Engine.GC], `grader gc`) finds them after a crash.
const (
	// LabelManaged marks a resource as grader's ("1").
	LabelManaged = "org.grader.managed"
	// LabelOwner is "<pid>@<hostname>" of the process that created it.
	LabelOwner = "org.grader.owner"
	// LabelCreated is its creation time in Unix seconds.
	LabelCreated = "org.grader.created"
)

// pingTimeout bounds the first contact with the engine: a missing socket fails
// at once, a hung daemon must not hang grader.
const pingTimeout = 5 * time.Second

// cleanupTimeout bounds each removal made on a cleanup path, with a context
// that ignores the caller's cancellation.
const cleanupTimeout = 15 * time.Second

// dockerAPI is the part of the Docker SDK client this package calls, declared
// here so tests can fake it.
type dockerAPI interface {
	Ping(ctx context.Context, o client.PingOptions) (client.PingResult, error)
	DaemonHost() string
	Close() error

	ImageInspect(ctx context.Context, ref string, o ...client.ImageInspectOption) (client.ImageInspectResult, error)
	ImagePull(ctx context.Context, ref string, o client.ImagePullOptions) (client.ImagePullResponse, error)
	ImageBuild(ctx context.Context, buildContext io.Reader, o client.ImageBuildOptions) (client.ImageBuildResult, error)
	ImageSave(ctx context.Context, refs []string, o ...client.ImageSaveOption) (client.ImageSaveResult, error)
	ImageRemove(ctx context.Context, ref string, o client.ImageRemoveOptions) (client.ImageRemoveResult, error)
	ImageList(ctx context.Context, o client.ImageListOptions) (client.ImageListResult, error)

	ContainerCreate(ctx context.Context, o client.ContainerCreateOptions) (client.ContainerCreateResult, error)
	ContainerStart(ctx context.Context, id string, o client.ContainerStartOptions) (client.ContainerStartResult, error)
	ContainerPause(ctx context.Context, id string, o client.ContainerPauseOptions) (client.ContainerPauseResult, error)
	ContainerUnpause(ctx context.Context, id string, o client.ContainerUnpauseOptions) (client.ContainerUnpauseResult, error)
	ContainerKill(ctx context.Context, id string, o client.ContainerKillOptions) (client.ContainerKillResult, error)
	ContainerWait(ctx context.Context, id string, o client.ContainerWaitOptions) client.ContainerWaitResult
	ContainerInspect(ctx context.Context, id string, o client.ContainerInspectOptions) (client.ContainerInspectResult, error)
	ContainerStats(ctx context.Context, id string, o client.ContainerStatsOptions) (client.ContainerStatsResult, error)
	ContainerRemove(ctx context.Context, id string, o client.ContainerRemoveOptions) (client.ContainerRemoveResult, error)
	ContainerList(ctx context.Context, o client.ContainerListOptions) (client.ContainerListResult, error)
	ContainerLogs(ctx context.Context, id string, o client.ContainerLogsOptions) (client.ContainerLogsResult, error)
	ContainerUpdate(ctx context.Context, id string, o client.ContainerUpdateOptions) (client.ContainerUpdateResult, error)

	CopyToContainer(ctx context.Context, id string, o client.CopyToContainerOptions) (client.CopyToContainerResult, error)
	CopyFromContainer(ctx context.Context, id string, o client.CopyFromContainerOptions) (client.CopyFromContainerResult, error)

	ExecCreate(ctx context.Context, id string, o client.ExecCreateOptions) (client.ExecCreateResult, error)
	ExecAttach(ctx context.Context, execID string, o client.ExecAttachOptions) (client.ExecAttachResult, error)
	ExecInspect(ctx context.Context, execID string, o client.ExecInspectOptions) (client.ExecInspectResult, error)
	ExecStart(ctx context.Context, execID string, o client.ExecStartOptions) (client.ExecStartResult, error)

	VolumeCreate(ctx context.Context, o client.VolumeCreateOptions) (client.VolumeCreateResult, error)
	VolumeRemove(ctx context.Context, id string, o client.VolumeRemoveOptions) (client.VolumeRemoveResult, error)
	VolumeList(ctx context.Context, o client.VolumeListOptions) (client.VolumeListResult, error)

	NetworkList(ctx context.Context, o client.NetworkListOptions) (client.NetworkListResult, error)
	NetworkRemove(ctx context.Context, id string, o client.NetworkRemoveOptions) (client.NetworkRemoveResult, error)
	NetworkCreate(ctx context.Context, name string, o client.NetworkCreateOptions) (client.NetworkCreateResult, error)
	NetworkConnect(ctx context.Context, id string, o client.NetworkConnectOptions) (client.NetworkConnectResult, error)
	NetworkDisconnect(ctx context.Context, id string, o client.NetworkDisconnectOptions) (client.NetworkDisconnectResult, error)
	NetworkInspect(ctx context.Context, id string, o client.NetworkInspectOptions) (client.NetworkInspectResult, error)
}

var _ dockerAPI = (*client.Client)(nil)

// Engine is a connection to the Docker engine that runs sandboxes. It is safe
// for concurrent use. Close it when grading ends (also on SIGINT/SIGTERM) so
// nothing it created outlives the process.
type Engine struct {
	api dockerAPI
	// Images redirects image names (see [ImageMap]). Set it before the first
	// Run; [Connect] leaves it empty.
	Images ImageMap
	// Cores bounds the cores that runs under way ask for in all (each its
	// [Limits.CPUs], rounded up): a run beyond it makes its container, then
	// waits its turn before its command starts, and its Timeout starts only
	// with its command. A batch graded with more jobs than cores would
	// otherwise share them, and a correct solution beside CPU-burning ones
	// could run out its wall clock. Apps ([Engine.StartApp]) and services
	// take no turn: a server lives for a whole attempt, mostly waiting for
	// requests, and holding cores meanwhile would starve the runs (its CPU
	// limit still bounds it). [Connect] sets the machine's count
	// (runtime.NumCPU); 0 or less queues nothing. Set it before the first
	// Run.
	Cores int
	// Spares has each run make the next container of its shape while its
	// command runs (see spare.go): for batches, which run many submissions
	// of one exercise. Every run still gets a container no one used. Set it
	// before the first Run.
	Spares bool

	owner string
	turns turns

	mu     sync.Mutex
	live   map[resource]struct{} // created and not yet removed
	images map[string]string     // local image names known present → image ID
	closed bool
	// background counts the work under way in the background: removals
	// ([Engine.removeLater]) and spares being made ([Engine.makeSpare]);
	// settled is signalled, under mu, when it drops to zero. backgroundErrs
	// keeps what the removals failed with, for Close to report.
	background     int
	settled        *sync.Cond
	backgroundErrs []error
	// spares are containers made ahead, ready for the next run of their
	// shape; makingSpare the shapes whose spare is on its way.
	spares      map[spareKey]*run
	makingSpare map[spareKey]bool
}

// resource is one thing on the engine this process created.
type resource struct {
	kind string // "container", "image", "volume" or "network"
	id   string
}

// engines lets [CloseAll] reach every open engine from a signal path that has
// no handle on them.
var (
	enginesMu sync.Mutex
	engines   = map[*Engine]struct{}{}
)

// Connect opens the engine named by DOCKER_HOST (else the local socket) and
// pings it with a short timeout, negotiating the API version. An unreachable
// engine is an error wrapping [ErrNoDocker] that says what to do. It never
// panics, whatever the SDK does.
func Connect(ctx context.Context) (e *Engine, err error) {
	defer func() {
		if r := recover(); r != nil {
			e, err = nil, &Error{Class: ErrNoDocker, Msg: "cannot connect to the Docker engine", Err: fmt.Errorf("panic: %v", r), Hint: noDockerHint}
		}
	}()
	c, err := client.New(client.FromEnv)
	if err != nil {
		return nil, &Error{Class: ErrNoDocker, Msg: "cannot set up a Docker client", Err: err,
			Hint: "check DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH"}
	}
	eng := newEngine(c)
	if err := eng.ping(ctx); err != nil {
		_ = eng.Close()
		return nil, err
	}
	return eng, nil
}

// noDockerHint is what to do when the engine cannot be reached.
const noDockerHint = "start Docker (sudo systemctl start docker) or set DOCKER_HOST to a running engine"

func newEngine(api dockerAPI) *Engine {
	e := &Engine{api: api, Cores: runtime.NumCPU(), owner: ownerLabel(), live: map[resource]struct{}{}, images: map[string]string{}}
	e.settled = sync.NewCond(&e.mu)
	enginesMu.Lock()
	engines[e] = struct{}{}
	enginesMu.Unlock()
	return e
}

func (e *Engine) ping(ctx context.Context) error {
	pctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	_, err := e.api.Ping(pctx, client.PingOptions{NegotiateAPIVersion: true})
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	hint := noDockerHint
	if errors.Is(err, os.ErrPermission) || strings.Contains(err.Error(), "permission denied") {
		hint = "add your user to the docker group (then log in again) or set DOCKER_HOST"
	}
	return &Error{Class: ErrNoDocker, Msg: "cannot reach the Docker engine at " + e.api.DaemonHost(), Err: err, Hint: hint}
}

// unknownHost stands in [LabelOwner] for a host name that cannot be read.
const unknownHost = "unknown"

// ownerLabel identifies this process on this machine.
func ownerLabel() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = unknownHost
	}
	return strconv.Itoa(os.Getpid()) + "@" + host
}

// Owner returns the value of [LabelOwner] on what this engine creates.
func (e *Engine) Owner() string { return e.owner }

// labels returns the labels for a new resource.
func (e *Engine) labels() map[string]string {
	return map[string]string{
		LabelManaged: "1",
		LabelOwner:   e.owner,
		LabelCreated: strconv.FormatInt(time.Now().Unix(), 10),
	}
}

// track records a resource to remove at Close. It reports false when the
// engine is already closed: the caller must remove the resource itself.
func (e *Engine) track(kind, id string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.live[resource{kind, id}] = struct{}{}
	return !e.closed
}

func (e *Engine) untrack(kind, id string) {
	e.mu.Lock()
	delete(e.live, resource{kind, id})
	e.mu.Unlock()
}

// removeLater removes a finished run's container and volume in the
// background, so that the next run need not wait for the engine to tear
// them down: the verdict was read before, and nothing of the learner's
// runs any more once the container is killed. Both stay tracked until
// removed, so Close (which waits for every removal under way) and a signal
// still leave nothing behind.
func (e *Engine) removeLater(ctx context.Context, r *run) {
	e.mu.Lock()
	e.background++
	e.mu.Unlock()
	go func() {
		err := r.cleanup(context.WithoutCancel(ctx))
		if err != nil {
			err = fmt.Errorf("sandbox cleanup: %w", err)
		}
		e.doneInBackground(err)
	}()
}

// doneInBackground ends one piece of background work, keeping its error.
func (e *Engine) doneInBackground(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err != nil {
		e.backgroundErrs = append(e.backgroundErrs, err)
	}
	e.background--
	if e.background == 0 {
		e.settled.Broadcast()
	}
}

// settle waits for the work under way in the background.
func (e *Engine) settle() {
	e.mu.Lock()
	for e.background > 0 {
		e.settled.Wait()
	}
	e.mu.Unlock()
}

// remove deletes one resource with a fresh context, so a cancelled caller
// (Ctrl-C) still cleans up. Already gone counts as removed.
func (e *Engine) remove(ctx context.Context, r resource) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	var err error
	switch r.kind {
	case "container":
		err = e.removeContainer(ctx, r.id)
	case "volume":
		_, err = e.api.VolumeRemove(ctx, r.id, client.VolumeRemoveOptions{Force: true})
	case "network":
		err = e.removeNetwork(ctx, r.id)
	case "image":
		// Force: a stopped container of it (another check's) must not keep
		// it; PruneChildren: its build's untagged intermediate images go too.
		_, err = e.api.ImageRemove(ctx, r.id, client.ImageRemoveOptions{Force: true, PruneChildren: true})
	}
	if err != nil && !cerrdefs.IsNotFound(err) {
		return fmt.Errorf("remove %s %s: %w", r.kind, short(r.id), err)
	}
	e.untrack(r.kind, r.id)
	return nil
}

// removeContainer kills and removes a container, frozen or not. It never
// force-removes a frozen one: on Docker 20.10 that waits forever for
// processes that cannot die while frozen, holding the container's lock. So it
// sends SIGKILL, thaws so the signal lands, and removes only once the engine
// reports the container unfrozen; a freeze the engine finishes late (its
// caller gave up waiting) is thawed again on the next round, until ctx ends.
func (e *Engine) removeContainer(ctx context.Context, id string) error {
	for {
		_, _ = e.api.ContainerKill(ctx, id, client.ContainerKillOptions{Signal: "SIGKILL"})
		_, _ = e.api.ContainerUnpause(ctx, id, client.ContainerUnpauseOptions{})
		in, err := e.api.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
		if err == nil && (in.Container.State == nil || !in.Container.State.Paused) {
			_, err = e.api.ContainerRemove(ctx, id, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
		} else if err == nil {
			err = errors.New("container is still frozen")
		}
		if err == nil || cerrdefs.IsNotFound(err) || removing(err) {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// removing reports whether err says someone else is already removing the
// container (another process replacing a warm server, `grader gc`): it is
// as good as gone.
func removing(err error) bool {
	return cerrdefs.IsConflict(err) && strings.Contains(err.Error(), "already in progress")
}

// Close removes every container, image, volume and network this engine
// created that is still there (containers first), then closes the connection. Call it on
// every exit path, including SIGINT and SIGTERM. It is safe to call twice.
func (e *Engine) Close() error {
	e.mu.Lock()
	e.closed = true
	for e.background > 0 {
		e.settled.Wait()
	}
	errs := e.backgroundErrs
	e.backgroundErrs = nil
	e.spares = nil // tracked: removed below with the rest
	var rs []resource
	for r := range e.live {
		rs = append(rs, r)
	}
	e.mu.Unlock()
	order := map[string]int{"container": 0, "image": 1, "volume": 2, "network": 3}
	slices.SortFunc(rs, func(a, b resource) int { return order[a.kind] - order[b.kind] })
	for _, r := range rs {
		errs = append(errs, e.remove(context.Background(), r))
	}
	enginesMu.Lock()
	_, open := engines[e]
	delete(engines, e)
	enginesMu.Unlock()
	if open {
		errs = append(errs, e.api.Close())
	}
	return errors.Join(errs...)
}

// CloseAll closes every engine this process opened: for a signal handler that
// holds no engine. Errors are joined.
func CloseAll() error {
	enginesMu.Lock()
	var es []*Engine
	for e := range engines {
		es = append(es, e)
	}
	enginesMu.Unlock()
	var errs []error
	for _, e := range es {
		errs = append(errs, e.Close())
	}
	return errors.Join(errs...)
}

// createTimeout bounds one create call made by [creating].
const createTimeout = time.Minute

// creating returns the context for a call that creates a resource: one the
// caller's cancellation does not reach. A create that Ctrl-C aborts in
// flight can still happen on the engine, and then nobody knows its ID to
// remove it; so creates always finish, and the caller, which checks its own
// context afterwards, removes what they made.
func creating(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), createTimeout)
}

// short abbreviates a Docker ID for messages.
func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// pullTimeout bounds an attempt to pull a missing image.
const pullTimeout = 2 * time.Minute

// ensureImage makes sure ref is present, pulling it only when absent. A
// missing image that cannot be pulled is [ErrImageMissing], naming both the
// exercise's name for it and the mapped one.
func (e *Engine) ensureImage(ctx context.Context, asked, ref string) error {
	_, err := e.imageID(ctx, asked, ref)
	return err
}

// imageID is ensureImage that also returns the image's ID.
func (e *Engine) imageID(ctx context.Context, asked, ref string) (string, error) {
	e.mu.Lock()
	id, known := e.images[ref]
	e.mu.Unlock()
	if known {
		return id, nil
	}
	ins, err := e.api.ImageInspect(ctx, ref)
	if err == nil {
		e.mu.Lock()
		e.images[ref] = ins.ID
		e.mu.Unlock()
		return ins.ID, nil
	}
	if !cerrdefs.IsNotFound(err) {
		return "", e.engineErr("inspect image "+ref, err)
	}
	pctx, cancel := context.WithTimeout(ctx, pullTimeout)
	defer cancel()
	pullErr := e.pull(pctx, ref)
	if pullErr == nil {
		if ins, err = e.api.ImageInspect(ctx, ref); err == nil {
			e.mu.Lock()
			e.images[ref] = ins.ID
			e.mu.Unlock()
			return ins.ID, nil
		}
		pullErr = err
	}
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	name := fmt.Sprintf("image %q", ref)
	if asked != ref {
		name = fmt.Sprintf("image %q (mapped from %q)", ref, asked)
	}
	return "", &Error{
		Class: ErrImageMissing,
		Msg:   name + " is not on this machine and pulling it failed",
		Err:   pullErr,
		Hint: fmt.Sprintf("build the local images with `make images`, then map %q to one of them with %s (FROM=TO pairs, or a JSON file like sandbox/images/imagemap.json) or in $XDG_CONFIG_HOME/grader/images.json",
			asked, ImageMapEnv),
	}
}

// Image makes sure the image an exercise names is on this machine, through
// the engine's [ImageMap], pulling it only when absent, and returns the
// reference to run and the image's ID (which changes when the image is
// rebuilt under the same name). A missing image that cannot be pulled is
// [ErrImageMissing], naming it and what to do.
func (e *Engine) Image(ctx context.Context, name string) (ref, id string, err error) {
	ref = e.Images.Resolve(name)
	id, err = e.imageID(ctx, name, ref)
	if err != nil {
		return "", "", err
	}
	return ref, id, nil
}

func (e *Engine) pull(ctx context.Context, ref string) error {
	resp, err := e.api.ImagePull(ctx, ref, client.ImagePullOptions{})
	if err != nil {
		return err
	}
	defer resp.Close()
	return resp.Wait(ctx)
}

// engineErr wraps an engine failure, turning a lost connection into
// [ErrNoDocker].
func (e *Engine) engineErr(what string, err error) error {
	if client.IsErrConnectionFailed(err) {
		return &Error{Class: ErrNoDocker, Msg: what + ": lost the Docker engine", Err: err, Hint: noDockerHint}
	}
	return fmt.Errorf("%s: %w", what, err)
}
