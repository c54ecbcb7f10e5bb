package main

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backendroadmap/grader/sandbox/sandboxtest"
)

// benchName is a name of the benchmark's own for what its floor creates.
func benchName(prefix string) string {
	var suffix [4]byte
	_, _ = rand.Read(suffix[:])
	return prefix + hex.EncodeToString(suffix[:])
}

// BenchmarkDockerAppCheck times a whole `grader check` of a solved
// docker-app workspace (the Dockerfile read with BuildKit's parser, the
// image built with no network, its config and every added layer read, the
// image run on a private network and probed, all removed) against the floor
// issue 11 names, measured in the same run: a bare `docker build --network
// none --no-cache` of the same folder (its .dockerignore honoured by the
// CLI), the image then removed. Needs Docker and the local images.
func BenchmarkDockerAppCheck(b *testing.B) {
	bin := graderBinary(b)
	ws, env := solved(b, "docker-app"), graderEnv(b.TempDir())
	df, err := os.ReadFile(filepath.Join(ws, "Dockerfile"))
	if err != nil {
		b.Fatal(err)
	}
	from, ok := sandboxtest.Images(b).ResolveFrom("python:3.11")
	if !ok {
		b.Fatal("the image map has no from:python:3.11")
	}
	dockerfile := strings.Replace(string(df), "FROM python:3.11", "FROM "+from, 1)
	if dockerfile == string(df) {
		b.Fatal("the solution's Dockerfile has no FROM python:3.11 to map")
	}

	var tCheck, tFloor time.Duration
	n := 0
	for b.Loop() {
		tCheck += timed(b, env, ws, bin, "check")
		tFloor += dockerBuildFloor(b, dockerfile, ws)
		n++
	}
	b.ReportMetric(float64(tCheck.Milliseconds())/float64(n), "check-ms")
	b.ReportMetric(float64(tFloor.Milliseconds())/float64(n), "floor-ms")
	b.ReportMetric(float64(tCheck)/float64(tFloor), "x-floor")
}

// dockerBuildFloor builds ws with the docker CLI, no network and no cache,
// and removes the image; it returns the build's time.
func dockerBuildFloor(b *testing.B, dockerfile, ws string) time.Duration {
	b.Helper()
	name := benchName("grader-bench-build-")
	defer func() { _ = exec.Command("docker", "image", "rm", "-f", name).Run() }()
	build := exec.Command("docker", "build", "-q", "--network", "none", "--no-cache", "-t", name, "-f", "-", ws)
	build.Stdin = strings.NewReader(dockerfile)
	start := time.Now()
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("docker build: %v\n%s", err, out)
	}
	return time.Since(start)
}

// BenchmarkWorkflowCheck times a whole `grader check` of a solved
// ci-workflow workspace (actionlint, the workflow's shape, then its test job
// run in the sandbox as it is and once more with a failing test planted)
// against the floor issue 11 names, measured in the same run: the job's
// steps run by hand, once, in one hardened container of the runner's image
// (copy the code in, pip install the requirements offline, python -m
// pytest). The check runs the job twice by design, so about 2x is the
// figure to expect. Needs Docker and the local images.
func BenchmarkWorkflowCheck(b *testing.B) {
	bin := graderBinary(b)
	ws, env := solved(b, "ci-workflow"), graderEnv(b.TempDir())
	img := localImage(b, "actions-runner:ubuntu-latest")

	var tCheck, tFloor time.Duration
	n := 0
	for b.Loop() {
		tCheck += timed(b, env, ws, bin, "check")
		tFloor += timed(b, env, ws, "docker", "run", "--rm", "--network", "none",
			"--cap-drop", "ALL", "--security-opt", "no-new-privileges", "--init",
			"-e", "PIP_NO_INDEX=1", "-e", "PIP_DISABLE_PIP_VERSION_CHECK=1",
			"-v", ws+":/src:ro", img, "bash", "-e", "-o", "pipefail", "-c",
			"cp -r /src /tmp/w && cd /tmp/w && pip install -q -r requirements.txt && python -m pytest -q")
		n++
	}
	b.ReportMetric(float64(tCheck.Milliseconds())/float64(n), "check-ms")
	b.ReportMetric(float64(tFloor.Milliseconds())/float64(n), "floor-ms")
	b.ReportMetric(float64(tCheck)/float64(tFloor), "x-floor")
}
