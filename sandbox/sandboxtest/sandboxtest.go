// Package sandboxtest holds what the Docker tests of several packages share:
// the rule that a missing Docker fails under CI and skips elsewhere, and the
// image map that points exercises' public image names at the local builds of
// sandbox/images, so tests run where no registry can be reached. It is
// imported by tests only. (The sandbox package's own tests cannot import it
// and keep a copy of both.)
package sandboxtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/backendroadmap/grader/sandbox"
)

// Unavailable ends a test that cannot get Docker, a service or an image:
// under CI (CI set, as .ci/run sets it) it fails, since a skipped Docker test
// proves nothing there; elsewhere it skips and says so.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf(format, args...)
	}
	t.Skipf("%s (this fails under CI=true)", fmt.Sprintf(format, args...))
}

// Images is [ImageMap] for a test, which fails when the map does not load.
func Images(t testing.TB) sandbox.ImageMap {
	t.Helper()
	m, err := ImageMap()
	if err != nil {
		t.Fatalf("image map: %v", err)
	}
	return m
}

// ImageMap loads GRADER_IMAGE_MAP when it is set (as .ci/run sets it), and
// otherwise this repository's sandbox/images/imagemap.json, whichever
// package's folder the test runs in.
func ImageMap() (sandbox.ImageMap, error) {
	return sandbox.LoadImageMap(func(k string) string {
		if v := os.Getenv(k); v != "" || k != sandbox.ImageMapEnv {
			return v
		}
		return repoImageMap()
	})
}

// repoImageMap is sandbox/images/imagemap.json, found from this file's
// path so that it does not depend on the working directory.
func repoImageMap() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return ""
	}
	return filepath.Join(filepath.Dir(file), "..", "images", "imagemap.json")
}

// Engine connects to Docker for a test, with [Images] as its image map:
// under CI a missing Docker fails the test (see [Unavailable]). After the
// test it fails it if anything the engine made is still there: what
// `docker ps -a --filter label=org.grader.managed` would show of this
// process.
func Engine(t testing.TB) *sandbox.Engine {
	t.Helper()
	e, err := sandbox.Connect(context.Background())
	if err != nil {
		Unavailable(t, "docker: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	e.Images = Images(t)
	t.Cleanup(func() { NoLeftovers(t, e) })
	return e
}

// NoLeftovers fails t if a container, volume or network that e made is
// still on the engine.
func NoLeftovers(t testing.TB, e *sandbox.Engine) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	left, err := e.Leftovers(ctx, 0)
	if err != nil {
		t.Fatalf("listing leftovers: %v", err)
	}
	for _, r := range left {
		if r.Owner == e.Owner() {
			t.Errorf("left behind: %s", r)
		}
	}
}
