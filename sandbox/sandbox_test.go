package sandbox

// Unit tests that need no Docker engine: error mapping through a fake client,
// the image map, spec validation and the copy-out rules.

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"

	"github.com/backendroadmap/grader/fault"
)

// fakeAPI implements the few client methods a test needs; calling any other
// panics through the nil embedded interface, which fails the test loudly.
type fakeAPI struct {
	dockerAPI
	pingErr    error
	inspectErr error
	pullErr    error
	pulled     []string
}

func (f *fakeAPI) Ping(context.Context, client.PingOptions) (client.PingResult, error) {
	return client.PingResult{}, f.pingErr
}
func (f *fakeAPI) DaemonHost() string { return "unix:///fake/docker.sock" }
func (f *fakeAPI) Close() error       { return nil }
func (f *fakeAPI) ImageInspect(_ context.Context, ref string, _ ...client.ImageInspectOption) (client.ImageInspectResult, error) {
	return client.ImageInspectResult{}, f.inspectErr
}
func (f *fakeAPI) ImagePull(_ context.Context, ref string, _ client.ImagePullOptions) (client.ImagePullResponse, error) {
	f.pulled = append(f.pulled, ref)
	return nil, f.pullErr
}

func TestConnectToNoEngineIsErrNoDocker(t *testing.T) {
	for _, host := range []string{"unix:///nonexistent/docker.sock", "tcp://127.0.0.1:1", "bogus://what"} {
		t.Run(host, func(t *testing.T) {
			t.Setenv("DOCKER_HOST", host)
			start := time.Now()
			e, err := Connect(t.Context())
			if err == nil {
				e.Close()
				t.Fatal("Connect succeeded")
			}
			if !errors.Is(err, ErrNoDocker) {
				t.Errorf("err %v: want ErrNoDocker", err)
			}
			if msg := fault.Line(err); !strings.Contains(msg, "DOCKER_HOST") {
				t.Errorf("message %q does not say what to do", msg)
			}
			enginesMu.Lock()
			open := len(engines)
			enginesMu.Unlock()
			if open != 0 {
				t.Errorf("%d engines still registered after a failed Connect", open)
			}
			if took := time.Since(start); took > pingTimeout+time.Second {
				t.Errorf("took %v", took)
			}
		})
	}
}

func TestPingFailureHints(t *testing.T) {
	for _, tc := range []struct {
		err  error
		hint string
	}{
		{errors.New("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"), "sudo systemctl start docker"},
		{errors.New("dial unix /var/run/docker.sock: connect: permission denied"), "docker group"},
	} {
		e := newEngine(&fakeAPI{pingErr: tc.err})
		err := e.ping(t.Context())
		e.Close()
		if !errors.Is(err, ErrNoDocker) || !strings.Contains(fault.HintOf(err), tc.hint) {
			t.Errorf("ping error %q → %v: want ErrNoDocker with %q", tc.err, err, tc.hint)
		}
	}
}

func TestMissingImageIsErrImageMissing(t *testing.T) {
	f := &fakeAPI{
		inspectErr: cerrdefs.ErrNotFound.WithMessage("No such image: grader-local/postgres:16"),
		pullErr:    errors.New("dial tcp: lookup registry-1.docker.io: no such host"),
	}
	e := newEngine(f)
	defer e.Close()
	e.Images = ImageMap{"postgres:16": "grader-local/postgres:16"}
	_, err := e.Run(t.Context(), Spec{Image: "postgres:16", Cmd: []string{"true"}})
	if !errors.Is(err, ErrImageMissing) {
		t.Fatalf("err %v: want ErrImageMissing", err)
	}
	msg := fault.Line(err)
	for _, want := range []string{`"grader-local/postgres:16"`, `"postgres:16"`, "pulling it failed", "no such host", "make images", ImageMapEnv} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if len(f.pulled) != 1 || f.pulled[0] != "grader-local/postgres:16" {
		t.Errorf("pulled %v: want one try of the mapped name", f.pulled)
	}
}

func TestPresentImageIsNotPulled(t *testing.T) {
	f := &fakeAPI{}
	e := newEngine(f)
	defer e.Close()
	for range 2 {
		if err := e.ensureImage(t.Context(), "x", "x"); err != nil {
			t.Fatal(err)
		}
	}
	if len(f.pulled) != 0 {
		t.Errorf("pulled %v", f.pulled)
	}
}

