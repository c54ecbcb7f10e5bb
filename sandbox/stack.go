package sandbox

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
)

// StackServiceSpec is one service of a learner's compose file, started as
// a container on the stack's private network. The compose grader decides
// what a file may ask for (no privileges, no host namespaces, no bind
// mounts, images only through the image map); this is how what it allowed
// runs: hardened like [Engine.StartImage] (all capabilities dropped,
// no-new-privileges, an init, limits on memory, processes, CPU, output and
// lifetime, /tmp on a tmpfs), with the service's own image, user,
// entrypoint, command, environment, health check and named volumes.
//
// Why not [ImageAppSpec]: a compose service names a mapped image or a
// built one, sets its command, environment and health check, and mounts
// volumes, none of which a learner's plain image run has.
type StackServiceSpec struct {
	// Name is the service's name: its host name and first alias.
	Name string
	// Image is a public image name, run through the engine's [ImageMap]
	// (the caller checks that it is mapped), unless Built is set.
	Image string
	// Built is an image built from the service's build section.
	Built *Image
	// Entrypoint and Cmd replace the image's when not nil.
	Entrypoint, Cmd []string
	// Env adds "KEY=value" entries to the image's.
	Env []string
	// User runs the main process ("" keeps the image's).
	User string
	// WorkingDir replaces the image's ("" keeps it).
	WorkingDir string
	// Health replaces the image's HEALTHCHECK when not nil.
	Health *HealthCheck
	// Volumes are mounted at their targets.
	Volumes []VolumeMount
	// Tmpfs are more paths mounted on a private tmpfs.
	Tmpfs []string
	// ReadOnly makes the root file system read-only (compose's read_only).
	ReadOnly bool
	// Network is the stack's private network; Aliases more host names.
	Network *Network
	Aliases []string
	// Limits: Memory, Pids, CPUs, NoFile, FileSize, Tmp, Output and
	// Timeout (the container's whole lifetime) apply; zero is the default.
	Limits Limits
}

// HealthCheck is a compose healthcheck, run by the engine in the
// container as a HEALTHCHECK would be.
type HealthCheck struct {
	// Test is the command: ["CMD", args...], ["CMD-SHELL", line] or
	// ["NONE"].
	Test                           []string
	Interval, Timeout, StartPeriod time.Duration
	Retries                        int
}

// VolumeMount mounts a [Volume] (or, with Volume nil, a fresh anonymous
// one, gone with the container) at Target.
type VolumeMount struct {
	Volume   *Volume
	Target   string
	ReadOnly bool
}

// StartStackService creates and starts s's container and returns once it
// runs. The result is an [ImageApp]: its Output, Exited, Health and Stop
// are what the compose grader needs. [Engine.Close] and `grader gc` remove
// it too; the volumes it mounts outlive it (that is their point) until
// they are removed themselves.
func (e *Engine) StartStackService(ctx context.Context, s StackServiceSpec) (*ImageApp, error) {
	if s.Name == "" || s.Network == nil || (s.Image == "" && s.Built == nil) {
		return nil, invalidf("a stack service needs a name, an image and a private network")
	}
	l, err := appLimits(s.Limits)
	if err != nil {
		return nil, err
	}
	image := ""
	if s.Built != nil {
		image = s.Built.ID
	} else {
		image = e.Images.Resolve(s.Image)
		if err := e.ensureImage(ctx, s.Image, image); err != nil {
			return nil, err
		}
	}
	var mounts []mount.Mount
	for _, v := range s.Volumes {
		m := mount.Mount{Type: mount.TypeVolume, Target: v.Target, ReadOnly: v.ReadOnly}
		if v.Volume != nil {
			m.Source = v.Volume.Name
		} else {
			m.VolumeOptions = &mount.VolumeOptions{Labels: e.labels()}
		}
		mounts = append(mounts, m)
	}
	tmpfs := map[string]string{"/tmp": fmt.Sprintf("rw,exec,nosuid,nodev,size=%d,mode=1777", l.Tmp)}
	for _, t := range s.Tmpfs {
		tmpfs[t] = fmt.Sprintf("rw,nosuid,nodev,size=%d", l.Tmp)
	}
	hc := &container.HostConfig{
		NetworkMode:    container.NetworkMode(s.Network.Name),
		CapDrop:        []string{"ALL"},
		SecurityOpt:    []string{"no-new-privileges"},
		Init:           ptr(true),
		ReadonlyRootfs: s.ReadOnly,
		Tmpfs:          tmpfs,
		Mounts:         mounts,
		LogConfig:      cappedLog,
		Resources:      lim(l),
	}
	cfg := &container.Config{
		Image:      image,
		Hostname:   s.Name,
		Env:        s.Env,
		User:       s.User,
		WorkingDir: s.WorkingDir,
		Labels:     e.labels(),
	}
	if s.Entrypoint != nil {
		cfg.Entrypoint = s.Entrypoint
	}
	if s.Cmd != nil {
		cfg.Cmd = s.Cmd
	}
	if h := s.Health; h != nil {
		cfg.Healthcheck = &container.HealthConfig{Test: h.Test, Interval: h.Interval, Timeout: h.Timeout, StartPeriod: h.StartPeriod, Retries: h.Retries}
	}
	aliases := append([]string{s.Name}, s.Aliases...)
	nc := &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{s.Network.Name: {Aliases: aliases}}}
	return e.launch(ctx, l, cfg, hc, nc, "grader-stack-"+safeName(s.Name)+"-"+randomHex(4), "service "+s.Name, "service "+s.Name+" does not start: ")
}

// safeName keeps what a container name allows of a service name.
func safeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			b.WriteRune(r)
		}
		if b.Len() >= 20 {
			break
		}
	}
	return b.String()
}

// ExitCode returns the container's exit status once it has stopped, and
// running true while it runs.
func (a *ImageApp) ExitCode(ctx context.Context) (code int, running bool, err error) {
	in, err := a.e.api.ContainerInspect(ctx, a.id, client.ContainerInspectOptions{})
	if err != nil {
		return 0, false, a.e.engineErr("inspect the container", err)
	}
	st := in.Container.State
	if st == nil {
		return 0, false, nil
	}
	return st.ExitCode, st.Running, nil
}

// Shutdown stops the container as `docker stop` does (SIGTERM to its
// init, which passes it on; SIGKILL after grace), then removes it: how a
// stack goes down before it is recreated, so a database gets to flush
// what it wrote to its volume.
func (a *ImageApp) Shutdown(ctx context.Context, grace time.Duration) error {
	if a.id == "" {
		return nil
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	wait := a.e.api.ContainerWait(wctx, a.id, client.ContainerWaitOptions{Condition: container.WaitConditionNotRunning})
	if _, err := a.e.api.ContainerKill(wctx, a.id, client.ContainerKillOptions{Signal: "SIGTERM"}); err == nil {
		select {
		case <-wait.Result:
		case <-wait.Error:
		case <-wctx.Done():
		}
	}
	return a.Stop(ctx)
}
