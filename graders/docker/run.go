package docker

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/backendroadmap/grader/graders/httpcheck"
	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox"
	"github.com/backendroadmap/grader/sandbox/attempt"
)

// runParams are docker.run's parameters.
type runParams struct {
	buildParams `yaml:",inline"`
	// Port is where the server listens in the container. Required.
	Port int `yaml:"port"`
	// Ready bounds how long the started container may take to accept a
	// connection on Port (a Go duration); default 10s.
	Ready string `yaml:"ready"`
	// Requests are sent in order once it does, in http.requests' format.
	Requests []httpcheck.RequestSpec `yaml:"requests"`
	// Healthy: the image's HEALTHCHECK must report healthy within
	// HealthyTimeout (default 60s; the first check runs one --interval
	// after the start, 30s unless the Dockerfile says otherwise).
	Healthy        bool   `yaml:"healthy"`
	HealthyTimeout string `yaml:"healthy_timeout"`
	// Memory bounds the container, like "256MiB"; default 512MiB.
	Memory string `yaml:"memory"`

	script *httpcheck.Script
}

// Validate checks the parameters and compiles the requests.
func (p *runParams) Validate() error {
	if err := p.buildParams.validate(); err != nil {
		return err
	}
	if p.Port < 1 || p.Port > 65535 {
		return runner.ParamErrorf("port", "is required: the port the server listens on in the container, like 8000")
	}
	for _, d := range []struct{ field, v string }{{"ready", p.Ready}, {"healthy_timeout", p.HealthyTimeout}} {
		if d.v == "" {
			continue
		}
		if t, err := time.ParseDuration(d.v); err != nil || t <= 0 || t > 5*time.Minute {
			return runner.ParamErrorf(d.field, "must be a Go duration up to 5m, like 10s")
		}
	}
	if p.Memory != "" {
		if _, err := attempt.ParseBytes(p.Memory); err != nil {
			return runner.ParamErrorf("memory", "%v", err)
		}
	}
	if len(p.Requests) > 0 {
		sc, err := httpcheck.CompileRequests(p.Requests, "requests", "Request", p.Port, p.command(), false)
		if err != nil {
			return err
		}
		p.script = sc
	}
	return nil
}

func (p *runParams) command() string {
	return fmt.Sprintf("docker build -t app . && docker run --rm -p %d:%d app", p.Port, p.Port)
}

func duration(s string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(s); err == nil && s != "" {
		return d
	}
	return def
}

func (k *kinds) compileRun(_ runner.Params, p *runParams) (runner.Checker, error) {
	get := func(ctx context.Context, a runner.Attempt) (*sandbox.Image, error) {
		return k.build(ctx, a, p.buildParams)
	}
	return runner.Using(get, func(ctx context.Context, a runner.Attempt, img *sandbox.Image) runner.Outcome {
		eng, err := k.engine.DockerEngine(ctx)
		if err != nil {
			return runner.Errored(err)
		}
		srv, out := start(ctx, eng, img, p)
		if srv != nil {
			defer srv.stop()
		}
		if out != nil {
			return *out
		}
		if p.script != nil {
			if o := p.script.Run(ctx, srv, nil); o != nil {
				return *o
			}
		}
		if p.Healthy {
			if o := srv.waitHealthy(ctx, duration(p.HealthyTimeout, time.Minute)); o != nil {
				return *o
			}
		}
		return runner.Passed("")
	}), nil
}

// server is a started image, as httpcheck's requests see it.
type server struct {
	app   *sandbox.ImageApp
	probe *sandbox.Probe
	net   *sandbox.Network
	port  int
}

var _ httpcheck.Target = (*server)(nil)

func (s *server) URL() string                                       { return s.probe.URL }
func (s *server) Output() string                                    { return attempt.Tail(s.app.Output(), 30, 3000) }
func (s *server) Exited(ctx context.Context) string                 { return s.app.Exited(ctx) }
func (s *server) Hooks(ctx context.Context) ([]attempt.Hook, error) { return nil, nil }

func (s *server) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if s.probe != nil {
		_ = s.probe.Remove(ctx)
	}
	if s.app != nil {
		_ = s.app.Stop(ctx)
	}
	if s.net != nil {
		_ = s.net.Remove(ctx)
	}
}

