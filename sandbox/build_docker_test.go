package sandbox

// Builds of learners' Dockerfiles against the real engine (see docker_test.go
// for when these fail rather than skip).

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// pythonFrom is the image a Dockerfile's FROM python:3.11 becomes.
const pythonFrom = "grader-local/python:3.11"

// writeFiles makes a folder holding files (slash paths → content).
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func mustBuild(t *testing.T, e *Engine, dir string) *Image {
	t.Helper()
	start := time.Now()
	img, err := e.BuildImage(t.Context(), BuildSpec{Dir: dir})
	if err != nil {
		t.Fatalf("BuildImage: %v", err)
	}
	t.Logf("built %s in %v", short(img.ID), time.Since(start).Round(time.Millisecond))
	t.Cleanup(func() { _ = img.Remove(t.Context()) })
	return img
}

func buildFailure(t *testing.T, e *Engine, dir string) *BuildFailure {
	t.Helper()
	img, err := e.BuildImage(t.Context(), BuildSpec{Dir: dir, Timeout: time.Minute})
	if err == nil {
		_ = img.Remove(t.Context())
		t.Fatalf("the build passed; want a failure")
	}
	var bf *BuildFailure
	if !errors.As(err, &bf) {
		t.Fatalf("err = %v (%T), want a *BuildFailure", err, err)
	}
	return bf
}