func TestInspectFailureIsNotImageMissing(t *testing.T) {
	e := newEngine(&fakeAPI{inspectErr: errors.New("server error")})
	defer e.Close()
	err := e.ensureImage(t.Context(), "x", "x")
	if err == nil || errors.Is(err, ErrImageMissing) {
		t.Errorf("err %v: an engine failure is not a missing image", err)
	}
}

func TestParseImageMap(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want ImageMap
		bad  bool
	}{
		{in: "", want: ImageMap{}},
		{in: "postgres:16=grader-local/postgres:15", want: ImageMap{"postgres:16": "grader-local/postgres:15"}},
		{in: " a=b , c:1=mirror.local/c:1 ,", want: ImageMap{"a": "b", "c:1": "mirror.local/c:1"}},
		{in: `{"redis:7": "grader-local/redis:7"}`, want: ImageMap{"redis:7": "grader-local/redis:7"}},
		{in: "a", bad: true},
		{in: "a=", bad: true},
		{in: "=b", bad: true},
		{in: "a=b c", bad: true},
		{in: `{"a": 1}`, bad: true},
		{in: `{"a": ""}`, bad: true},
	} {
		got, err := ParseImageMap(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("ParseImageMap(%q) = %v, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got.String() != tc.want.String() {
			t.Errorf("ParseImageMap(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestImageMapResolve(t *testing.T) {
	m := ImageMap{"postgres:16": "local/pg", "redis:latest": "local/redis", "ghcr.io/x/y:1": "local/y"}
	for in, want := range map[string]string{
		"postgres:16":                   "local/pg",
		"docker.io/library/postgres:16": "local/pg",
		"docker.io/postgres:16":         "local/pg",
		"redis":                         "local/redis",
		"ghcr.io/x/y:1":                 "local/y",
		"postgres:15":                   "postgres:15",
		"localhost:5000/redis":          "localhost:5000/redis",
	} {
		if got := m.Resolve(in); got != want {
			t.Errorf("Resolve(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLoadImageMap(t *testing.T) {
	cfg := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(cfg, "grader"), 0o755))
	must(t, os.WriteFile(filepath.Join(cfg, "grader", "images.json"), []byte(`{"a:1": "cfg/a", "b:1": "cfg/b"}`), 0o644))
	envFile := filepath.Join(t.TempDir(), "map.json")
	must(t, os.WriteFile(envFile, []byte(`{"b:1": "file/b"}`), 0o644))
	env := func(kv ...string) func(string) string {
		m := map[string]string{"XDG_CONFIG_HOME": cfg}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	for _, tc := range []struct {
		name string
		env  func(string) string
		want string
		bad  bool
	}{
		{"config only", env(), "a:1=cfg/a,b:1=cfg/b", false},
		{"env file overrides", env(ImageMapEnv, envFile), "a:1=cfg/a,b:1=file/b", false},
		{"env inline overrides", env(ImageMapEnv, "a:1=inline/a"), "a:1=inline/a,b:1=cfg/b", false},
		{"env names a missing file", env(ImageMapEnv, "/no/such/map.json"), "", true},
		{"no config at all", func(string) string { return "" }, "", false},
		{"repo map file", env(ImageMapEnv, filepath.Join("images", "imagemap.json")), "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := LoadImageMap(tc.env)
			switch {
			case tc.bad && err == nil:
				t.Errorf("got %v, want an error", got)
			case !tc.bad && err != nil:
				t.Errorf("error %v", err)
			case tc.want != "" && got.String() != tc.want:
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestSpecValidate(t *testing.T) {
	ok := func() Spec { return Spec{Image: "img", Cmd: []string{"true"}} }
	for _, tc := range []struct {
		name   string
		change func(*Spec)
		bad    bool
	}{
		{"minimal", func(*Spec) {}, false},
		{"outputs with dir", func(s *Spec) { s.Outputs, s.OutputDir = []string{"a/b", "."}, "/tmp/x" }, false},
		{"private network", func(s *Spec) { s.Network = "grader-net-1" }, false},
		{"limits at caps", func(s *Spec) {
			s.Limits = Limits{Timeout: MaxTimeout, Memory: MaxMemory, Pids: MaxPids, CPUs: MaxCPUs, Output: MaxOutput}
		}, false},
		{"no image", func(s *Spec) { s.Image = "" }, true},
		{"no command", func(s *Spec) { s.Cmd = nil }, true},
		{"relative work dir", func(s *Spec) { s.WorkDir = "work" }, true},
		{"root work dir", func(s *Spec) { s.WorkDir = "/" }, true},
		{"env without =", func(s *Spec) { s.Env = []string{"X"} }, true},
		{"outputs without dir", func(s *Spec) { s.Outputs = []string{"a"} }, true},
		{"output ..", func(s *Spec) { s.Outputs, s.OutputDir = []string{"../a"}, "/tmp/x" }, true},
		{"output a/../..", func(s *Spec) { s.Outputs, s.OutputDir = []string{"a/../../b"}, "/tmp/x" }, true},
		{"output absolute", func(s *Spec) { s.Outputs, s.OutputDir = []string{"/etc/passwd"}, "/tmp/x" }, true},
		{"inline ..", func(s *Spec) { s.Inline = map[string][]byte{"../x": nil} }, true},
		{"host network", func(s *Spec) { s.Network = "host" }, true},
		{"bridge network", func(s *Spec) { s.Network = "bridge" }, true},
		{"container network", func(s *Spec) { s.Network = "container:abc" }, true},
		{"root user", func(s *Spec) { s.User = "0:0" }, true},
		{"root group", func(s *Spec) { s.User = "1000:0" }, true},
		{"holder user", func(s *Spec) { s.User = "65534:65534" }, true},
		{"named user", func(s *Spec) { s.User = "grader" }, true},
		{"memory above cap", func(s *Spec) { s.Limits.Memory = MaxMemory + 1 }, true},
		{"negative pids", func(s *Spec) { s.Limits.Pids = -1 }, true},
		{"timeout above cap", func(s *Spec) { s.Limits.Timeout = time.Hour }, true},
		{"too many cpus", func(s *Spec) { s.Limits.CPUs = 8 }, true},
	} {
		s := ok()
		tc.change(&s)
		err := s.Validate()
		if tc.bad != (err != nil) || (err != nil && !errors.Is(err, ErrInvalid)) {
			t.Errorf("%s: Validate() = %v, want bad=%v (ErrInvalid)", tc.name, err, tc.bad)
		}
	}
}

func TestLimitsDefaults(t *testing.T) {
	l := Limits{}.WithDefaults()
	want := Limits{Timeout: 30 * time.Second, Grace: 5 * time.Second, Memory: GiB, Pids: 256, CPUs: 1, NoFile: 1024,
		FileSize: 128 * MiB, Output: MiB, Tmp: 64 * MiB, Work: 256 * MiB}
	if l != want {
		t.Errorf("defaults %+v, want %+v", l, want)
	}
	if (Limits{Memory: 5}).WithDefaults().Memory != 5 {
		t.Error("a set limit was overwritten")
	}
}

// tarEntry is one entry of a hand-made archive.
type tarEntry struct {
	name, link string
	typ        byte
	data       string
}

func makeTar(t *testing.T, entries ...tarEntry) io.Reader {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Linkname: e.link, Typeflag: e.typ, Mode: 0o4755, Size: int64(len(e.data))}
		if e.typ != tar.TypeReg {
			h.Size = 0
		}
		must(t, tw.WriteHeader(h))
		if e.typ == tar.TypeReg {
			_, err := tw.Write([]byte(e.data))
			must(t, err)
		}
	}
	must(t, tw.Close())
	return &buf
}

func TestExtractOutputsRefusesEscapesAndLinks(t *testing.T) {
	parent := t.TempDir()
	dest := filepath.Join(parent, "out")
	must(t, os.Mkdir(dest, 0o755))
	root, err := os.OpenRoot(dest)
	must(t, err)
	defer root.Close()
	archive := makeTar(t,
		tarEntry{name: "work/", typ: tar.TypeDir},
		tarEntry{name: "work/res/", typ: tar.TypeDir},
		tarEntry{name: "work/res/ok.txt", typ: tar.TypeReg, data: "ok"},
		tarEntry{name: "work/res/same.txt", typ: tar.TypeLink, link: "work/res/ok.txt"},
		tarEntry{name: "work/res/shadow", typ: tar.TypeLink, link: "work/secret"},
		tarEntry{name: "work/res/passwd", typ: tar.TypeSymlink, link: "/etc/passwd"},
		tarEntry{name: "work/res/up", typ: tar.TypeSymlink, link: "../../.."},
		tarEntry{name: "work/res/../../escape.txt", typ: tar.TypeReg, data: "escape"},
		tarEntry{name: "/work/res/abs.txt", typ: tar.TypeReg, data: "abs"},
		tarEntry{name: "work/res/dev", typ: tar.TypeChar},
		tarEntry{name: "work/res/fifo", typ: tar.TypeFifo},
		tarEntry{name: "work/secret", typ: tar.TypeReg, data: "hidden test"},
		tarEntry{name: "work/big.bin", typ: tar.TypeReg, data: strings.Repeat("x", 100)},
	)
	copied, problems, err := extractOutputs(archive, "work", []string{"res", "big.bin", "nothere"}, root, 50)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("copied %v; problems %v", copied, problems)
	got := map[string]string{}
	for _, p := range problems {
		got[p.Path] = p.Reason
	}
	for _, p := range []string{"res/shadow", "res/passwd", "res/up", "work/res/../../escape.txt", "/work/res/abs.txt", "res/dev", "res/fifo", "big.bin", "nothere"} {
		if got[p] == "" {
			t.Errorf("%s: no problem reported", p)
		}
	}
	var files []string
	must(t, filepath.WalkDir(parent, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(parent, p)
		info, _ := d.Info()
		if !d.IsDir() {
			files = append(files, rel)
			if !info.Mode().IsRegular() || info.Mode().Perm() != 0o644 {
				t.Errorf("%s: mode %v, want a plain 0644 file", rel, info.Mode())
			}
		}
		return nil
	}))
	if strings.Join(files, ",") != "out/res/ok.txt,out/res/same.txt" {
		t.Errorf("files written: %v; want only res/ok.txt and its hard link", files)
	}
}

func TestEntryName(t *testing.T) {
	for in, want := range map[string]string{
		"work": ".", "work/": ".", "work/a": "a", "work/a/b/": "a/b", "work/./a": "a",
		"work/../x": "", "/work/a": "", "other/a": "", "workx/a": "", "work/a/../../x": "", `work\a`: "",
	} {
		got, ok := entryName(in, "work")
		if (want == "") == ok || got != want {
			t.Errorf("entryName(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestCaptureKeepsTheFirstBytesAcrossStreams(t *testing.T) {
	overflowed := 0
	c := &capture{budget: 10, onOverflow: func() { overflowed++ }}
	out, errw := c.writer(&c.stdout), c.writer(&c.stderr)
	if n, err := out.Write([]byte("123456")); n != 6 || err != nil {
		t.Fatalf("write: %d %v", n, err)
	}
	if n, err := errw.Write([]byte("abcdef")); n != 4 || !errors.Is(err, errOutputCap) {
		t.Fatalf("write past cap: %d %v", n, err)
	}
	if _, err := out.Write([]byte("z")); !errors.Is(err, errOutputCap) {
		t.Fatalf("write after cap: %v", err)
	}
	so, se, tr := c.result()
	if string(so) != "123456" || string(se) != "abcd" || !tr || overflowed != 1 {
		t.Errorf("got %q %q %v overflowed %d", so, se, tr, overflowed)
	}
}

func TestTarInputsSkipsLinksAndSetsOwner(t *testing.T) {
	dir := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(dir, "sub"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "sub", "a.py"), []byte("print(1)"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "run.sh"), []byte("#!/bin/sh"), 0o755))
	must(t, os.Symlink("/etc/passwd", filepath.Join(dir, "steal")))
	var buf bytes.Buffer
	must(t, tarInputs(&buf, os.DirFS(dir), map[string][]byte{"sub/hidden_test.py": []byte("x")}, 10001, 10002))
	tr := tar.NewReader(&buf)
	var got []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		must(t, err)
		if h.Uid != 10001 || h.Gid != 10002 {
			t.Errorf("%s: owner %d:%d", h.Name, h.Uid, h.Gid)
		}
		got = append(got, fmt.Sprintf("%s:%o:%c", h.Name, h.Mode, h.Typeflag))
	}
	want := "run.sh:755:0,sub/:755:5,sub/a.py:644:0,sub/hidden_test.py:644:0"
	if strings.Join(got, ",") != want {
		t.Errorf("entries %v, want %s", got, want)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
