package compose

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/backendroadmap/grader/graders/httpcheck"
	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox"
	"github.com/backendroadmap/grader/sandbox/attempt"
)

// prepared is what a compose.up check gets before its deadline starts:
// the file, judged, and the images of its build sections, built.
type prepared struct {
	eng    *sandbox.Engine
	file   *stackFile
	order  []string
	images map[string]*sandbox.Image // by service
}

// buildKey names an attempt's build of one context and Dockerfile.
type buildKey struct{ context, dockerfile string }

func (k *kinds) prepare(ctx context.Context, a runner.Attempt, p *upParams) (*prepared, error) {
	if k.engine == nil {
		return nil, errors.New("compose kinds: no Docker engine configured")
	}
	eng, err := k.engine.DockerEngine(ctx)
	if err != nil {
		return nil, err
	}
	f, err := readFile(ctx, a, p.File, eng.Images)
	if err != nil {
		return nil, err
	}
	if _, ok := f.project.Services[p.Service]; !ok {
		return nil, runner.Failure("%s has no service %s: the checks send their requests to it.", f.name, p.Service)
	}
	order, err := startOrder(f.project)
	if err != nil {
		return nil, runner.Failure("%s: %v", f.name, err)
	}
	pr := &prepared{eng: eng, file: f, order: order, images: map[string]*sandbox.Image{}}
	for _, name := range order {
		b := f.project.Services[name].Build
		if b == nil {
			continue
		}
		img, err := k.build(ctx, a, eng, name, b, duration(p.BuildTimeout, 0))
		if err != nil {
			return nil, err
		}
		pr.images[name] = img
	}
	return pr, nil
}

// build builds a service's image once per attempt; the image is removed
// when the attempt ends.
func (k *kinds) build(ctx context.Context, a runner.Attempt, eng *sandbox.Engine, service string, b *types.BuildConfig, timeout time.Duration) (*sandbox.Image, error) {
	key := buildKey{path.Clean(b.Context), b.Dockerfile}
	v, err := a.Memo.Do(key, func() (any, error) {
		dir, err := contextDir(a.Dir, key.context)
		if err != nil {
			return nil, err
		}
		img, err := eng.BuildImage(ctx, sandbox.BuildSpec{Dir: dir, Dockerfile: b.Dockerfile, Timeout: timeout})
		if img != nil {
			a.Memo.Cleanup(func() {
				cctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				_ = img.Remove(cctx)
			})
		}
		var bf *sandbox.BuildFailure
		if errors.As(err, &bf) {
			msg := "The image of service " + service + " did not build: " + bf.Msg
			if out := strings.TrimSpace(bf.Output); out != "" {
				msg += "\nThe end of the build's output:\n" + indent(lastLines(out, 15))
			}
			return nil, runner.Failure("%s", msg+"\nTry it: docker compose build "+service)
		}
		return img, err
	})
	if err != nil {
		return nil, err
	}
	return v.(*sandbox.Image), nil
}

// contextDir is a build context inside the workspace, reached without
// following any link: a link could lead the build out of the workspace.
func contextDir(dir, rel string) (string, error) {
	if rel == "." {
		return dir, nil
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return "", fmt.Errorf("open the workspace: %w", err)
	}
	defer root.Close()
	parts := strings.Split(rel, "/")
	for i := range parts {
		p := strings.Join(parts[:i+1], "/")
		fi, err := root.Lstat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return "", runner.Failure("the build context %s is not a folder of your project.", rel)
		case err != nil:
			return "", runner.Failure("the build context %s cannot be read: %v", rel, err)
		case fi.Mode()&fs.ModeSymlink != 0:
			return "", runner.Failure("the build context %s goes through %s, a symbolic link: use the folder itself.", rel, p)
		case !fi.IsDir():
			return "", runner.Failure("the build context %s is not a folder.", rel)
		}
	}
	return filepath.Join(dir, filepath.FromSlash(rel)), nil
}

