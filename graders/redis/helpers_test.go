package redis

// Helpers for the tests against the real Docker engine. They fail under
// CI=true when Docker or the Redis image is missing, and skip only on a
// developer's machine without them (the pattern of sandbox/docker_test.go).

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/moby/moby/client"
	"go.yaml.in/yaml/v3"

	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox"
	attemptenv "github.com/backendroadmap/grader/sandbox/attempt"
	"github.com/backendroadmap/grader/sandbox/sandboxtest"
)

// TestMain fails the run if any Redis container this process created is
// still on the engine.
func TestMain(m *testing.M) {
	code := m.Run()
	if left := leftovers(); len(left) > 0 {
		fmt.Fprintln(os.Stderr, "Redis containers left behind:", left)
		code = 1
	}
	os.Exit(code)
}

// requireEngine returns a connected sandbox engine with the repo's image
// map, closed after the test, failing under CI=true when Docker or the
// Redis image is unavailable and skipping otherwise.
func requireEngine(t testing.TB) *sandbox.Engine {
	t.Helper()
	e, err := sandbox.Connect(t.Context())
	if err != nil {
		sandboxtest.Unavailable(t, "docker: %v", err)
	}
	t.Cleanup(func() { _ = e.Close() })
	e.Images = sandboxtest.Images(t)
	api, err := client.New(client.FromEnv)
	if err != nil {
		sandboxtest.Unavailable(t, "docker client: %v", err)
	}
	defer api.Close()
	ref := e.Images.Resolve(DefaultImage)
	if _, err := api.ImageInspect(t.Context(), ref); err != nil {
		sandboxtest.Unavailable(t, "redis image %s: %v (build it with `make images`)", ref, err)
	}
	return e
}

// requireServices starts the attempts' Redis containers on requireEngine's
// engine, through each attempt's environment, as the CLI does.
func requireServices(t testing.TB) Services { return envServices(requireEngine(t)) }

// envServices serves [Services] from each attempt's environment on e.
func envServices(e *sandbox.Engine) Services {
	return envProvider{&attemptenv.Provider{Engine: func(context.Context) (*sandbox.Engine, error) { return e, nil }}}
}

type envProvider struct{ p *attemptenv.Provider }

func (s envProvider) StartService(ctx context.Context, a runner.Attempt, spec sandbox.ServiceSpec) (*sandbox.Service, error) {
	env, err := s.p.Env(a.Memo, a.Dir)
	if err != nil {
		return nil, err
	}
	return env.StartService(ctx, spec)
}

// owner is this process's LabelOwner value, as the sandbox writes it.
var owner = func() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	return fmt.Sprintf("%d@%s", os.Getpid(), host)
}()

// leftovers lists the Redis containers labelled as grader's and this
// process's that are still on the engine.
func leftovers() []string {
	api, err := client.New(client.FromEnv)
	if err != nil {
		return nil
	}
	defer api.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	f := make(client.Filters).
		Add("label", sandbox.LabelManaged+"=1").
		Add("label", sandbox.LabelOwner+"="+owner).
		Add("label", sandbox.LabelService+"=redis")
	res, err := api.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		return nil
	}
	var out []string
	for _, c := range res.Items {
		out = append(out, fmt.Sprintf("%.12s %v (%s)", c.ID, c.Names, c.State))
	}
	return out
}

// assertNoLeftovers fails t if a Redis container of this process remains.
func assertNoLeftovers(t testing.TB) {
	t.Helper()
	if left := leftovers(); len(left) > 0 {
		t.Errorf("Redis containers left behind: %v", left)
	}
}

// params builds Compile's input for a check: its `with:` values (decoded
// through YAML, as the spec loader does), the exercise's files and its
// services block.
func params(t testing.TB, with map[string]any, files map[string]string, service map[string]any) runner.Params {
	t.Helper()
	return runner.Params{
		Decode:  yamlDecoder(t, with),
		Files:   mapFS(files),
		Service: serviceDecoder(t, service),
	}
}

// attempt makes a workspace holding files and an attempt on it with a
// Memo the test closes.
func attempt(t testing.TB, files map[string]string) runner.Attempt {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return runner.Attempt{Dir: dir, Memo: &runner.Memo{}}
}

// yamlDecoder decodes with through YAML strictly, like the spec loader;
// nil is a check without `with:`.
func yamlDecoder(t testing.TB, with map[string]any) func(any) error {
	t.Helper()
	if with == nil {
		return nil
	}
	data, err := yaml.Marshal(with)
	if err != nil {
		t.Fatal(err)
	}
	return func(v any) error {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		return dec.Decode(v)
	}
}

// serviceDecoder decodes the services.redis block; nil is no block.
func serviceDecoder(t testing.TB, block map[string]any) func(string, any) error {
	t.Helper()
	if block == nil {
		return nil
	}
	dec := yamlDecoder(t, block)
	return func(name string, v any) error {
		if name != "redis" {
			return fmt.Errorf("no service %q", name)
		}
		return dec(v)
	}
}

func mapFS(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for name, body := range files {
		m[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return m
}

func writeFile(dir, name, body string) error {
	return os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644)
}
