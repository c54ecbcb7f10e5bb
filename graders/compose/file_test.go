package compose

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/runner/runnertest"
	"github.com/backendroadmap/grader/sandbox"
)

var testImages = sandbox.ImageMap{"postgres:15": "grader-local/postgres:15", "python:3.11": "grader-local/base:bookworm", "from:python:3.11": "grader-local/python:3.11"}

const goodFile = `services:
  app:
    build: .
    environment:
      DATABASE_URL: postgres://postgres:pw@db:5432/postgres
    depends_on:
      db:
        condition: service_healthy
  db:
    image: postgres:15
    environment:
      POSTGRES_PASSWORD: pw
    healthcheck:
      test: ["CMD", "pg_isready"]
    volumes:
      - dbdata:/var/lib/postgresql/data
volumes:
  dbdata:
`

func TestFilePolicy(t *testing.T) {
	ks := Kinds(mapOnly{testImages})
	cases := []struct {
		name, file string
		status     runner.Status
		parts      []string
	}{
		{"good", goodFile, runner.Pass, nil},
		{"no file", "", runner.Fail, []string{"There is no compose.yaml", "docker-compose.yml"}},
		{"not yaml", "services:\n  app: [\n", runner.Fail, []string{"not valid YAML", "line"}},
		{"unknown key", "services:\n  app:\n    image: postgres:15\n    imagee: x\n", runner.Fail, []string{"compose.yaml line 4", "knows no key \"imagee\""}},
		{"privileged", "services:\n  app:\n    image: postgres:15\n    privileged: true\n", runner.Fail, []string{"line 4", "privileged: true", "refused"}},
		{"cap_add", "services:\n  app:\n    image: postgres:15\n    cap_add: [SYS_ADMIN]\n", runner.Fail, []string{"line 4", "SYS_ADMIN"}},
		{"host network", "services:\n  app:\n    image: postgres:15\n    network_mode: host\n", runner.Fail, []string{"line 4", "network_mode: host"}},
		{"host pid", "services:\n  app:\n    image: postgres:15\n    pid: host\n", runner.Fail, []string{"line 4", "pid: host"}},
		{"device", "services:\n  app:\n    image: postgres:15\n    devices: [\"/dev/kmsg:/dev/kmsg\"]\n", runner.Fail, []string{"line 4", "devices"}},
		{"bind mount", "services:\n  db:\n    image: postgres:15\n    volumes:\n      - ./data:/var/lib/postgresql/data\n", runner.Fail, []string{"line 5", "bind mount ./data:/var/lib/postgresql/data is refused"}},
		{"docker socket", "services:\n  db:\n    image: postgres:15\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n", runner.Fail, []string{"line 5", "refused"}},
		{"unmapped image", "services:\n  app:\n    image: mysql:8\n", runner.Fail, []string{"line 3", "mysql:8 is not available", "postgres:15"}},
		{"env_file", "services:\n  app:\n    image: postgres:15\n    env_file: /etc/passwd\n", runner.Fail, []string{"line 4", "env_file"}},
		{"include", "include:\n  - /etc/compose.yaml\nservices:\n  app:\n    image: postgres:15\n", runner.Fail, []string{"line 2", "include"}},
		{"extends file", "services:\n  app:\n    extends:\n      file: /etc/x.yaml\n      service: a\n", runner.Fail, []string{"line 4", "extends"}},
		{"external volume", "services:\n  db:\n    image: postgres:15\n    volumes: [d:/x]\nvolumes:\n  d:\n    external: true\n", runner.Fail, []string{"line 6", "external"}},
		{"driver opts bind", "services:\n  db:\n    image: postgres:15\n    volumes: [d:/x]\nvolumes:\n  d:\n    driver_opts: {type: none, o: bind, device: /etc}\n", runner.Fail, []string{"line 6", "driver_opts"}},
		{"build outside", "services:\n  app:\n    build: ../other\n", runner.Fail, []string{"line 3", "inside your project"}},
		{"build args", "services:\n  app:\n    build:\n      context: .\n      args: {A: b}\n", runner.Fail, []string{"line 3", "only `context` and `dockerfile`"}},
		{"ports are fine", "services:\n  app:\n    image: postgres:15\n    ports: [\"5432:5432\"]\n", runner.Pass, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := map[string]string{}
			if c.file != "" {
				files["compose.yaml"] = c.file
			}
			a := runnertest.Attempt(t, files)
			out := runnertest.Run(t, compile(t, ks, "compose.file", "{}"), a)
			runnertest.Want(t, c.name, out, c.status, c.parts...)
		})
	}
}