// start runs the image with no arguments on a private network with
// grader's probe beside it, and waits until the port accepts connections.
// A container that does not start, exits, or never listens fails with
// what it printed and, when it listens elsewhere, where.
func start(ctx context.Context, eng *sandbox.Engine, img *sandbox.Image, p *runParams) (*server, *runner.Outcome) {
	fail := func(format string, args ...any) *runner.Outcome { o := runner.Failed(format, args...); return &o }
	errored := func(err error) *runner.Outcome { o := runner.Errored(err); return &o }
	s := &server{port: p.Port}
	var err error
	if s.net, err = eng.CreateNetwork(ctx); err != nil {
		return s, errored(err)
	}
	mem := 512 * sandbox.MiB
	if p.Memory != "" {
		mem, _ = attempt.ParseBytes(p.Memory)
	}
	s.app, err = eng.StartImage(ctx, sandbox.ImageAppSpec{Image: img, Network: s.net, Aliases: []string{"app"},
		Limits: sandbox.Limits{Memory: mem, Pids: 256, CPUs: 1}})
	var bf *sandbox.BuildFailure
	if asBuildFailure(err, &bf) {
		return s, fail("%s\nTry it: %s", bf.Msg, p.command())
	}
	if err != nil {
		return s, errored(err)
	}
	if s.probe, err = eng.StartProbe(ctx, sandbox.ProbeSpec{Image: eng.Images.Resolve("python:3.11"), Network: s.net, Target: "app:" + strconv.Itoa(p.Port)}); err != nil {
		return s, errored(err)
	}
	ready := duration(p.Ready, 10*time.Second)
	deadline := time.Now().Add(ready)
	why := ""
	for {
		ok, w, err := s.probe.Reachable(ctx)
		if err != nil {
			return s, errored(err)
		}
		if ok {
			return s, nil
		}
		why = w
		if how := s.app.Exited(ctx); how != "" {
			return s, fail("The container %s before it answered on port %d.%s\nTry it: %s", how, p.Port, outputTail(s.Output()), p.command())
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	msg := fmt.Sprintf("The container started with no arguments does not accept connections on port %d within %s (%s).", p.Port, ready, why)
	ls, err := s.app.Listeners(ctx)
	// 127.0.0.11 is Docker's own DNS resolver on a private network.
	ls = slices.DeleteFunc(ls, func(l sandbox.Listener) bool { return l.Addr() == netip.AddrFrom4([4]byte{127, 0, 0, 11}) })
	if err == nil && len(ls) > 0 {
		var where []string
		for _, l := range ls {
			where = append(where, l.String())
		}
		msg += fmt.Sprintf(" It listens on %s.", strings.Join(where, ", "))
		for _, l := range ls {
			if l.Addr().IsLoopback() && int(l.Port()) == p.Port {
				msg += fmt.Sprintf(" 127.0.0.1 is the container's own loopback: nothing outside the container reaches it, not even `docker run -p`. Listen on 0.0.0.0:%d.", p.Port)
				break
			}
		}
	} else if err == nil {
		msg += " Nothing in it listens on any TCP port: is CMD starting the server?"
	}
	return s, fail("%s%s\nTry it: %s, then curl http://localhost:%d/", msg, outputTail(s.Output()), p.command(), p.Port)
}

func outputTail(out string) string {
	if strings.TrimSpace(out) == "" {
		return " It printed nothing."
	}
	return "\nIts last output:\n" + indent(out)
}

// waitHealthy waits for the HEALTHCHECK to say healthy.
func (s *server) waitHealthy(ctx context.Context, timeout time.Duration) *runner.Outcome {
	deadline := time.Now().Add(timeout)
	for {
		st, last, err := s.app.Health(ctx)
		if err != nil {
			o := runner.Errored(err)
			return &o
		}
		switch st {
		case "":
			o := runner.Failed("The image has no HEALTHCHECK, so Docker never reports it healthy: add one that asks the server, like `HEALTHCHECK --interval=5s CMD curl -fsS http://localhost:%d/health || exit 1`.", s.port)
			return &o
		case "healthy":
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			msg := fmt.Sprintf("The HEALTHCHECK did not report healthy within %s (it says %s).", timeout, st)
			if last != "" {
				msg += "\nIts last check printed:\n" + indent(last)
			}
			o := runner.Failed("%s\nRun its command yourself in the container (docker exec CONTAINER sh -c '...'); a short --interval makes the first check come sooner.", msg)
			return &o
		}
		time.Sleep(500 * time.Millisecond)
	}
}