func TestBuildMapsFromRefusesUnknownAndRunsWithoutNetwork(t *testing.T) {
	e := requireImage(t, pythonFrom)
	t.Run("unknown FROM", func(t *testing.T) {
		bf := buildFailure(t, e, writeFiles(t, map[string]string{"Dockerfile": "# base\nFROM python:3.11-slim\nCMD [\"python3\"]\n"}))
		if bf.Line != 2 || !strings.Contains(bf.Msg, "python:3.11-slim") || !strings.Contains(bf.Msg, "python:3.11.") {
			t.Errorf("failure = line %d %q; want line 2 naming the image and the ones available", bf.Line, bf.Msg)
		}
	})
	t.Run("parse error", func(t *testing.T) {
		bf := buildFailure(t, e, writeFiles(t, map[string]string{"Dockerfile": "FROM python:3.11\nCOPPY . .\n"}))
		if bf.Line != 2 {
			t.Errorf("failure = line %d %q; want line 2", bf.Line, bf.Msg)
		}
	})
	t.Run("RUN has no network", func(t *testing.T) {
		bf := buildFailure(t, e, writeFiles(t, map[string]string{"Dockerfile": "FROM python:3.11\nRUN curl -sS https://deb.debian.org/ >/dev/null\n"}))
		if !strings.Contains(bf.Msg, "Builds have no network") {
			t.Errorf("failure = %q\noutput:\n%s\nwant the no-network hint", bf.Msg, bf.Output)
		}
	})
	t.Run("RUN has limits", func(t *testing.T) {
		bf := buildFailure(t, e, writeFiles(t, map[string]string{"Dockerfile": "FROM python:3.11\nRUN echo nofile=$(ulimit -n) core=$(ulimit -c); exit 3\n"}))
		if !strings.Contains(bf.Output, "nofile=1024 core=0") {
			t.Errorf("output:\n%s\nwant nofile=1024 core=0", bf.Output)
		}
	})
	t.Run("context cap", func(t *testing.T) {
		dir := writeFiles(t, map[string]string{"Dockerfile": "FROM python:3.11\n"})
		if err := os.WriteFile(filepath.Join(dir, "big.bin"), make([]byte, 2<<20), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := e.BuildImage(t.Context(), BuildSpec{Dir: dir, MaxContext: 1 << 20})
		var bf *BuildFailure
		if !errors.As(err, &bf) || !strings.Contains(bf.Msg, ".dockerignore") {
			t.Fatalf("err = %v; want a failure pointing at .dockerignore", err)
		}
		// Excluded, it fits.
		if err := os.WriteFile(filepath.Join(dir, ".dockerignore"), []byte("*.bin\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		var buf strings.Builder
		root, _ := os.OpenRoot(dir)
		defer root.Close()
		if why, err := BuildContext(root, "Dockerfile", nil, 1<<20, &buf); why != "" || err != nil {
			t.Fatalf("with .dockerignore: %q %v", why, err)
		}
	})
}

// TestBuildLayersShowDeletedSecretAndCleanUp: a secret copied in and
// removed by a later RUN still ships in a layer; the image runs as its
// USER; Remove and GC leave nothing.
func TestBuildLayersShowDeletedSecretAndCleanUp(t *testing.T) {
	e := requireImage(t, pythonFrom)
	dir := writeFiles(t, map[string]string{
		"Dockerfile": "FROM python:3.11\nRUN useradd -m app\nWORKDIR /app\nCOPY . .\nRUN rm secrets.env\nUSER app\nEXPOSE 8000\n" +
			"HEALTHCHECK --interval=1s CMD curl -fsS http://localhost:8000/ || exit 1\nCMD [\"python3\", \"-m\", \"http.server\", \"8000\"]\n",
		"secrets.env":       "API_KEY=hunter2\n",
		"app.py":            "print('hi')\n",
		".git/HEAD":         "ref: refs/heads/main\n",
		".grader/state":     "x",
		".dockerignore":     "*.md\n",
		"README.md":         "readme",
		"tests/test_app.py": "def test(): pass\n",
	})
	img := mustBuild(t, e, dir)
	info, err := img.Inspect(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if info.User != "app" || !slices.Equal(info.ExposedPorts, []string{"8000/tcp"}) || len(info.Healthcheck) == 0 || info.Added < 3 {
		t.Errorf("info = %+v", info)
	}
	layers, err := img.Layers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var files, deleted []string
	for _, l := range layers {
		t.Logf("layer %d %q: %d files, deleted %v", l.Index, l.Instruction(), len(l.Files), l.Deleted)
		files = append(files, l.Files...)
		deleted = append(deleted, l.Deleted...)
	}
	for _, want := range []string{"app/secrets.env", "app/.git/HEAD", "app/tests/test_app.py", "app/Dockerfile", "app/.dockerignore"} {
		if !slices.Contains(files, want) {
			t.Errorf("no layer holds %s; files: %v", want, files)
		}
	}
	for _, absent := range []string{"app/README.md", "app/.grader/state"} {
		if slices.Contains(files, absent) {
			t.Errorf("a layer holds %s, which the context leaves out", absent)
		}
	}
	if !slices.Contains(deleted, "app/secrets.env") {
		t.Errorf("deleted = %v, want app/secrets.env", deleted)
	}
	out, code, err := img.RunAsImageUser(t.Context(), []string{"id", "-u"})
	if err != nil || code != 0 || strings.TrimSpace(out) == "0" || strings.TrimSpace(out) == "" {
		t.Errorf("id -u = %q, %d, %v; want a non-zero uid", out, code, err)
	}

	// Run as a server on a private network, probed from outside.
	net, err := e.CreateNetwork(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer net.Remove(t.Context())
	app, err := e.StartImage(t.Context(), ImageAppSpec{Image: img, Network: net, Aliases: []string{"app"}})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Stop(t.Context())
	in, err := e.api.ContainerInspect(t.Context(), app.ID(), client.ContainerInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	hc := in.Container.HostConfig
	if !slices.Contains(hc.CapDrop, "ALL") || !slices.Contains(hc.SecurityOpt, "no-new-privileges") || hc.Memory == 0 ||
		hc.PidsLimit == nil || *hc.PidsLimit == 0 || string(hc.NetworkMode) != net.Name || hc.Privileged {
		t.Errorf("the image's container is not hardened: %+v", hc)
	}
	if in.Container.Config.User != "" && in.Container.Config.User != "app" {
		t.Errorf("it runs as %q, not the image's own user", in.Container.Config.User)
	}
	probe, err := e.StartProbe(t.Context(), ProbeSpec{Image: e.Images.Resolve("python:3.11"), Network: net, Target: "app:8000"})
	if err != nil {
		t.Fatal(err)
	}
	defer probe.Remove(t.Context())
	deadline := time.Now().Add(20 * time.Second)
	for {
		ok, why, err := probe.Reachable(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server never answered: %s; output %s; exited %q", why, app.Output(), app.Exited(t.Context()))
		}
		time.Sleep(200 * time.Millisecond)
	}
	for {
		st, last, err := app.Health(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if st == "healthy" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("health = %q (%s)", st, last)
		}
		time.Sleep(300 * time.Millisecond)
	}

	// Leftovers finds the image; Remove takes it away.
	rs, err := e.Leftovers(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(rs, func(r Resource) bool { return r.Kind == "image" && r.ID == img.ID }) {
		t.Errorf("Leftovers = %v; want the built image", rs)
	}
	_ = app.Stop(t.Context())
	if err := img.Remove(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := e.api.ImageInspect(t.Context(), img.ID); err == nil {
		t.Errorf("the image is still there after Remove")
	}
}

// TestGCRemovesALeftoverImage: a build whose process never removed it is
// swept by GC.
func TestGCRemovesALeftoverImage(t *testing.T) {
	e := requireImage(t, pythonFrom)
	img := mustBuild(t, e, writeFiles(t, map[string]string{"Dockerfile": "FROM python:3.11\nLABEL x=1\n"}))
	e.untrack("image", img.ID) // as if the process had crashed
	// Only this process's: GC(ctx, 0) would also sweep the containers of
	// the test processes running beside this one.
	removed, err := e.gc(t.Context(), 0, func(r Resource) bool { return r.Owner == e.Owner() })
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(removed, func(r Resource) bool { return r.Kind == "image" && r.ID == img.ID }) {
		t.Errorf("GC removed %v; want the built image", removed)
	}
}

// TestBuildTimeoutStopsTheBuild: the host's timer ends a RUN that never
// finishes, and its build container goes with it.
func TestBuildTimeoutStopsTheBuild(t *testing.T) {
	e := requireImage(t, pythonFrom)
	dir := writeFiles(t, map[string]string{"Dockerfile": "FROM python:3.11\nRUN sleep 300 # grader-timeout-test\n"})
	start := time.Now()
	_, err := e.BuildImage(t.Context(), BuildSpec{Dir: dir, Timeout: 8 * time.Second})
	var bf *BuildFailure
	if !errors.As(err, &bf) || !strings.Contains(bf.Msg, "longer than 8s") {
		t.Fatalf("err = %v; want a timeout failure", err)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("the build returned after %v", d)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		cs, err := e.api.ContainerList(t.Context(), client.ContainerListOptions{All: true})
		if err != nil {
			t.Fatal(err)
		}
		left := slices.ContainsFunc(cs.Items, func(c container.Summary) bool { return strings.Contains(c.Command, "grader-timeout-test") })
		if !left {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the RUN's container is still there 20 s after the timeout")
		}
		time.Sleep(500 * time.Millisecond)
	}
	bf = buildFailure(t, e, writeFiles(t, map[string]string{"Dockerfile": "FROM python:3.11\nCOPY --from=alpine:3 /etc/os-release /x\n"}))
	if bf.Line != 2 || !strings.Contains(bf.Msg, "--from must name an earlier stage") {
		t.Errorf("COPY --from an image: %d %q", bf.Line, bf.Msg)
	}
}
