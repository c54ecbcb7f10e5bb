package course

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The documented Indexed Job shards by JOB_COMPLETION_INDEX with a count
// that matches its completions, and writes JSON results for the gradebook.
func TestExampleIndexedJob(t *testing.T) {
	data, err := os.ReadFile("../docs/examples/grade-job.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var job struct {
		Kind string `yaml:"kind"`
		Spec struct {
			CompletionMode string `yaml:"completionMode"`
			Completions    int    `yaml:"completions"`
			Parallelism    int    `yaml:"parallelism"`
			Template       struct {
				Spec struct {
					Containers []struct {
						Args []string `yaml:"args"`
						Env  []struct {
							Name  string `yaml:"name"`
							Value string `yaml:"value"`
						} `yaml:"env"`
					} `yaml:"containers"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal(data, &job); err != nil {
		t.Fatal(err)
	}
	if job.Kind != "Job" || job.Spec.CompletionMode != "Indexed" || job.Spec.Completions < 2 {
		t.Fatalf("not an Indexed Job of several completions: %+v", job.Spec)
	}
	c := job.Spec.Template.Spec.Containers[0]
	count := ""
	for _, e := range c.Env {
		if e.Name == "GRADER_SHARD_COUNT" {
			count = e.Value
		}
	}
	if count != strconv.Itoa(job.Spec.Completions) {
		t.Errorf("GRADER_SHARD_COUNT = %q, want the Job's completions, %d", count, job.Spec.Completions)
	}
	cmd := strings.Join(c.Args, " ")
	if !strings.Contains(cmd, "grader grade ") || !strings.Contains(cmd, "--format json") || strings.Contains(cmd, "--shard") {
		t.Errorf("the pod's command %q should grade with --format json and take its shard from the environment", cmd)
	}
}

// The documented matrix gives runners 1..N and each grades --shard I/N.
func TestExampleMatrixWorkflow(t *testing.T) {
	data, err := os.ReadFile("../docs/examples/grade-matrix.yml")
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Strategy struct {
				Matrix struct {
					Shard []int `yaml:"shard"`
				} `yaml:"matrix"`
			} `yaml:"strategy"`
			Steps []struct {
				Run string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatal(err)
	}
	grade := wf.Jobs["grade"]
	shards := grade.Strategy.Matrix.Shard
	var runs strings.Builder
	for _, s := range grade.Steps {
		runs.WriteString(s.Run)
	}
	m := regexp.MustCompile(`--shard \$\{\{ matrix.shard \}\}/(\d+)`).FindStringSubmatch(runs.String())
	if m == nil {
		t.Fatalf("no step grades --shard ${{ matrix.shard }}/N:\n%s", runs.String())
	}
	n, _ := strconv.Atoi(m[1])
	if len(shards) != n {
		t.Errorf("matrix has %d shards, the command says /%d", len(shards), n)
	}
	for i, s := range shards {
		if s != i+1 {
			t.Errorf("matrix shard %d is %d, want 1..%d", i, s, n)
		}
	}
	if _, ok := wf.Jobs["gradebook"]; !ok || !strings.Contains(string(data), "grader gradebook") {
		t.Error("no gradebook job merges the shards")
	}
}
