package kube

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/backendroadmap/grader/runner"
)

// The documented Indexed Job (docs/examples/grade-job.yaml) is one a
// teacher applies as it is: the Kubernetes API accepts it, and it follows
// the rules the course teaches (requests and limits, not root, a pinned
// image). Probes do not apply: a Job's pods run to completion.
func TestGradeJobExample(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "docs", "examples", "grade-job.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := workspace(t, map[string]string{"grade-job.yaml": string(src)})
	mustHave(t, runSchema(t, dir, SchemaParams{Files: []string{"grade-job.yaml"}, Require: []string{"Job"}}), runner.Pass)
	mustHave(t, runPolicy(t, dir, PolicyParams{Files: []string{"grade-job.yaml"}, Resources: true, NonRoot: true, PinnedImages: true, Probes: &ProbeRule{}}), runner.Pass)
}
