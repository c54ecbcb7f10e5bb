package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
)

// LabelService names the service a service container runs ("postgres",
// "redis"), so tools can tell service containers from sandbox runs.
const LabelService = "org.grader.service"

// ServiceSpec is a service container that checks talk to: a database or a
// cache, from a trusted image, reachable from this machine only. The
// learner's code never runs in it; what the learner sends it (SQL, Redis
// commands) goes through a client that the service itself confines (a
// PostgreSQL role without rights, a Redis of its own).
type ServiceSpec struct {
	// Service names it, for the [LabelService] label and messages.
	Service string
	// Image is the image as the exercise names it (postgres:15); the engine's
	// [ImageMap] may redirect it.
	Image string
	// Cmd replaces the image's command; Env adds "KEY=value" entries.
	Cmd []string
	Env []string
	// User runs the container's main process ("" keeps the image's; "0" lets
	// an entrypoint prepare its data folder before dropping to its own user).
	User string
	// Port is the container port to publish, on 127.0.0.1 at a free host port.
	Port int
	// MorePorts are more container ports to publish the same way.
	MorePorts []int
	// Hardened runs it as a sandbox runs code: read-only root, no
	// capabilities, few processes. For grader's own helpers (the probe),
	// which have nothing to write and talk to untrusted servers.
	Hardened bool
	// Tmpfs mounts, path → options: service data on memory, gone with the
	// container.
	Tmpfs map[string]string
	// ShmSize is /dev/shm's size in bytes (0: the engine's 64 MiB).
	ShmSize int64
	// Memory bounds the container (0: [DefaultMemory]); swap equals it.
	Memory int64
	// Labels are added to the sandbox's own.
	Labels map[string]string
	// Name names the container ("": the engine picks one).
	Name string
	// Keep leaves the container running when the engine closes: a warm
	// server that the next grader process reuses. The caller owns its
	// removal (and should give it an idle timeout of its own).
	Keep bool
}

// Service is a started service container.
type Service struct {
	// ID is the container's ID.
	ID string
	// Ref is the image reference that ran, after the image map.
	Ref string
	// HostPort is where ServiceSpec.Port is published on 127.0.0.1.
	HostPort int
	// HostPorts maps every published container port to its host port.
	HostPorts map[int]int
	// Labels are the container's labels. Set by [Engine.FindServices].
	Labels map[string]string
	// Running reports whether the container ran when it was found. Set by
	// [Engine.FindServices]; a started service runs.
	Running bool

	e *Engine
}

// servicePids bounds a service container's processes: PostgreSQL's
// backends, with room to spare.
const servicePids = 512

