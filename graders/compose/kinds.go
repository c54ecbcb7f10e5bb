package compose

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/backendroadmap/grader/graders/httpcheck"
	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox"
	"github.com/backendroadmap/grader/sandbox/attempt"
)

// Engine gives the kinds the Docker engine, connected on first use, so
// loading a catalog needs no Docker.
type Engine interface {
	DockerEngine(ctx context.Context) (*sandbox.Engine, error)
}

// imageMapper is an [Engine] that also knows the image map without
// connecting to Docker, so compose.file can judge image names statically.
type imageMapper interface {
	ImageMap() (sandbox.ImageMap, error)
}

type kinds struct{ engine Engine }

// Kinds returns the compose kinds of check, keyed by the name an exercise
// spec uses. engine may be nil for a caller that only compiles.
func Kinds(engine Engine) runner.Kinds {
	k := &kinds{engine: engine}
	return runner.Kinds{
		"compose.file": runner.ParamsKind[fileParams](k.compileFile),
		"compose.up":   runner.ParamsKind[upParams](k.compileUp),
	}
}

// fileParams are compose.file's parameters: what the file must declare.
// With none, the check passes when the file parses and the sandbox can run
// it.
type fileParams struct {
	// File is the compose file's path; default: the first of compose.yaml,
	// compose.yml, docker-compose.yaml, docker-compose.yml.
	File string `yaml:"file"`
	// Services must be declared.
	Services []string `yaml:"services"`
	// Healthcheck lists services that must declare a healthcheck.
	Healthcheck []string `yaml:"healthcheck"`
	// DependsOn: service → dependency → condition it must wait for
	// (service_started, service_healthy, service_completed_successfully).
	DependsOn map[string]map[string]string `yaml:"depends_on"`
	// NamedVolumes: service → path that must be a named volume's mount.
	NamedVolumes map[string]string `yaml:"named_volumes"`
}

var conditions = []string{types.ServiceConditionStarted, types.ServiceConditionHealthy, types.ServiceConditionCompletedSuccessfully}

// Validate checks the parameters.
func (p *fileParams) Validate() error {
	if err := validFile(p.File); err != nil {
		return err
	}
	for svc, deps := range p.DependsOn {
		for dep, cond := range deps {
			if !slices.Contains(conditions, cond) {
				return runner.ParamErrorf("depends_on."+svc+"."+dep, "must be one of %s", strings.Join(conditions, ", "))
			}
		}
	}
	for svc, target := range p.NamedVolumes {
		if !strings.HasPrefix(target, "/") {
			return runner.ParamErrorf("named_volumes."+svc, "must be an absolute path in the container, like /var/lib/postgresql/data")
		}
	}
	return nil
}

func validFile(f string) error {
	if f != "" && !localPath(f) {
		return runner.ParamErrorf("file", "must be a path inside the workspace, like compose.yaml")
	}
	return nil
}

func (k *kinds) imageMap(ctx context.Context) (sandbox.ImageMap, error) {
	if m, ok := k.engine.(imageMapper); ok {
		return m.ImageMap()
	}
	if k.engine == nil {
		return nil, errors.New("compose kinds: no Docker engine configured")
	}
	eng, err := k.engine.DockerEngine(ctx)
	if err != nil {
		return nil, err
	}
	return eng.Images, nil
}

func (k *kinds) compileFile(_ runner.Params, p *fileParams) (runner.Checker, error) {
	return runner.CheckerFunc(func(ctx context.Context, a runner.Attempt) runner.Outcome {
		images, err := k.imageMap(ctx)
		if err != nil {
			return runner.Errored(err)
		}
		f, err := readFile(ctx, a, p.File, images)
		if err != nil {
			return runner.Errored(err) // a learner's failure fails
		}
		var problems []string
		add := func(line int, format string, args ...any) {
			problems = append(problems, f.at(line, fmt.Sprintf(format, args...)))
		}
		proj := f.project
		for _, name := range p.Services {
			if _, ok := proj.Services[name]; !ok {
				add(f.line("services"), "there is no service %s: add it under `services:`.", name)
			}
		}
		for _, name := range p.Healthcheck {
			s, ok := proj.Services[name]
			if ok && (s.HealthCheck == nil || s.HealthCheck.Disable || len(s.HealthCheck.Test) == 0) {
				add(f.line("services", name), "service %s has no healthcheck, so Docker cannot tell when it is ready (only that its process started): add one, like `healthcheck: {test: [\"CMD\", \"pg_isready\", \"-U\", \"postgres\"], interval: 2s, retries: 30}`.", name)
			}
		}
		for _, svc := range sortedKeys(p.DependsOn) {
			s, ok := proj.Services[svc]
			if !ok {
				continue
			}
			for _, dep := range sortedKeys(p.DependsOn[svc]) {
				want := p.DependsOn[svc][dep]
				got, ok := s.DependsOn[dep]
				switch {
				case !ok:
					add(f.line("services", svc), "service %s does not depend on %s: add `depends_on: {%s: {condition: %s}}`, so it starts after %s is %s.", svc, dep, dep, want, dep, conditionWords(want))
				case got.Condition != want:
					line := f.line("services", svc, "depends_on", dep)
					if f.line("services", svc, "depends_on", dep, "condition") == line {
						line = f.line("services", svc, "depends_on")
					}
					add(line, "service %s waits for %s with condition %s (%s), not %s: Docker then starts %s as soon as %s's container has started, before it can answer. Write `%s: {condition: %s}` under depends_on.", svc, dep, got.Condition, conditionWords(got.Condition), want, svc, dep, dep, want)
				}
			}
		}
		for _, svc := range sortedKeys(p.NamedVolumes) {
			s, ok := proj.Services[svc]
			if !ok {
				continue
			}
			target := p.NamedVolumes[svc]
			i := slices.IndexFunc(s.Volumes, func(v types.ServiceVolumeConfig) bool {
				return strings.TrimRight(v.Target, "/") == strings.TrimRight(target, "/")
			})
			switch {
			case i < 0:
				add(f.line("services", svc), "service %s mounts nothing at %s, so its data lives in the container and is lost when the container is removed (docker compose down, or a new image): mount a named volume there (`volumes: [dbdata:%s]`, and `dbdata:` under the top-level `volumes:`).", svc, target, target)
			case s.Volumes[i].Type != "volume" || s.Volumes[i].Source == "":
				add(f.line("services", svc, "volumes", fmt.Sprint(i)), "service %s mounts an anonymous volume at %s: a new container gets a new, empty one. Name it (`dbdata:%s`) and declare it under the top-level `volumes:`.", svc, target, target)
			}
		}
		note := f.unsetNote()
		if len(problems) > 0 {
			if note != "" {
				problems = append(problems, note)
			}
			return runner.Failed("%s", strings.Join(problems, "\n"))
		}
		return runner.Passed(note)
	}), nil
}

