package metrics

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/runner/runnertest"
)

// goodMetrics counts requests as the exercise asks: by method, path and
// status, never the scrapes; wrong, when set, rewrites the text it sends.
type goodMetrics struct {
	mu    sync.Mutex
	count map[string]int
	wrong func(string) string
}

func (m *goodMetrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/metrics" {
		m.mu.Lock()
		var b strings.Builder
		b.WriteString("# TYPE http_requests_total counter\n")
		for k, n := range m.count {
			fmt.Fprintf(&b, "http_requests_total{%s} %d\n", k, n)
		}
		m.mu.Unlock()
		text := b.String()
		if m.wrong != nil {
			text = m.wrong(text)
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		fmt.Fprint(w, text)
		return
	}
	status := http.StatusOK
	if r.URL.Path != "/hello" {
		status = http.StatusNotFound
	}
	m.mu.Lock()
	if m.count == nil {
		m.count = map[string]int{}
	}
	m.count[fmt.Sprintf("method=%q,path=%q,status=\"%d\"", r.Method, r.URL.Path, status)]++
	m.mu.Unlock()
	w.WriteHeader(status)
}

const counterWith = `{requests: [{path: /hello}, {method: post, path: /gone}], counter: {name: http_requests_total, labels: {method: method, path: path, status: status}}}`

// TestScrape: the counter must rise by exactly what grader sent, for each
// label set; a counter that ignores some requests, or the whole metrics
// path, fails with what to change.
func TestScrape(t *testing.T) {
	good := mustCompile(t, Kinds(serve(t, &goodMetrics{})), "metrics.scrape", counterWith)
	for range 3 { // grader draws its counts anew each time
		runnertest.Want(t, "good", check(t, good, t.TempDir()), runner.Pass, "http_requests_total counted grader's", "GET /hello requests (answered 200)", "POST /gone request")
	}

	// Each POST counted twice.
	double := &goodMetrics{}
	twice := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			double.ServeHTTP(httptestRecorder{}, r)
		}
		double.ServeHTTP(w, r)
	})
	c := mustCompile(t, Kinds(serve(t, twice)), "metrics.scrape", counterWith)
	runnertest.Want(t, "double", check(t, c, t.TempDir()), runner.Fail, `http_requests_total{method="POST",path="/gone",status="404"} rose by`, "it must count each request exactly once", "(grader scraped /metrics, sent")

	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(http.ResponseWriter, *http.Request) {})
	c = mustCompile(t, Kinds(serve(t, mux)), "metrics.scrape", counterWith)
	runnertest.Want(t, "no /metrics", check(t, c, t.TempDir()), runner.Fail, "/metrics answered 404, not 200: serve the metrics at GET /metrics", "curl -i 'http://localhost:8080/metrics'")

	broken := &goodMetrics{wrong: func(s string) string { return s + "http_requests_total{method=\"GET\" 1\n" }}
	c = mustCompile(t, Kinds(serve(t, broken)), "metrics.scrape", counterWith)
	runnertest.Want(t, "malformed", check(t, c, t.TempDir()), runner.Fail, "its body is not a valid exposition", "line ")
}

// httptestRecorder swallows an answer.
type httptestRecorder struct{}

func (httptestRecorder) Header() http.Header         { return http.Header{} }
func (httptestRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (httptestRecorder) WriteHeader(int)             {}

// TestScrapeParams: the author's mistakes are reported at their field.
func TestScrapeParams(t *testing.T) {
	ks := Kinds(nil)
	for with, field := range map[string]string{
		`{counter: {name: x}}`:                                              "requests",
		`{requests: [{path: /a}]}`:                                          "counter",
		`{requests: [{path: a}], counter: {name: x}}`:                       "requests[0].path",
		`{requests: [{path: /metrics}], counter: {name: x}}`:                "requests[0].path",
		`{requests: [{path: /a}], counter: {labels: {m: method}}}`:          "counter.name",
		`{requests: [{path: /a}], histogram: {name: h, labels: {m: verb}}}`: "histogram.labels.m",
		`{path: metrics, requests: [{path: /a}], counter: {name: x}}`:       "path",
	} {
		_, err := compile(t, ks, "metrics.scrape", with)
		var pe *runner.ParamError
		if !errorsAs(err, &pe) || pe.Field != field {
			t.Errorf("%s: %v, want a problem at %s", with, err, field)
		}
	}
}