// startOrder is the order docker compose starts services in: each after
// what it depends on, names in order otherwise.
func startOrder(p *types.Project) ([]string, error) {
	var order []string
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(name string, chain []string) error
	visit = func(name string, chain []string) error {
		switch state[name] {
		case 1:
			return fmt.Errorf("depends_on goes round in a circle: %s", strings.Join(append(chain, name), " → "))
		case 2:
			return nil
		}
		state[name] = 1
		s, ok := p.Services[name]
		if !ok {
			return fmt.Errorf("service %s depends on %s, which is not a service of the file", chain[len(chain)-1], name)
		}
		for _, dep := range sortedKeys(s.DependsOn) {
			if err := visit(dep, append(chain, name)); err != nil {
				return err
			}
		}
		state[name] = 2
		order = append(order, name)
		return nil
	}
	for _, name := range p.ServiceNames() {
		if err := visit(name, nil); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// stack is one compose.up check's stack on the engine: a private network,
// the named volumes, a container a service, and grader's probe.
type stack struct {
	pr      *prepared
	p       *upParams
	net     *sandbox.Network
	volumes map[string]*sandbox.Volume
	running map[string]*sandbox.ImageApp
	probe   *sandbox.Probe
	target  *sandbox.ImageApp
}

var _ httpcheck.Target = (*stack)(nil)

func newStack(pr *prepared, p *upParams) *stack {
	return &stack{pr: pr, p: p, volumes: map[string]*sandbox.Volume{}, running: map[string]*sandbox.ImageApp{}}
}

// URL is the probe's address for the target service.
func (s *stack) URL() string { return s.probe.URL }

// Output is the target service's latest output.
func (s *stack) Output() string {
	if s.target == nil {
		return ""
	}
	return attempt.Tail(s.target.Output(), 30, 3000)
}

// Exited says how the target service ended, or "" while it runs.
func (s *stack) Exited(ctx context.Context) string {
	if s.target == nil {
		return "was not started"
	}
	return s.target.Exited(ctx)
}

// Hooks: a stack receives no webhooks.
func (s *stack) Hooks(context.Context) ([]attempt.Hook, error) { return nil, nil }

func failed(format string, args ...any) *runner.Outcome {
	o := runner.Failed(format, args...)
	return &o
}

func errored(err error) *runner.Outcome {
	o := runner.Errored(err)
	return &o
}

// up starts every service in order, honouring each depends_on condition,
// then waits until the target service accepts connections.
func (s *stack) up(ctx context.Context) *runner.Outcome {
	eng := s.pr.eng
	proj := s.pr.file.project
	var err error
	if s.net == nil {
		if s.net, err = eng.CreateNetwork(ctx); err != nil {
			return errored(err)
		}
	}
	mem := 512 * sandbox.MiB
	if s.p.Memory != "" {
		mem, _ = attempt.ParseBytes(s.p.Memory)
	}
	healthy := duration(s.p.HealthyTimeout, time.Minute)
	for _, name := range s.pr.order {
		svc := proj.Services[name]
		for _, dep := range sortedKeys(svc.DependsOn) {
			if o := s.waitFor(ctx, name, dep, svc.DependsOn[dep].Condition, healthy); o != nil {
				return o
			}
		}
		spec, o := s.spec(ctx, name, svc, mem)
		if o != nil {
			return o
		}
		app, err := eng.StartStackService(ctx, spec)
		var bf *sandbox.BuildFailure
		if errors.As(err, &bf) {
			return failed("%s\nTry it: docker compose up %s", bf.Msg, name)
		}
		if err != nil {
			return errored(err)
		}
		s.running[name] = app
	}
	s.target = s.running[s.p.Service]
	if s.probe == nil {
		if s.probe, err = eng.StartProbe(ctx, sandbox.ProbeSpec{Image: eng.Images.Resolve("python:3.11"), Network: s.net, Target: s.p.Service + ":" + strconv.Itoa(s.p.Port)}); err != nil {
			return errored(err)
		}
	}
	ready := duration(s.p.Ready, 30*time.Second)
	deadline := time.Now().Add(ready)
	why := ""
	for {
		ok, w, err := s.probe.Reachable(ctx)
		if err != nil {
			return errored(err)
		}
		if ok {
			return nil
		}
		why = w
		if how := s.target.Exited(ctx); how != "" {
			msg := fmt.Sprintf("Service %s %s before it answered on port %d.%s", s.p.Service, how, s.p.Port, outputTail(s.Output()))
			if deps := s.pr.file.project.Services[s.p.Service].DependsOn; len(deps) > 0 {
				for _, d := range sortedKeys(deps) {
					if c := deps[d].Condition; c == "" || c == types.ServiceConditionStarted {
						msg += fmt.Sprintf("\nIt depends on %s with condition %s, so Docker started it as soon as %s's container had started, not once %s could answer: `condition: service_healthy` (with a healthcheck on %s) makes it wait.", d, c, d, d, d)
					}
				}
			}
			msg += localhostNote(s.pr.file.project.Services[s.p.Service])
			return failed("%s\nTry it: docker compose up --build, then docker compose logs %s", msg, s.p.Service)
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	return failed("Service %s does not accept connections on port %d within %s of its start (%s). It must listen on 0.0.0.0:%d.%s\nTry it: docker compose up --build, then docker compose logs %s",
		s.p.Service, s.p.Port, ready, why, s.p.Port, outputTail(s.Output()), s.p.Service)
}

// waitFor waits until dep meets condition before name starts, as docker
// compose does, and fails saying which service never got there.
func (s *stack) waitFor(ctx context.Context, name, dep, condition string, timeout time.Duration) *runner.Outcome {
	app := s.running[dep]
	if app == nil {
		return nil
	}
	deadline := time.Now().Add(timeout)
	for {
		switch condition {
		case types.ServiceConditionHealthy:
			st, last, err := app.Health(ctx)
			if err != nil {
				return errored(err)
			}
			switch st {
			case "healthy":
				return nil
			case "":
				return failed("Service %s waits for %s to be healthy (condition: service_healthy), but %s has no healthcheck, so Docker never calls it healthy: add a healthcheck to %s.", name, dep, dep, dep)
			case "unhealthy":
				// docker compose gives up here too.
				msg := fmt.Sprintf("Service %s is unhealthy (its healthcheck failed every retry), so %s was never started.", dep, name)
				if last != "" {
					msg += "\nIts last healthcheck printed:\n" + indent(lastLines(last, 10))
				}
				return failed("%s\n%s's last output:%s\nRun the healthcheck's command yourself: docker compose exec %s ...", msg, dep, outputTail(attempt.Tail(app.Output(), 20, 3000)), dep)
			}
			if how := app.Exited(ctx); how != "" {
				return failed("Service %s %s before it was healthy, so %s was never started.%s", dep, how, name, outputTail(attempt.Tail(app.Output(), 20, 3000)))
			}
			if time.Now().After(deadline) || ctx.Err() != nil {
				msg := fmt.Sprintf("Service %s did not become healthy within %s (its healthcheck says %s), so %s was never started.", dep, timeout, orWord(st, "nothing yet"), name)
				if last != "" {
					msg += "\nIts last healthcheck printed:\n" + indent(lastLines(last, 10))
				}
				msg += "\n" + dep + "'s last output:" + outputTail(attempt.Tail(app.Output(), 20, 3000))
				return failed("%s\nA short healthcheck interval (interval: 2s) makes the first check come sooner.", msg)
			}
		case types.ServiceConditionCompletedSuccessfully:
			code, running, err := app.ExitCode(ctx)
			if err != nil {
				return errored(err)
			}
			if !running {
				if code == 0 {
					return nil
				}
				return failed("Service %s waits for %s to complete successfully, but %s exited with status %d, so %s was never started.%s", name, dep, dep, code, name, outputTail(attempt.Tail(app.Output(), 20, 3000)))
			}
			if time.Now().After(deadline) || ctx.Err() != nil {
				return failed("Service %s waits for %s to complete, but %s still runs after %s.", name, dep, dep, timeout)
			}
		default: // service_started: it was started before
			return nil
		}
		time.Sleep(300 * time.Millisecond)
	}
}

func orWord(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// spec turns a compose service into the sandbox's container spec.
func (s *stack) spec(ctx context.Context, name string, svc types.ServiceConfig, mem int64) (sandbox.StackServiceSpec, *runner.Outcome) {
	spec := sandbox.StackServiceSpec{
		Name:       name,
		Image:      svc.Image,
		Built:      s.pr.images[name],
		User:       svc.User,
		WorkingDir: svc.WorkingDir,
		ReadOnly:   svc.ReadOnly,
		Network:    s.net,
		Limits:     sandbox.Limits{Memory: mem, Pids: 256, CPUs: 1},
	}
	if svc.Entrypoint != nil {
		spec.Entrypoint = []string(svc.Entrypoint)
	}
	if svc.Command != nil {
		spec.Cmd = []string(svc.Command)
	}
	for _, k := range sortedKeys(svc.Environment) {
		// A variable with no value takes the host's in docker compose;
		// grader's stack sees none of the host's environment.
		if v := svc.Environment[k]; v != nil {
			spec.Env = append(spec.Env, k+"="+*v)
		}
	}
	if h := svc.HealthCheck; h != nil {
		hc := &sandbox.HealthCheck{Test: []string(h.Test)}
		if h.Disable {
			hc.Test = []string{"NONE"}
		}
		if h.Interval != nil {
			hc.Interval = time.Duration(*h.Interval)
		}
		if h.Timeout != nil {
			hc.Timeout = time.Duration(*h.Timeout)
		}
		if h.StartPeriod != nil {
			hc.StartPeriod = time.Duration(*h.StartPeriod)
		}
		if h.Retries != nil {
			hc.Retries = int(*h.Retries)
		}
		spec.Health = hc
	}
	for _, v := range svc.Volumes {
		switch v.Type {
		case types.VolumeTypeVolume:
			m := sandbox.VolumeMount{Target: v.Target, ReadOnly: v.ReadOnly}
			if v.Source != "" {
				vol := s.volumes[v.Source]
				if vol == nil {
					var err error
					if vol, err = s.pr.eng.CreateVolume(ctx, v.Source); err != nil {
						return spec, errored(err)
					}
					s.volumes[v.Source] = vol
				}
				m.Volume = vol
			}
			spec.Volumes = append(spec.Volumes, m)
		case types.VolumeTypeTmpfs:
			spec.Tmpfs = append(spec.Tmpfs, v.Target)
		}
	}
	for _, t := range svc.Tmpfs {
		target, _, _ := strings.Cut(t, ":") // "/run:size=10m": grader sets the size
		spec.Tmpfs = append(spec.Tmpfs, target)
	}
	// Aliases the file gives on its networks: the stack has one network,
	// where every name counts.
	for _, n := range sortedKeys(svc.Networks) {
		if c := svc.Networks[n]; c != nil {
			spec.Aliases = append(spec.Aliases, c.Aliases...)
		}
	}
	return spec, nil
}

// down stops every container in the reverse of the start order, as
// `docker compose down` does, and removes them; named volumes stay.
func (s *stack) down(ctx context.Context) *runner.Outcome {
	order := slices.Clone(s.pr.order)
	slices.Reverse(order)
	for _, name := range order {
		app := s.running[name]
		if app == nil {
			continue
		}
		if err := app.Shutdown(ctx, 10*time.Second); err != nil {
			return errored(err)
		}
		delete(s.running, name)
	}
	s.target = nil
	return nil
}

// close removes everything the stack made, containers first.
func (s *stack) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if s.probe != nil {
		_ = s.probe.Remove(ctx)
	}
	for _, app := range s.running {
		_ = app.Stop(ctx)
	}
	for _, v := range s.volumes {
		_ = v.Remove(ctx)
	}
	if s.net != nil {
		_ = s.net.Remove(ctx)
	}
}

func randomWord() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func outputTail(out string) string {
	if strings.TrimSpace(out) == "" {
		return " It printed nothing."
	}
	return "\nIts last output:\n" + indent(out)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}

// localhostNote explains, when a variable of the service points at
// localhost, that localhost in a container is the container itself.
func localhostNote(svc types.ServiceConfig) string {
	for _, k := range sortedKeys(svc.Environment) {
		v := svc.Environment[k]
		if v != nil && (strings.Contains(*v, "localhost") || strings.Contains(*v, "127.0.0.1")) {
			return fmt.Sprintf("\n%s names localhost: in a container that is the container itself. Other services of the stack are reached by their service name (db, not localhost).", k)
		}
	}
	return ""
}