// StartService creates and starts a service container and returns once the
// engine runs it; whether the service inside is ready is for the caller to
// find out with a real connection (log lines lie). A missing image is
// [ErrImageMissing]. The container carries the sandbox's labels plus
// [LabelService], so `grader gc` sweeps it; it is removed by
// [Service.Remove] or, unless Keep is set, when the engine closes.
func (e *Engine) StartService(ctx context.Context, s ServiceSpec) (*Service, error) {
	if s.Service == "" || s.Image == "" || s.Port <= 0 || s.Port > 65535 {
		return nil, invalidf("a service needs a name, an image and a port")
	}
	ref := e.Images.Resolve(s.Image)
	if err := e.ensureImage(ctx, s.Image, ref); err != nil {
		return nil, err
	}
	labels := e.labels()
	labels[LabelService] = s.Service
	for k, v := range s.Labels {
		labels[k] = v
	}
	memory := s.Memory
	if memory <= 0 {
		memory = DefaultMemory
	}
	bindings, exposed := network.PortMap{}, network.PortSet{}
	for _, p := range append([]int{s.Port}, s.MorePorts...) {
		port, err := network.ParsePort(strconv.Itoa(p) + "/tcp")
		if err != nil {
			return nil, invalidf("service port: " + err.Error())
		}
		// Reachable from this machine only, never from the network.
		bindings[port] = []network.PortBinding{{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: "0"}}
		exposed[port] = struct{}{}
	}
	pids := int64(servicePids)
	hc := &container.HostConfig{
		PortBindings: bindings,
		SecurityOpt:  []string{"no-new-privileges"},
		Tmpfs:        s.Tmpfs,
		ShmSize:      s.ShmSize,
		LogConfig:    container.LogConfig{Type: "json-file", Config: map[string]string{"max-size": "1m", "max-file": "1"}},
		Resources: container.Resources{
			Memory:     memory,
			MemorySwap: memory,
			PidsLimit:  &pids,
		},
	}
	if s.Hardened {
		hc.ReadonlyRootfs = true
		hc.CapDrop = []string{"ALL"}
		pids = 128
	}
	cfg := &container.Config{
		Image:        ref,
		Cmd:          s.Cmd,
		Env:          s.Env,
		User:         s.User,
		Labels:       labels,
		ExposedPorts: exposed,
	}
	cctx, cancel := creating(ctx)
	defer cancel()
	created, err := e.api.ContainerCreate(cctx, client.ContainerCreateOptions{Config: cfg, HostConfig: hc, Name: s.Name})
	svc := &Service{ID: created.ID, Ref: ref, Labels: labels, Running: true, e: e}
	if svc.ID != "" && !s.Keep { // register before checking err: it may exist anyway
		if !e.track("container", svc.ID) {
			_ = svc.Remove(ctx)
			return nil, errors.New("sandbox engine is closed")
		}
	}
	fail := func(err error) (*Service, error) {
		if svc.ID != "" {
			_ = svc.Remove(ctx)
		}
		return nil, err
	}
	if err != nil {
		return fail(e.engineErr("create "+s.Service+" container from "+ref, err))
	}
	if _, err := e.api.ContainerStart(ctx, svc.ID, client.ContainerStartOptions{}); err != nil {
		return fail(e.engineErr("start "+s.Service+" container from "+ref, err))
	}
	ins, err := e.api.ContainerInspect(ctx, svc.ID, client.ContainerInspectOptions{})
	if err != nil {
		return fail(e.engineErr("inspect "+s.Service+" container", err))
	}
	svc.HostPorts = map[int]int{}
	if ns := ins.Container.NetworkSettings; ns != nil {
		for port, bs := range ns.Ports {
			for _, b := range bs {
				if p, err := strconv.Atoi(b.HostPort); err == nil && p > 0 {
					svc.HostPorts[int(port.Num())] = p
				}
			}
		}
	}
	svc.HostPort = svc.HostPorts[s.Port]
	if len(svc.HostPorts) != 1+len(s.MorePorts) {
		svc.HostPort = 0
	}
	if svc.HostPort == 0 {
		return fail(fmt.Errorf("%s container %s has no published port", s.Service, short(svc.ID)))
	}
	return svc, nil
}

// FindServices lists the containers of service (its [LabelService]) that
// carry every one of labels, running or stopped, whoever started them: a
// warm server that an earlier process started with [ServiceSpec.Keep]. Each
// has its ID, Labels, Running and HostPorts (HostPort too when it publishes
// one port), and [Service.Remove] removes it.
func (e *Engine) FindServices(ctx context.Context, service string, labels map[string]string) ([]*Service, error) {
	f := make(client.Filters).Add("label", LabelManaged+"=1").Add("label", LabelService+"="+service)
	for k, v := range labels {
		f.Add("label", k+"="+v)
	}
	res, err := e.api.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		return nil, e.engineErr("list "+service+" containers", err)
	}
	var out []*Service
	for _, c := range res.Items {
		svc := &Service{ID: c.ID, Ref: c.Image, Labels: c.Labels, Running: c.State == container.StateRunning, HostPorts: map[int]int{}, e: e}
		for _, p := range c.Ports {
			if p.PublicPort != 0 {
				svc.HostPorts[int(p.PrivatePort)] = int(p.PublicPort)
			}
		}
		if len(svc.HostPorts) == 1 {
			for _, hp := range svc.HostPorts {
				svc.HostPort = hp
			}
		}
		out = append(out, svc)
	}
	return out, nil
}

