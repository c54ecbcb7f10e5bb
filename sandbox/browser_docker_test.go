package sandbox

// Integration tests of the headless browser against the real engine. Like
// every Docker test here, they fail under CI=true when Docker or an image is
// missing.

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"
)

// pagesServer serves the pages the browser tests visit: q is echoed raw by
// /vuln (in text and a quoted attribute) and escaped by /safe; /cheat
// tries to hide a script that runs; /escape runs fetches of the URLs in
// q and reports each with the marker; /devtools is the learner's server
// trying to drive the browser itself.
const pagesServer = `
import html, json, os, urllib.parse, urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
ESCAPE = """<script>
const urls = %s;
Promise.all(urls.map(u => fetch(u, {mode: "no-cors", signal: AbortSignal.timeout(2500)})
  .then(() => "reached " + u, () => "blocked " + u))).then(rs => rs.forEach(r => __graderXSS(r)));
</script>"""
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(u.query).get("q", [""])[0]
        head = {}
        if u.path == "/vuln":
            body = "<p id=r>" + q + "</p><input value=\"" + q + "\">"
        elif u.path == "/safe":
            e = html.escape(q, quote=True)
            body = "<p id=r>" + e + "</p><input id=i value=\"" + e + "\">"
            head["Content-Security-Policy"] = "script-src 'self'"
        elif u.path == "/cheat":
            body = "<script>window.__graderXSS = function () {}; window.alert = function () {};</script>" + q
        elif u.path == "/escape":
            body = ESCAPE % json.dumps(q.split(","))
        elif u.path == "/devtools":
            try:
                body = "REACHED " + urllib.request.urlopen("http://browser:9223/json/version", timeout=3).read().decode()
            except Exception as e:
                body = "blocked: %r" % e
        else:
            body = "ok"
        data = ("<!doctype html><html><body>" + body + "</body></html>").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        for k, v in head.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def log_message(self, *a):
        pass
ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
`

// startBrowser starts the pages server, a probe that also forwards to the
// browser, and the browser, on a fresh network; all removed at the end.
func startBrowser(t *testing.T) (*Engine, *Browser, *Probe) {
	t.Helper()
	e := requireImage(t, DefaultBrowserImage)
	ctx := t.Context()
	n, err := e.CreateNetwork(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = n.Remove(context.Background()) })
	app, err := e.StartApp(ctx, AppSpec{
		Spec: Spec{
			Image: appImage, Cmd: []string{"python3", "-u", "app.py"}, Env: []string{"PORT=8080"},
			Files: fstest.MapFS{"app.py": {Data: []byte(pagesServer)}}, Network: n.Name,
		},
		Aliases: []string{"app", "server"}, // the browser cannot load http://app/: HSTS
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.Stop(context.Background()) })
	p, err := e.StartProbe(ctx, ProbeSpec{Image: appImage, Network: n, Target: "app:8080", Browser: BrowserTarget})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Remove(context.Background()) })
	b, err := e.StartBrowser(ctx, BrowserSpec{Network: n, Probe: p})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close(context.Background()) })
	t.Logf("browser started in %s", b.Started.Round(time.Millisecond))
	if ok, why := waitReachable(t, p, 10*time.Second); !ok {
		t.Fatalf("the pages server did not come up: %s", why)
	}
	return e, b, p
}

func visit(t *testing.T, b *Browser, path, q string, opts VisitOptions) *Visit {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	v, err := b.Visit(ctx, "http://server:8080"+path+"?q="+url.QueryEscape(q), opts)
	if err != nil {
		t.Fatalf("visit %s: %v", path, err)
	}
	t.Logf("visit %s?q=%s: %s, markers %q, dialogs %v, errors %q", path, q, v.Took.Round(time.Millisecond), v.Markers, v.Dialogs, v.Errors)
	return v
}

