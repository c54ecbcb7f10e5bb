package metrics

import (
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// mustParse reads a recorded exposition, as a server would send it.
func mustParse(t *testing.T, text string) families {
	t.Helper()
	h := http.Header{"Content-Type": {"text/plain; version=0.0.4; charset=utf-8"}}
	f, problem := parseExposition(h, []byte(text))
	if problem != "" {
		t.Fatalf("parse: %s", problem)
	}
	return f
}

func mustRead(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var allLabels = map[string]string{"method": "method", "path": "path", "status": "status"}

// The recorded scrapes: 7 GET /hello (200) and 3 GET /nope (404) between them.
var recorded = []batch{{method: "GET", path: "/hello", status: 200, n: 7}, {method: "GET", path: "/nope", status: 404, n: 3}}

func TestCounter(t *testing.T) {
	before, after := mustRead(t, "before.prom"), mustRead(t, "after.prom")
	spec := &SeriesSpec{Name: "http_requests_total", Labels: allLabels}
	tests := []struct {
		name    string
		after   string
		batches []batch
		want    string // "" passes; else a part of the message
	}{
		{"right", after, recorded, ""},
		{"one label set short", after, []batch{{method: "GET", path: "/hello", status: 200, n: 8}, recorded[1]}, `http_requests_total{method="GET",path="/hello",status="200"} rose by 7 after 8 GET /hello requests (answered 200): it must count each request exactly once`},
		{"never incremented", before, recorded, "rose by 0 after 7 GET /hello requests (answered 200): increment it in the handler"},
		{"a gauge", strings.ReplaceAll(after, "http_requests_total counter", "http_requests_total gauge"), recorded, "http_requests_total is a gauge (`# TYPE http_requests_total gauge`): declare it a counter"},
		{"untyped", strings.ReplaceAll(after, "# TYPE http_requests_total counter\n", ""), recorded, "has no `# TYPE` line, so Prometheus reads it as untyped"},
		{"no labels", "# TYPE http_requests_total counter\nhttp_requests_total 12\n", recorded, "no series of http_requests_total has a label `method`"},
		{"missing", "# TYPE other counter\nother 1\n", recorded, "/metrics has no metric http_requests_total (it has: other)"},
		{"without _total", "# TYPE http_requests counter\nhttp_requests 1\n", recorded, "rename http_requests to http_requests_total"},
		{"scrapes counted", after + `http_requests_total{method="GET",path="/metrics",status="200"} 1` + "\n", recorded, "rose by 11 in all, but grader sent 10 requests besides its scrapes of /metrics"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A family absent from the second scrape is absent from the first too.
			got := checkCounter(mustParse(t, before), mustParse(t, tt.after), spec, tt.batches, "/metrics", false)
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("checkCounter = %q, want %q", got, tt.want)
			}
		})
	}
	// Allowed to count the scrapes, the same counter passes.
	scraped := mustParse(t, after+`http_requests_total{method="GET",path="/metrics",status="200"} 1`+"\n")
	if got := checkCounter(mustParse(t, before), scraped, spec, recorded, "/metrics", true); got != "" {
		t.Errorf("with count_scrapes: %q, want a pass", got)
	}
}

func TestHistogram(t *testing.T) {
	before, after := mustRead(t, "before.prom"), mustRead(t, "after.prom")
	spec := &SeriesSpec{Name: "http_request_duration_seconds", Labels: allLabels}
	hello := []batch{recorded[0]}
	tests := []struct {
		name    string
		after   string
		elapsed time.Duration
		want    string
	}{
		{"right", after, time.Second, ""},
		{"sum in milliseconds", strings.Replace(after, "_sum{method=\"GET\",path=\"/hello\",status=\"200\"} 0.07", "_sum{method=\"GET\",path=\"/hello\",status=\"200\"} 58", 1), time.Second, "observe durations in seconds (not milliseconds)"},
		{"sum unchanged", strings.Replace(after, "} 0.07", "} 0.012", 1), time.Second, "_sum{method=\"GET\",path=\"/hello\",status=\"200\"} rose by 0 after 7 GET /hello requests"},
		{"not cumulative", strings.Replace(after, `le="0.1"} 8`, `le="0.1"} 1`, 1), time.Second, `the bucket le="0.1" holds 1 but the smaller le="0.005" holds 2. Buckets are cumulative`},
		{"+Inf not the count", strings.Replace(after, `le="+Inf"} 8`, `le="+Inf"} 9`, 1), time.Second, `the le="+Inf" bucket holds 9 but _count is 8`},
		{"no +Inf", strings.Replace(after, "http_request_duration_seconds_bucket{method=\"GET\",path=\"/hello\",status=\"200\",le=\"+Inf\"} 8\n", "", 1), time.Second, `has no le="+Inf" bucket`},
		{"count short", strings.Replace(after, "_count{method=\"GET\",path=\"/hello\",status=\"200\"} 8", "_count{method=\"GET\",path=\"/hello\",status=\"200\"} 1", 1), time.Second, `the le="+Inf" bucket holds 8 but _count is 1`},
		{"a summary", "# TYPE http_request_duration_seconds summary\nhttp_request_duration_seconds_sum 1\nhttp_request_duration_seconds_count 1\n", time.Second, "is a summary"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := checkHistogram(mustParse(t, before), mustParse(t, tt.after), spec, hello, tt.elapsed)
			want := tt.want
			if want == "" && got != "" || want != "" && !strings.Contains(got, want) {
				t.Errorf("checkHistogram = %q, want %q", got, want)
			}
		})
	}
}

func TestParseExposition(t *testing.T) {
	text := http.Header{"Content-Type": {"text/plain; version=0.0.4"}}
	tests := []struct {
		name   string
		header http.Header
		body   string
		want   string
	}{
		{"html", http.Header{"Content-Type": {"text/html; charset=utf-8"}}, "a 1\n", "it answered with text/html; charset=utf-8, which is not an exposition format"},
		{"no type", http.Header{}, "a 1\n", "it answered with no Content-Type"},
		{"bad line", text, "# TYPE a counter\na{x=\"1\" 1\n", "line 2: "},
		{"bad value", text, "a 1\nb one\n", "line 2: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := parseExposition(tt.header, []byte(tt.body))
			if !strings.Contains(got, tt.want) {
				t.Errorf("parseExposition = %q, want %q", got, tt.want)
			}
		})
	}
	// OpenMetrics, as prometheus_client sends it when asked, is read.
	om := http.Header{"Content-Type": {"application/openmetrics-text; version=1.0.0; charset=utf-8"}}
	f, problem := parseExposition(om, []byte("# TYPE a gauge\na 1\n# EOF\n"))
	if problem != "" || f["a"] == nil {
		t.Errorf("OpenMetrics: %q, %v", problem, f)
	}
}
