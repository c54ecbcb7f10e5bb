package metrics

// A test against the real Docker engine: the learner's server in the
// sandbox, scraped through grader's probe. It fails under CI=true when
// Docker is missing.

import (
	"os"
	"strings"
	"testing"

	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/runner/runnertest"
)

// TestScrapeInSandbox: the exercise's solution and a hard-coded counter,
// each started in the sandbox as `grader check` starts it.
func TestScrapeInSandbox(t *testing.T) {
	ks := Kinds(sandboxServers(t))
	with := `{requests: [{path: /hello}, {method: POST, path: /echo}, {path: /no-such-page}],
	  counter: {name: http_requests_total, labels: {method: method, path: path, status: status}},
	  histogram: {name: http_request_duration_seconds, labels: {method: method, path: path, status: status}}}`
	c := mustCompile(t, ks, "metrics.scrape", with)
	sol, err := os.ReadFile("../../exercises/catalog/devops/prom-metrics/solution/app.py")
	if err != nil {
		t.Fatal(err)
	}
	runnertest.Want(t, "solution", check(t, c, workspace(t, map[string]string{"app.py": string(sol)})), runner.Pass,
		"http_requests_total and http_request_duration_seconds counted grader's")
	stuck := strings.Replace(string(sol), `lines.append(f"http_requests_total{{{labels(key)}}} {n}")`, `lines.append(f"http_requests_total{{{labels(key)}}} 3")`, 1)
	if stuck == string(sol) {
		t.Fatal("the solution changed: update the test's edit")
	}
	runnertest.Want(t, "hard-coded", check(t, c, workspace(t, map[string]string{"app.py": stuck})), runner.Fail, "rose by 0 after", "increment it in the handler")
}