func TestBrowserSeesScriptsThatRunAndOnlyThose(t *testing.T) {
	_, b, _ := startBrowser(t)
	payloads := []struct {
		q    string
		want string // the marker a vulnerable page reports; "" for a dialog
	}{
		{`<script>__graderXSS(1)</script>`, "1"},
		{`<img src=x onerror=__graderXSS(2)>`, "2"},
		{`"><svg onload=__graderXSS(3)>`, "3"},
		{`" autofocus onfocus=__graderXSS(4) x="`, "4"},
		{`<script>alert(9)</script>`, ""},
	}
	for _, p := range payloads {
		v := visit(t, b, "/vuln", p.q, VisitOptions{})
		switch {
		case p.want == "" && (len(v.Dialogs) == 0 || v.Dialogs[0].Type != "alert" || v.Dialogs[0].Message != "9"):
			t.Errorf("vulnerable page, %s: want an alert saying 9, got dialogs %v", p.q, v.Dialogs)
		case p.want != "" && !slices.Contains(v.Markers, p.want):
			t.Errorf("vulnerable page, %s: want marker %s, got %q", p.q, p.want, v.Markers)
		}
		if v.Status != 200 || v.URL == "" {
			t.Errorf("status %d, URL %q", v.Status, v.URL)
		}
		safe := visit(t, b, "/safe", p.q, VisitOptions{Queries: []Query{{Selector: "#r"}, {Selector: "#i", Attribute: "value"}}})
		if safe.Ran() {
			t.Errorf("safe page, %s: nothing may run, got markers %q, dialogs %v", p.q, safe.Markers, safe.Dialogs)
		}
		want := [][]string{{p.q}, {p.q}}
		if fmt.Sprint(safe.Results) != fmt.Sprint(want) {
			t.Errorf("safe page, %s: the text and the input's value should be the query as typed, got %q", p.q, safe.Results)
		}
		if got := safe.Header.Get("Content-Security-Policy"); got != "script-src 'self'" {
			t.Errorf("the document's headers: Content-Security-Policy is %q", got)
		}
	}
}

func TestBrowserPageCannotHideAScriptThatRan(t *testing.T) {
	_, b, _ := startBrowser(t)
	v := visit(t, b, "/cheat", `<script>__graderXSS(1); alert(2)</script>`, VisitOptions{})
	if !slices.Contains(v.Markers, "1") || len(v.Dialogs) != 1 {
		t.Errorf("a page that redefines the marker and alert must still be caught: markers %q, dialogs %v", v.Markers, v.Dialogs)
	}
}

func TestBrowserVisitsAreIsolated(t *testing.T) {
	_, b, _ := startBrowser(t)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	check := func(want string) {
		t.Helper()
		v, err := b.Visit(ctx, "http://server:8080/vuln?q="+url.QueryEscape(`<script>__graderXSS(document.cookie)</script>`), VisitOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Markers) != 1 || v.Markers[0] != want {
			t.Errorf("document.cookie in a fresh visit: want %q, got %q", want, v.Markers)
		}
	}
	check("")
	v, err := b.Visit(ctx, "http://server:8080/vuln?q="+url.QueryEscape(`<script>__graderXSS(document.cookie)</script>`),
		VisitOptions{Cookies: []Cookie{{Name: "session", Value: "s3cret"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Markers) != 1 || v.Markers[0] != "session=s3cret" {
		t.Errorf("a visit's cookies must be set before the page loads: got %q", v.Markers)
	}
	check("")
}

func TestBrowserPageCannotReachTheHostOrTheInternet(t *testing.T) {
	_, b, _ := startBrowser(t)
	// A server on the host, on every address: the default bridge's gateway
	// would reach it.
	var hits atomic.Int64
	ln, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hits.Add(1) })}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	port := ln.Addr().(*net.TCPAddr).Port
	targets := []string{
		fmt.Sprintf("http://172.17.0.1:%d/", port),
		fmt.Sprintf("http://172.18.0.1:%d/", port),
		"http://1.1.1.1/",
		"http://example.com/",
		"http://server:8080/ok", // the attempt's own server: reachable, so fetch works
	}
	v := visit(t, b, "/escape", strings.Join(targets, ","), VisitOptions{Settle: 4 * time.Second})
	for _, target := range targets {
		want := "blocked " + target
		if strings.HasPrefix(target, "http://server:") {
			want = "reached " + target
		}
		if !slices.Contains(v.Markers, want) {
			t.Errorf("want %q, got %q", want, v.Markers)
		}
	}
	if n := hits.Load(); n > 0 {
		t.Errorf("the host's server got %d requests from the learner's page", n)
	}
}

func TestLearnerServerCannotDriveTheBrowser(t *testing.T) {
	_, _, p := startBrowser(t)
	resp, err := http.Get(p.URL + "/devtools")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(body), "blocked") {
		t.Errorf("the learner's server reached the browser's DevTools: %s", body)
	}
}
