package docker

// Tests against the real Docker engine (see requireEngine for when they
// fail rather than skip).

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/runner/runnertest"
)

const pyServer = `import http.server
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
http.server.ThreadingHTTPServer((HOST, 8000), H).serve_forever()
`

// TestOneBuildServesEveryCheck: docker.image and docker.run of one attempt
// share one build; a leaked secret, root and a server on 127.0.0.1 each
// fail with a message that says what to change.
func TestOneBuildServesEveryCheck(t *testing.T) {
	ks := Kinds(requireEngine(t))
	image := compile(t, ks, "docker.image", "{non_root: true, expose: [8000], healthcheck: true, absent: [secrets.env, tests/**]}")
	run := compile(t, ks, "docker.run", "{port: 8000, requests: [{path: /health, expect: {status: 200, body: ok}}]}")

	good := runnertest.Attempt(t, map[string]string{
		"Dockerfile":    "FROM python:3.11\nRUN useradd app\nCOPY app.py /app/\nUSER app\nEXPOSE 8000\nHEALTHCHECK --interval=1s CMD curl -fsS http://localhost:8000/ || exit 1\nCMD [\"python\", \"/app/app.py\"]\n",
		"app.py":        "HOST = '0.0.0.0'\n" + pyServer,
		"secrets.env":   "KEY=1\n",
		"tests/test.py": "",
	})
	runnertest.Want(t, "good image", runnertest.Run(t, image, good), runner.Pass)
	runnertest.Want(t, "good run", runnertest.Run(t, run, good), runner.Pass)
	healthy := compile(t, ks, "docker.run", "{port: 8000, healthy: true, healthy_timeout: 30s}")
	runnertest.Want(t, "healthy", runnertest.Run(t, healthy, good), runner.Pass)
	v, _ := good.Memo.Do(buildKey{"Dockerfile"}, func() (any, error) { t.Fatal("the build was not memoized"); return nil, nil })
	if v == nil {
		t.Fatal("no image in the memo")
	}

	bad := runnertest.Attempt(t, map[string]string{
		"Dockerfile":    "FROM python:3.11\nCOPY . /app/\nRUN rm /app/secrets.env\nCMD [\"python\", \"/app/app.py\"]\n",
		"app.py":        "HOST = '127.0.0.1'\n" + pyServer,
		"secrets.env":   "KEY=1\n",
		"tests/test.py": "",
	})
	runnertest.Want(t, "bad image", runnertest.Run(t, image, bad), runner.Fail,
		"runs as root", "does not expose port 8000", "no HEALTHCHECK",
		"line 2 `COPY . /app/` adds secrets.env, as /app/secrets.env (a later RUN deletes it", "adds tests/ (1 file)")
	runnertest.Want(t, "bad run", runnertest.Run(t, run, bad), runner.Fail, "listens on 127.0.0.1:8000", "Listen on 0.0.0.0:8000")

	unknown := runnertest.Attempt(t, map[string]string{"Dockerfile": "FROM node:20\n"})
	runnertest.Want(t, "unknown FROM", runnertest.Run(t, image, unknown), runner.Fail, "FROM node:20: that image is not available here", "python:3.11")
}

// TestCacheIsJudgedByTheRebuild: docker.cache changes app.py and rebuilds
// with the attempt's own image as the only cache; the install step must
// say "Using cache". COPY . . before it breaks the cache, and the message
// names the step where it broke.
func TestCacheIsJudgedByTheRebuild(t *testing.T) {
	ks := Kinds(requireEngine(t))
	cache := compile(t, ks, "docker.cache", `{append: {app.py: "# changed"}, cached: [{pattern: 'pip install -r requirements.txt', what: installs requirements.txt}]}`)
	files := func(df string) map[string]string {
		return map[string]string{"Dockerfile": df, "app.py": "print('hi')\n", "requirements.txt": "pytest\n"}
	}
	good := runnertest.Attempt(t, files("FROM python:3.11\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app.py\"]\n"))
	runnertest.Want(t, "requirements first", runnertest.Run(t, cache, good), runner.Pass)
	bad := runnertest.Attempt(t, files("FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n"))
	runnertest.Want(t, "COPY . . first", runnertest.Run(t, cache, bad), runner.Fail,
		"ran step 4 `RUN pip install -r requirements.txt` again", "The cache broke at step 3 `COPY . .`")
}

// TestCacheRebuildWritesNoHostFile: a learner's app.py that is a link to a
// file of the machine's is neither read nor written through when the check
// changes it for the rebuild; the check fails and says why.
func TestCacheRebuildWritesNoHostFile(t *testing.T) {
	ks := Kinds(requireEngine(t))
	cache := compile(t, ks, "docker.cache", `{append: {app.py: "# changed"}, cached: [{pattern: 'pip install -r requirements.txt', what: installs requirements.txt}]}`)
	host := filepath.Join(t.TempDir(), "host.py")
	const secret = "print('a file of the machine grading you')\n"
	if err := os.WriteFile(host, []byte(secret), 0o644); err != nil {
		t.Fatal(err)
	}
	a := runnertest.Attempt(t, map[string]string{
		"Dockerfile":       "FROM python:3.11\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app.py\"]\n",
		"requirements.txt": "pytest\n",
	})
	if err := os.Symlink(host, filepath.Join(a.Dir, "app.py")); err != nil {
		t.Fatal(err)
	}
	runnertest.Want(t, "app.py links out", runnertest.Run(t, cache, a), runner.Fail, "app.py")
	if b, err := os.ReadFile(host); err != nil || string(b) != secret {
		t.Errorf("the host file was written through the learner's link: %q, %v", b, err)
	}
}
