package sandbox

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseDockerfileAndRewriteFrom(t *testing.T) {
	src := "# syntax comment\nARG V=1\nFROM --platform=linux/amd64 python:3.11 AS build\nRUN echo \\\n  hi\nFROM build\nCOPY --from=build /x /y\nFROM \\\n  python:3.11\nUSER app\nCMD [\"python\", \"app.py\"]\n"
	df, err := ParseDockerfile([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(df.Stages) != 3 || df.Stages[0].Name != "build" || df.Stages[1].Base != "build" || len(df.Args) != 1 {
		t.Fatalf("stages = %+v", df.Stages)
	}
	if imgs := df.Images(); len(imgs) != 2 || imgs[0].From.Line != 3 || imgs[1].From.Line != 8 {
		t.Errorf("Images() = %+v", imgs)
	}
	cmd := df.Final().Find("CMD")
	if len(cmd) != 1 || !cmd[0].JSON || !slices.Equal(cmd[0].Args, []string{"python", "app.py"}) || cmd[0].Line != 11 {
		t.Errorf("CMD = %+v", cmd)
	}
	out := string(df.rewriteFrom(func(img string) string { return "local/" + img }))
	want := strings.Replace(src, "FROM --platform=linux/amd64 python:3.11 AS build", "FROM --platform=linux/amd64 local/python:3.11 AS build", 1)
	want = strings.Replace(want, "FROM \\\n  python:3.11", "FROM local/python:3.11\n", 1)
	if out != want {
		t.Errorf("rewritten:\n%s\nwant:\n%s", out, want)
	}
	if strings.Count(out, "\n") != strings.Count(src, "\n") {
		t.Errorf("the rewrite moved lines")
	}

	for _, tt := range []struct {
		src  string
		line int
	}{
		{"FROM python:3.11\nCOPPY . .\n", 2},
		{"RUN true\n", 1},
		{"# only a comment\n", 1},
		{"FROM python:3.11\nHEALTHCHECK --bogus=1 CMD true\n", 2},
	} {
		_, err := ParseDockerfile([]byte(tt.src))
		var de *DockerfileError
		if !errors.As(err, &de) || de.Line != tt.line {
			t.Errorf("ParseDockerfile(%q) = %v, want an error at line %d", tt.src, err, tt.line)
		}
	}
}

func TestResolveFrom(t *testing.T) {
	m := ImageMap{"python:3.11": "grader-local/base:bookworm", "from:python:3.11": "grader-local/python:3.11", "redis:7": "grader-local/redis:7"}
	for _, tt := range []struct {
		name, ref string
		ok        bool
	}{
		{"python:3.11", "grader-local/python:3.11", true},
		{"docker.io/library/python:3.11", "grader-local/python:3.11", true},
		{"redis:7", "grader-local/redis:7", true},
		{"python:3.11-slim", "python:3.11-slim", false},
	} {
		if ref, ok := m.ResolveFrom(tt.name); ref != tt.ref || ok != tt.ok {
			t.Errorf("ResolveFrom(%q) = %q, %v; want %q, %v", tt.name, ref, ok, tt.ref, tt.ok)
		}
	}
	if got := m.FromImages(); !slices.Equal(got, []string{"python:3.11"}) {
		t.Errorf("FromImages() = %v", got)
	}
}

// TestBuildContextIsWhatDockerBuildSends: .git goes unless .dockerignore
// says otherwise, exceptions (!) reach into excluded folders, the
// Dockerfile and .dockerignore always go (with the Dockerfile's content
// replaced), grader's own folder never does. A replaced file goes in with
// its new content, a replaced link as a regular file, and a replaced path
// that .dockerignore excludes stays out.
func TestBuildContextIsWhatDockerBuildSends(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"Dockerfile":      "FROM python:3.11\n",
		".dockerignore":   "secrets.env\ndocs\n!docs/keep.md\nDockerfile\n.dockerignore\n",
		"app.py":          "print(1)\n",
		"secrets.env":     "KEY=1\n",
		"docs/a.md":       "a",
		"docs/keep.md":    "keep",
		".git/HEAD":       "ref: refs/heads/main\n",
		".grader/ws.json": "{}",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("app.py", filepath.Join(dir, "link.py")); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	var buf bytes.Buffer
	replace := map[string][]byte{
		"Dockerfile":  []byte("FROM local/python:3.11\n"),
		"app.py":      []byte("print(1)\n# changed\n"),
		"link.py":     []byte("print(2)\n"),
		"secrets.env": []byte("KEY=2\n"),
	}
	if why, err := BuildContext(root, "Dockerfile", replace, 1<<20, &buf); why != "" || err != nil {
		t.Fatalf("BuildContext: %q, %v", why, err)
	}
	got := map[string]string{}
	tr := tar.NewReader(&buf)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		got[h.Name] = string(body)
		if h.Typeflag == tar.TypeSymlink {
			got[h.Name] = "-> " + h.Linkname
		}
	}
	for name, want := range map[string]string{
		"Dockerfile": "FROM local/python:3.11\n", ".dockerignore": "", "app.py": "print(1)\n# changed\n", ".git/HEAD": "ref: refs/heads/main\n",
		"docs/keep.md": "keep", "link.py": "print(2)\n",
	} {
		if g, ok := got[name]; !ok || (want != "" && g != want) {
			t.Errorf("context %s = %q (present %v), want %q", name, g, ok, want)
		}
	}
	for _, name := range []string{"secrets.env", "docs/a.md", ".grader/ws.json", ".grader/"} {
		if _, ok := got[name]; ok {
			t.Errorf("context holds %s", name)
		}
	}
	var small bytes.Buffer
	if why, _ := BuildContext(root, "Dockerfile", nil, 4, &small); why == "" || small.Len() != 0 {
		t.Errorf("a context over the cap: %q, %d bytes written", why, small.Len())
	}
}

func TestReadBuildStripsColour(t *testing.T) {
	stream := `{"stream":"Step 2/3 : RUN curl x\n"}{"stream":" ---> Running in 71ab\n"}{"stream":"\u001b[91mc\u001b[0m\u001b[91mu\u001b[0m"}{"stream":"\u001b[91mrl: (6)\n\u001b[0m"}{"error":"The command returned a non-zero code: 6"}`
	log, err := readBuild(strings.NewReader(stream), 1<<20)
	if err != nil || log.id != "" || log.lastStep != "" || !strings.Contains(log.out, "curl: (6)\n") || !strings.Contains(log.err, "non-zero code: 6") {
		t.Errorf("readBuild = %+v, %v", log, err)
	}
	// The step's container is named, so that the build's end can make sure
	// it is gone.
	if len(log.containers) != 1 || log.containers[0] != "71ab" {
		t.Errorf("containers = %v, want [71ab]", log.containers)
	}
}

// A multi-stage build's earlier stages end in images the result does not
// hold: their IDs are read from the output, to remove.
func TestStageEnds(t *testing.T) {
	out := "Step 1/6 : FROM grader-local/golang:1.26 AS build\n ---> 1111\nStep 2/6 : WORKDIR /src\n ---> Running in c1\n ---> aaaa\n" +
		"Step 3/6 : RUN go build -o /h .\n ---> Using cache\n ---> bbbb\nStep 4/6 : FROM grader-local/distroless:static-debian12\n ---> 2222\n" +
		"Step 5/6 : COPY --from=build /h /h\n ---> cccc\nStep 6/6 : ENTRYPOINT [\"/h\"]\n ---> dddd\nSuccessfully built dddd\n"
	if got := stageEnds(out); len(got) != 1 || got[0] != "bbbb" {
		t.Errorf("stageEnds = %v, want [bbbb]", got)
	}
	if got := stageEnds("Step 1/2 : FROM x\n ---> 1111\nStep 2/2 : RUN true\n ---> aaaa\n"); len(got) != 0 {
		t.Errorf("one stage: stageEnds = %v, want none", got)
	}
}

// A rebuild's output says which steps came from the cache.
func TestImageSteps(t *testing.T) {
	img := &Image{Output: "Step 1/3 : FROM grader-local/python:3.11\n ---> 1111\nStep 2/3 : COPY requirements.txt .\n ---> Using cache\n ---> aaaa\n" +
		"Step 3/3 : RUN pip install -r requirements.txt\n ---> Running in c1\nRequirement already satisfied: pytest\n ---> bbbb\n"}
	got := img.Steps()
	if len(got) != 3 || got[0].Cached || !got[1].Cached || got[1].Instruction != "COPY requirements.txt ." || got[2].Cached {
		t.Errorf("Steps = %+v", got)
	}
}

// TestDockerfileIsReadBounded: a Dockerfile is read up to 1 MiB; a larger
// one is the learner's failure, saying so, and is never read whole.
func TestDockerfileIsReadBounded(t *testing.T) {
	dir := t.TempDir()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if _, f := readDockerfile(root, "Dockerfile"); f == nil || !strings.Contains(f.Msg, "There is no Dockerfile") {
		t.Errorf("no Dockerfile: %+v", f)
	}
	big := append([]byte("FROM python:3.11\n"), bytes.Repeat([]byte("# padding\n"), maxDockerfile/10)...)
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	if src, f := readDockerfile(root, "Dockerfile"); f == nil || !strings.Contains(f.Msg, "larger than 1 MiB") || src != nil {
		t.Errorf("a %d-byte Dockerfile: %d bytes read, %+v", len(big), len(src), f)
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), big[:17], 0o644); err != nil {
		t.Fatal(err)
	}
	if src, f := readDockerfile(root, "Dockerfile"); f != nil || string(src) != "FROM python:3.11\n" {
		t.Errorf("a one-line Dockerfile: %q, %+v", src, f)
	}
}