// Remove kills and removes the service container, with a context of its own
// so a cancelled caller still cleans up. Already gone, or already being
// removed, counts as removed.
func (s *Service) Remove(ctx context.Context) error {
	return s.e.remove(ctx, resource{"container", s.ID})
}

// Exited reports whether the container has stopped (its service died while
// starting, say); an engine failure is an error.
func (s *Service) Exited(ctx context.Context) (bool, error) {
	exited, _, err := s.state(ctx)
	return exited, err
}

// state is whether the container has stopped, and its exit status if so.
func (s *Service) state(ctx context.Context) (exited bool, status int, err error) {
	in, err := s.e.api.ContainerInspect(ctx, s.ID, client.ContainerInspectOptions{})
	if err != nil {
		return false, 0, s.e.engineErr("inspect "+short(s.ID), err)
	}
	if st := in.Container.State; st != nil && !st.Running {
		return true, st.ExitCode, nil
	}
	return false, 0, nil
}

// StartError is a container that did not come up: it stopped while
// starting, or it did not answer within its time. Either way it ends with
// what the container printed, which usually says why.
type StartError struct {
	What   string        // what was starting: "grader's probe", "the browser"
	Exited bool          // it stopped (Status is its exit status); else it timed out
	Status int           // the exit status, when Exited
	Within time.Duration // the time it had, when not Exited
	Err    error         // the last readiness failure
	Log    string        // the last lines it printed
}

func (e *StartError) Error() string {
	msg := fmt.Sprintf("%s did not answer within %s", e.What, e.Within)
	if e.Exited {
		msg = fmt.Sprintf("%s exited while starting (status %d)", e.What, e.Status)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if e.Log != "" {
		msg += "; it printed:\n" + e.Log
	}
	return msg
}

// Unwrap returns the last readiness failure.
func (e *StartError) Unwrap() error { return e.Err }

// awaitLook is how often [Service.Await] asks the engine whether the
// container still runs: often enough to report a dead one at once, rarely
// enough not to load the engine while a slow one starts.
const awaitLook = 500 * time.Millisecond

// Await calls ready every `every` until it returns nil, the readiness wait
// of everything the sandbox starts as a service. It gives up with a
// [*StartError] when the container stops (a dead service never answers, so
// it is not waited for) or timeout passes; when ctx ends, with ctx's error.
func (s *Service) Await(ctx context.Context, what string, every, timeout time.Duration, ready func() error) error {
	deadline := time.Now().Add(timeout)
	looked := time.Now()
	return Poll(ctx, every, func() (bool, error) {
		err := ready()
		if err == nil {
			return true, nil
		}
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		se := &StartError{What: what, Within: timeout, Err: err}
		late := !time.Now().Before(deadline)
		if late || time.Since(looked) >= awaitLook {
			looked = time.Now()
			se.Exited, se.Status, _ = s.state(ctx)
		}
		if !se.Exited && !late {
			return false, nil
		}
		se.Log = s.LogTail(20)
		return false, se
	})
}

// LogTail returns the last lines (at most 64 KiB) the container printed,
// stdout and stderr together, for a message saying why a service did not
// come up. It never fails: without a log it says why.
func (s *Service) LogTail(lines int) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rc, err := s.e.api.ContainerLogs(ctx, s.ID, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true, Tail: strconv.Itoa(lines)})
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	defer rc.Close()
	var out bytes.Buffer
	if _, err := stdcopy.StdCopy(&out, &out, io.LimitReader(rc, 64<<10)); err != nil && out.Len() == 0 {
		return "(no log: " + err.Error() + ")"
	}
	return strings.TrimSpace(out.String())
}
