package docker

import (
	"errors"
	"strings"
	"testing"

	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/runner/runnertest"
	"github.com/backendroadmap/grader/sandbox"
)

func TestParamsAreChecked(t *testing.T) {
	ks := Kinds(nil)
	for _, tt := range []struct{ kind, with, field string }{
		{"docker.image", "{}", "non_root"},
		{"docker.image", "{absent: ['/etc/passwd']}", "absent[0]"},
		{"docker.image", "{expose: [0]}", "expose"},
		{"docker.image", "{healthcheck: true, build_timeout: forever}", "build_timeout"},
		{"docker.run", "{}", "port"},
		{"docker.run", "{port: 8000, ready: 1h}", "ready"},
		{"docker.dockerfile", "{from: ['python 3']}", "from[0]"},
		{"docker.dockerfile", "{file: ../Dockerfile}", "file"},
		{"docker.image", "{absent_in_image: ['/usr/local/go/**']}", "absent_in_image[0]"},
		{"docker.image", "{max_size_mb: -1}", "max_size_mb"},
		{"docker.cache", "{cached: [{pattern: pip}]}", "append"},
		{"docker.cache", "{append: {../app.py: x}, cached: [{pattern: pip}]}", "append"},
		{"docker.cache", "{append: {app.py: x}}", "cached"},
		{"docker.cache", "{append: {app.py: x}, cached: [{pattern: '('}]}", "cached"},
	} {
		_, err := ks[tt.kind].Compile(runnertest.Params(t, tt.with, nil))
		var pe *runner.ParamError
		if !errors.As(err, &pe) || !strings.HasPrefix(pe.Field, tt.field) {
			t.Errorf("%s %s: err = %v, want a ParamError for %s", tt.kind, tt.with, err, tt.field)
		}
	}
	if _, err := ks["docker.dockerfile"].Compile(runnertest.Params(t, "{nope: 1}", nil)); err == nil {
		t.Errorf("an unknown parameter compiled")
	}
}

func TestDockerfileRules(t *testing.T) {
	ks := Kinds(nil)
	all := compile(t, ks, "docker.dockerfile", "{from: [python:3.11], user: true, expose: [8000], healthcheck: true, no_latest: true, copy_not_add: true}")
	good := "FROM python:3.11 AS deps\nRUN true\n\nFROM deps\nRUN useradd app\nCOPY . /app\nUSER app\nEXPOSE 8000/tcp\nHEALTHCHECK CMD curl -f http://localhost:8000/\nCMD [\"python\", \"/app/app.py\"]\n"
	runnertest.Want(t, "good", runnertest.Run(t, all, runnertest.Attempt(t, map[string]string{"Dockerfile": good})), runner.Pass)

	bad := "FROM python:latest\nADD . /app\nUSER root\nEXPOSE 9000\nHEALTHCHECK NONE\n"
	runnertest.Want(t, "bad", runnertest.Run(t, all, runnertest.Attempt(t, map[string]string{"Dockerfile": bad})), runner.Fail,
		"line 1: FROM python:latest: this image must be built FROM python:3.11",
		"line 3: USER root", "does not EXPOSE 8000", "line 5: HEALTHCHECK NONE", "line 1: FROM python:latest: name a tag", "line 2: ADD . /app: use COPY")

	runnertest.Want(t, "no USER", runnertest.Run(t, all, runnertest.Attempt(t, map[string]string{"Dockerfile": "FROM python:3.11\nEXPOSE 8000\nHEALTHCHECK CMD true\n"})), runner.Fail,
		"There is no USER in the final stage")
	runnertest.Want(t, "missing", runnertest.Run(t, all, runnertest.Attempt(t, nil)), runner.Fail, "There is no Dockerfile in your folder")
	runnertest.Want(t, "near miss", runnertest.Run(t, all, runnertest.Attempt(t, map[string]string{"Dockerfile.txt": "FROM python:3.11\n"})), runner.Fail,
		"There is a Dockerfile.txt: docker build reads a file named exactly Dockerfile.")
	runnertest.Want(t, "parse error", runnertest.Run(t, all, runnertest.Attempt(t, map[string]string{"Dockerfile": "FROM python:3.11\nCOPPY . .\n"})), runner.Fail,
		"does not parse", "line 2")
	other := compile(t, ks, "docker.dockerfile", "{file: deploy/Containerfile, from: [python:3.11]}")
	runnertest.Want(t, "other file", runnertest.Run(t, other, runnertest.Attempt(t, map[string]string{"deploy/Containerfile": "FROM docker.io/library/python:3.11\n"})), runner.Pass)
}

func TestGlobAndSuffix(t *testing.T) {
	for _, tt := range []struct {
		pattern, name string
		want          bool
	}{
		{"secrets.env", "secrets.env", true},
		{"secrets.env", "config/secrets.env", true},
		{"*.env", "config/prod.env", true},
		{".git/**", ".git/HEAD", true},
		{".git/**", ".git/objects/ab/cdef", true},
		{"tests/**", "tests/test_app.py", true},
		{"tests/**", "src/tests/x.py", false},
		{"**/tests/**", "src/tests/x.py", true},
		{"tests/*.py", "tests/a/b.py", false},
	} {
		if got := globMatch(tt.pattern, tt.name); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
	local := map[string]bool{"secrets.env": true, "tests/test_app.py": true, ".git/HEAD": true}
	pats := []string{"secrets.env", ".git/**", "tests/**"}
	for _, tt := range []struct {
		image, rel string
	}{
		{"app/secrets.env", "secrets.env"},
		{"home/app/.git/HEAD", ".git/HEAD"},
		{"srv/tests/test_app.py", "tests/test_app.py"},
		{"usr/lib/python3/dist-packages/pkg/tests/test_x.py", ""}, // not a file of the workspace
		{"app/app.py", ""},
	} {
		rel, ok := matchSuffix(tt.image, local, pats)
		if rel != tt.rel || ok != (tt.rel != "") {
			t.Errorf("matchSuffix(%q) = %q, %v; want %q", tt.image, rel, ok, tt.rel)
		}
	}
}

func TestLayerNamesPointAtTheDockerfile(t *testing.T) {
	df, err := sandbox.ParseDockerfile([]byte("FROM python:3.11\nRUN useradd app\nWORKDIR /app\nCOPY . .\nRUN rm -f secrets.env\n"))
	if err != nil {
		t.Fatal(err)
	}
	layers := []sandbox.Layer{
		{CreatedBy: "/bin/sh -c useradd app"},
		{CreatedBy: "/bin/sh -c #(nop) WORKDIR /app"},
		{CreatedBy: "/bin/sh -c #(nop) COPY dir:0123abcd in . "},
		{CreatedBy: "/bin/sh -c rm -f secrets.env"},
	}
	got := layerNames(df, layers)
	wantNames := []string{"line 2 `RUN useradd app`", "`WORKDIR /app`", "line 4 `COPY . .`", "line 5 `RUN rm -f secrets.env`"}
	for i := range wantNames {
		if got[i] != wantNames[i] {
			t.Errorf("layer %d: %q, want %q", i, got[i], wantNames[i])
		}
	}
}