// TestNoHostEnvironment: ${VAR} takes nothing from grader's environment,
// so a file cannot read the machine's secrets into a container.
func TestNoHostEnvironment(t *testing.T) {
	t.Setenv("GRADER_TEST_SECRET", "s3cret")
	a := runnertest.Attempt(t, map[string]string{"compose.yaml": "services:\n  app:\n    image: postgres:15\n    environment:\n      A: ${GRADER_TEST_SECRET}\n      B: ${GRADER_TEST_SECRET:-default}\n      GRADER_TEST_SECRET:\n"})
	f, err := readFile(t.Context(), a, "", testImages)
	if err != nil {
		t.Fatal(err)
	}
	env := f.project.Services["app"].Environment
	if v := env["A"]; v == nil || *v != "" {
		t.Errorf("A = %v, want empty", v)
	}
	if v := env["B"]; v == nil || *v != "default" {
		t.Errorf("B = %v, want default", v)
	}
	if v := env["GRADER_TEST_SECRET"]; v != nil {
		t.Errorf("GRADER_TEST_SECRET = %q, want no value (not the host's)", *v)
	}
	if n := f.unsetNote(); !strings.Contains(n, "${GRADER_TEST_SECRET} is set nowhere") {
		t.Errorf("note = %q", n)
	}
}

func TestFileDeclarations(t *testing.T) {
	ks := Kinds(mapOnly{testImages})
	with := `
services: [app, db, cache]
healthcheck: [db]
depends_on: {app: {db: service_healthy}}
named_volumes: {db: /var/lib/postgresql/data}
`
	out := runnertest.Run(t, compile(t, ks, "compose.file", with), runnertest.Attempt(t, map[string]string{"compose.yaml": goodFile}))
	runnertest.Want(t, "missing cache", out, runner.Fail, "there is no service cache")

	with = `{healthcheck: [db], depends_on: {app: {db: service_healthy}}, named_volumes: {db: /var/lib/postgresql/data}}`
	out = runnertest.Run(t, compile(t, ks, "compose.file", with), runnertest.Attempt(t, map[string]string{"compose.yaml": goodFile}))
	runnertest.Want(t, "good", out, runner.Pass)

	short := "services:\n  app:\n    build: .\n    depends_on: [db]\n  db:\n    image: postgres:15\n    volumes: [/var/lib/postgresql/data]\n"
	out = runnertest.Run(t, compile(t, ks, "compose.file", with), runnertest.Attempt(t, map[string]string{"compose.yaml": short}))
	runnertest.Want(t, "short form", out, runner.Fail,
		"line 5: service db has no healthcheck",
		"line 4: service app waits for db with condition service_started",
		"line 7: service db mounts an anonymous volume")
}

func TestParamErrors(t *testing.T) {
	ks := Kinds(nil)
	for _, c := range []struct{ kind, with, field string }{
		{"compose.up", "{port: 8000}", "service"},
		{"compose.up", "{service: app}", "port"},
		{"compose.up", "{service: app, port: 8000, recreate: true}", "after_recreate"},
		{"compose.up", "{service: app, port: 8000, file: ../x.yaml}", "file"},
		{"compose.file", "{depends_on: {app: {db: healthy}}}", "depends_on.app.db"},
		{"compose.file", "{named_volumes: {db: data}}", "named_volumes.db"},
	} {
		_, err := ks[c.kind].Compile(runnertest.Params(t, c.with, nil))
		pe, ok := err.(*runner.ParamError)
		if !ok || pe.Field != c.field {
			t.Errorf("%s %s: got %v, want an error at %s", c.kind, c.with, err, c.field)
		}
	}
}

