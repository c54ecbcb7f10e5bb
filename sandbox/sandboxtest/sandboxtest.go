// Package sandboxtest holds what the Docker tests of several packages share:
// the image map that points exercises' public image names at the local
// builds of sandbox/images, so tests run where no registry can be reached.
// It is imported by tests only.
package sandboxtest

import (
	"os"
	"path/filepath"
	"runtime"

	"github.com/backendroadmap/grader/sandbox"
)

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