func conditionWords(c string) string {
	switch c {
	case types.ServiceConditionHealthy:
		return "its healthcheck says healthy"
	case types.ServiceConditionCompletedSuccessfully:
		return "it has run to completion with status 0"
	case "", types.ServiceConditionStarted:
		return "its container has started"
	}
	return c
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// upParams are compose.up's parameters.
type upParams struct {
	// File is the compose file, as in compose.file.
	File string `yaml:"file"`
	// Service and Port are where the requests go. Required.
	Service string `yaml:"service"`
	Port    int    `yaml:"port"`
	// Ready bounds how long Service may take, once started, to accept a
	// connection on Port; default 30s.
	Ready string `yaml:"ready"`
	// HealthyTimeout bounds each wait for a service_healthy dependency;
	// default 60s.
	HealthyTimeout string `yaml:"healthy_timeout"`
	// Requests are sent once the stack is up, in http.requests' format.
	// {{marker}} is a value unique to the check.
	Requests []httpcheck.RequestSpec `yaml:"requests"`
	// Recreate then takes the stack down (containers stopped and removed,
	// named volumes kept) and brings it up again, and sends
	// AfterRecreate.
	Recreate      bool                    `yaml:"recreate"`
	AfterRecreate []httpcheck.RequestSpec `yaml:"after_recreate"`
	// Memory bounds each service's container, like "512MiB" (default).
	Memory string `yaml:"memory"`
	// BuildTimeout bounds each build (a Go duration); default 3m.
	BuildTimeout string `yaml:"build_timeout"`

	script, after *httpcheck.Script
}

// Validate checks the parameters and compiles the requests.
func (p *upParams) Validate() error {
	if err := validFile(p.File); err != nil {
		return err
	}
	if p.Service == "" {
		return runner.ParamErrorf("service", "is required: the service the requests go to, like app")
	}
	if p.Port < 1 || p.Port > 65535 {
		return runner.ParamErrorf("port", "is required: the port the service listens on in its container, like 8000")
	}
	for _, d := range []struct{ field, v string }{{"ready", p.Ready}, {"healthy_timeout", p.HealthyTimeout}, {"build_timeout", p.BuildTimeout}} {
		if d.v == "" {
			continue
		}
		if t, err := time.ParseDuration(d.v); err != nil || t <= 0 || t > 5*time.Minute {
			return runner.ParamErrorf(d.field, "must be a Go duration up to 5m, like 30s")
		}
	}
	if p.Memory != "" {
		if _, err := attempt.ParseBytes(p.Memory); err != nil {
			return runner.ParamErrorf("memory", "%v", err)
		}
	}
	if p.Recreate != (len(p.AfterRecreate) > 0) {
		return runner.ParamErrorf("after_recreate", "goes with recreate: true: the requests that read back what the first ones wrote")
	}
	cmd := "docker compose up --build"
	var err error
	if len(p.Requests) > 0 {
		if p.script, err = httpcheck.CompileRequests(p.Requests, "requests", "Request", p.Port, cmd, false, "marker"); err != nil {
			return err
		}
	}
	if p.Recreate {
		if p.after, err = httpcheck.CompileRequests(p.AfterRecreate, "after_recreate", "Request after the recreate", p.Port, "docker compose down && docker compose up", false, "marker"); err != nil {
			return err
		}
	}
	return nil
}

func duration(s string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(s); err == nil && s != "" {
		return d
	}
	return def
}

func (k *kinds) compileUp(_ runner.Params, p *upParams) (runner.Checker, error) {
	get := func(ctx context.Context, a runner.Attempt) (*prepared, error) {
		return k.prepare(ctx, a, p)
	}
	return runner.Using(get, func(ctx context.Context, a runner.Attempt, pr *prepared) runner.Outcome {
		st := newStack(pr, p)
		defer st.close()
		if o := st.up(ctx); o != nil {
			return *o
		}
		values := map[string]any{"marker": "grader-" + randomWord()}
		if p.script != nil {
			if o := p.script.Run(ctx, st, values); o != nil {
				return *o
			}
		}
		if p.Recreate {
			if o := st.down(ctx); o != nil {
				return *o
			}
			if o := st.up(ctx); o != nil {
				o.Message = "After `docker compose down` and `up` (named volumes kept): " + o.Message
				return *o
			}
			if o := p.after.Run(ctx, st, values); o != nil {
				o.Message = "After the stack was taken down and brought up again (containers removed and recreated, named volumes kept):\n" + o.Message
				return *o
			}
		}
		return runner.Passed("")
	}), nil
}