// TestDotEnv: ${VAR} takes the project's .env, as docker compose does.
func TestDotEnv(t *testing.T) {
	a := runnertest.Attempt(t, map[string]string{
		".env":         "PGPASS=from-dotenv\n",
		"compose.yaml": "services:\n  db:\n    image: postgres:15\n    environment:\n      POSTGRES_PASSWORD: ${PGPASS}\n",
	})
	f, err := readFile(t.Context(), a, "", testImages)
	if err != nil {
		t.Fatal(err)
	}
	if v := f.project.Services["db"].Environment["POSTGRES_PASSWORD"]; v == nil || *v != "from-dotenv" {
		t.Errorf("POSTGRES_PASSWORD = %v, want from-dotenv", v)
	}
}

// TestSpecFromFile: what the file says reaches the container's spec:
// environment without the host's, the healthcheck, named and anonymous
// volumes, tmpfs targets and network aliases.
func TestSpecFromFile(t *testing.T) {
	a := runnertest.Attempt(t, map[string]string{"compose.yaml": `services:
  db:
    image: postgres:15
    user: postgres
    environment: {POSTGRES_PASSWORD: pw, FROM_HOST: }
    healthcheck: {test: ["CMD", "pg_isready"], interval: 2s, retries: 5}
    volumes: [dbdata:/var/lib/postgresql/data, /scratch]
    tmpfs: ["/run:size=10m"]
    networks:
      default:
        aliases: [database]
volumes:
  dbdata:
`})
	f, err := readFile(t.Context(), a, "", testImages)
	if err != nil {
		t.Fatal(err)
	}
	st := newStack(&prepared{file: f}, &upParams{})
	st.volumes["dbdata"] = &sandbox.Volume{Name: "grader-vol-dbdata-x"}
	spec, o := st.spec(t.Context(), "db", f.project.Services["db"], 256*sandbox.MiB)
	if o != nil {
		t.Fatal(o.Message)
	}
	if got := strings.Join(spec.Env, " "); got != "POSTGRES_PASSWORD=pw" {
		t.Errorf("env = %q", got)
	}
	if spec.User != "postgres" || spec.Health == nil || spec.Health.Interval != 2*time.Second || spec.Health.Retries != 5 || spec.Health.Test[1] != "pg_isready" {
		t.Errorf("user %q, health %+v", spec.User, spec.Health)
	}
	if len(spec.Volumes) != 2 || spec.Volumes[0].Volume == nil || spec.Volumes[0].Volume.Name != "grader-vol-dbdata-x" || spec.Volumes[1].Volume != nil || spec.Volumes[1].Target != "/scratch" {
		t.Errorf("volumes = %+v", spec.Volumes)
	}
	if strings.Join(spec.Tmpfs, ",") != "/run" || strings.Join(spec.Aliases, ",") != "database" {
		t.Errorf("tmpfs %v, aliases %v", spec.Tmpfs, spec.Aliases)
	}
}

// TestAliasBomb: a file of nested YAML aliases (a "billion laughs") is
// refused quickly, not expanded into memory.
func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("x-a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n")
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		fmt.Fprintf(&b, "x-%s: &%s [*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s]\n", n, n, prev, prev, prev, prev, prev, prev, prev, prev, prev)
		prev = n
	}
	b.WriteString("services:\n  app:\n    image: postgres:15\n    labels: *i\n")
	a := runnertest.Attempt(t, map[string]string{"compose.yaml": b.String()})
	start := time.Now()
	out := runnertest.Run(t, compile(t, Kinds(mapOnly{testImages}), "compose.file", "{}"), a)
	if out.Status != runner.Fail || time.Since(start) > 10*time.Second {
		t.Fatalf("status %s after %s: %s", out.Status, time.Since(start), out.Message)
	}
	t.Log(out.Message)
}
