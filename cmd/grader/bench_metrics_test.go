package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// plainSpec is the floor of BenchmarkMetricsCheck: the same server, started
// the same way, with plain HTTP checks that send about the traffic the
// metrics checks send (their requests and scrapes), judging only statuses.
const plainSpec = `format: 1
id: prom-plain
title: The prom-metrics server, checked as a plain HTTP server
skill: devops
phase: intermediate
summary: A benchmark floor.
instructions: instructions.md
services:
  server:
    language: python
starter: {files: solution}
solution: {files: solution}
wrong: [{name: the same, files: solution}]
checks:
  - id: starts
    name: starts
    kind: http.starts
    hints: [none]
  - id: requests
    name: requests
    kind: http.requests
    depends_on: [starts]
    hints: [none]
    with:
      requests:
        - {path: /hello, repeat: 12, expect: {status: 200}}
        - {method: POST, path: /echo, repeat: 12, expect: {status: 201}}
        - {path: /no-such-page, repeat: 6, expect: {status: 404}}
        - {path: /metrics, repeat: 4, expect: {status: 200}}
`

// BenchmarkMetricsCheck times a whole `grader check` of a solved
// prom-metrics workspace (the learner's Flask server in the sandbox, two
// metrics.scrape checks: three scrapes each, parsed with expfmt, and the
// requests between them) against its floor: the same app.py checked by
// plain http.starts and http.requests sending about the same traffic, in
// the same run. The ratio is what reading and comparing the metrics
// costs. Needs Docker and the local images.
func BenchmarkMetricsCheck(b *testing.B) {
	bin := graderBinary(b)
	env := graderEnv(b.TempDir())
	metrics := solved(b, "prom-metrics")
	// The floor's catalog: the solution's app.py under the plain spec.
	cat := filepath.Join(b.TempDir(), "catalog")
	sol, err := os.ReadFile(filepath.Join(metrics, "app.py"))
	if err != nil {
		b.Fatal(err)
	}
	for name, body := range map[string]string{
		"prom-plain/exercise.yaml":   plainSpec,
		"prom-plain/instructions.md": "A benchmark floor.\n",
		"prom-plain/solution/app.py": string(sol),
	} {
		p := filepath.Join(cat, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	plain := filepath.Join(b.TempDir(), "prom-plain")
	timed(b, env, filepath.Dir(plain), bin, "--catalog", cat, "start", "prom-plain", plain)

	var tMetrics, tPlain time.Duration
	n := 0
	for b.Loop() {
		tMetrics += timed(b, env, metrics, bin, "check")
		tPlain += timed(b, env, plain, bin, "check")
		n++
	}
	b.ReportMetric(float64(tMetrics.Milliseconds())/float64(n), "prom-metrics-ms")
	b.ReportMetric(float64(tPlain.Milliseconds())/float64(n), "plain-http-ms")
	b.ReportMetric(float64(tMetrics)/float64(tPlain), "x-plain-http")
}
