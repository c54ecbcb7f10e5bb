package browser

import (
	"context"
	"errors"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/backendroadmap/grader/graders/httpcheck"
	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox"
	"github.com/backendroadmap/grader/sandbox/attempt"
)

// fakeTarget is the learner's server: an httptest server that records what
// the store requests send.
type fakeTarget struct {
	url string
	mu  sync.Mutex
	got []string // the values stored, in order
}

func (t *fakeTarget) URL() string                                   { return t.url }
func (t *fakeTarget) Output() string                                { return "" }
func (t *fakeTarget) Exited(context.Context) string                 { return "" }
func (t *fakeTarget) Hooks(context.Context) ([]attempt.Hook, error) { return nil, nil }
func (t *fakeTarget) BrowserURL() string                            { return "http://server:8080" }

func (t *fakeTarget) last() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.got) == 0 {
		return ""
	}
	return t.got[len(t.got)-1]
}

// page is a fake learner's page: what a browser would make of value.
type page func(value string) *sandbox.Visit

// fakeBrowser renders a reflected value (the q parameter) or the last
// stored one with its page.
type fakeBrowser struct {
	t    *fakeTarget
	page page
	urls []string
}

func (b *fakeBrowser) Visit(_ context.Context, u string, opts sandbox.VisitOptions) (*sandbox.Visit, error) {
	b.urls = append(b.urls, u)
	parsed, err := url.Parse(u)
	if err != nil {
		return nil, err
	}
	value := parsed.Query().Get("q")
	if !parsed.Query().Has("q") {
		value = b.t.last()
	}
	v := b.page(value)
	if v.Status == 0 {
		v.Status = 200
	}
	if len(v.Results) == 0 {
		for range opts.Queries {
			v.Results = append(v.Results, []string{value})
		}
	}
	return v, nil
}

type fakeServers struct {
	t *fakeTarget
	b *fakeBrowser
}

func (s *fakeServers) Server(context.Context, runner.Attempt, attempt.Request) (httpcheck.Target, error) {
	return s.t, nil
}
func (s *fakeServers) Browser(context.Context, runner.Attempt) (Browser, error) { return s.b, nil }

// serve starts a learner's server that stores the form field "text" and
// answers 303, and a browser that shows values with p.
func serve(t *testing.T, p page) *fakeServers {
	t.Helper()
	tg := &fakeTarget{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.PostForm.Get("text") == "" {
			http.Error(w, "text is required", http.StatusBadRequest)
			return
		}
		tg.mu.Lock()
		tg.got = append(tg.got, r.PostForm.Get("text"))
		tg.mu.Unlock()
		http.Redirect(w, r, "/", http.StatusSeeOther)
	}))
	t.Cleanup(srv.Close)
	tg.url = srv.URL
	return &fakeServers{t: tg, b: &fakeBrowser{t: tg, page: p}}
}

// compile compiles a sec.xss check from YAML parameters.
func compile(t *testing.T, s Servers, with string) (runner.Checker, error) {
	t.Helper()
	return Kinds(s)["sec.xss"].Compile(runner.Params{
		Decode: func(v any) error {
			dec := yaml.NewDecoder(strings.NewReader(with))
			dec.KnownFields(true)
			return dec.Decode(v)
		},
	})
}

func MustCheck(t *testing.T, s Servers, with string) runner.Outcome {
	t.Helper()
	c, err := compile(t, s, with)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	a := runner.Attempt{Memo: &runner.Memo{}}
	if p, ok := c.(runner.Preparer); ok {
		if err := p.Prepare(t.Context(), a); err != nil {
			t.Fatalf("prepare: %v", err)
		}
	}
	return c.Check(t.Context(), a)
}

// vulnerable runs the marker of any payload with an event handler or a
// script element, as a page that echoes raw HTML would.
func vulnerable(value string) *sandbox.Visit {
	v := &sandbox.Visit{}
	for _, p := range payloads {
		if value == p.text && (strings.Contains(p.text, "onerror=") || strings.HasPrefix(p.text, "<script>")) {
			if strings.Contains(p.text, "alert(") {
				v.Dialogs = append(v.Dialogs, sandbox.Dialog{Type: "alert", Message: "9"})
			} else {
				v.Markers = append(v.Markers, strconv.Itoa(p.id))
			}
		}
	}
	return v
}

func safe(string) *sandbox.Visit { return &sandbox.Visit{} }

const reflected = `
points:
  - name: the search query
    path: "/search?q={{payload}}"
`

func TestReflectedScriptThatRunsFailsWithThePayloadAndALinkThatShowsIt(t *testing.T) {
	out := MustCheck(t, serve(t, vulnerable), reflected)
	if out.Status != runner.Fail {
		t.Fatalf("want fail, got %s: %s", out.Status, out.Message)
	}
	for _, want := range []string{
		"the search query",
		"called __graderXSS(1)",
		"<script>__graderXSS(1)</script>",
		"HTML text: a <script> element",
		"http://localhost:8080/search?q=%3Cscript%3Ealert%281%29%3C%2Fscript%3E",
	} {
		if !strings.Contains(out.Message, want) {
			t.Errorf("the message should hold %q:\n%s", want, out.Message)
		}
	}
}

func TestSafePagePassesAndEveryPayloadWasTried(t *testing.T) {
	s := serve(t, safe)
	out := MustCheck(t, s, reflected)
	if out.Status != runner.Pass {
		t.Fatalf("want pass, got %s: %s", out.Status, out.Message)
	}
	if len(s.b.urls) != len(payloads) {
		t.Errorf("want one visit per payload (%d), got %d", len(payloads), len(s.b.urls))
	}
	if !strings.HasPrefix(s.b.urls[0], "http://server:8080/search?q=") {
		t.Errorf("the browser must visit the server by its name on the network, got %s", s.b.urls[0])
	}
}

func TestDialogCounts(t *testing.T) {
	out := MustCheck(t, serve(t, func(v string) *sandbox.Visit {
		if strings.Contains(v, "alert(9)") {
			return &sandbox.Visit{Dialogs: []sandbox.Dialog{{Type: "alert", Message: "9"}}}
		}
		return &sandbox.Visit{}
	}), reflected)
	if out.Status != runner.Fail || !strings.Contains(out.Message, "opened an alert dialog") || !strings.Contains(out.Message, "alert(9)") {
		t.Fatalf("want a failure naming the dialog, got %s: %s", out.Status, out.Message)
	}
}

func TestStoredScriptFailsWithACurlThatStoresIt(t *testing.T) {
	out := MustCheck(t, serve(t, vulnerable), `
points:
  - name: a comment's text
    store:
      - {method: POST, path: /comments, form: {author: Mallory, text: "{{payload}}"}}
    path: /
`)
	if out.Status != runner.Fail {
		t.Fatalf("want fail, got %s: %s", out.Status, out.Message)
	}
	for _, want := range []string{
		"a comment's text",
		"curl -i -X POST 'http://localhost:",
		"text=%3Cscript%3Ealert%281%29%3C%2Fscript%3E",
		"and open http://localhost:",
	} {
		if !strings.Contains(out.Message, want) {
			t.Errorf("the message should hold %q:\n%s", want, out.Message)
		}
	}
}

func TestStoreRefusedFails(t *testing.T) {
	out := MustCheck(t, serve(t, safe), `
points:
  - name: a comment's author
    store:
      - {method: POST, path: /comments, form: {author: "{{payload}}"}}
    path: /
`)
	if out.Status != runner.Fail || !strings.Contains(out.Message, "was refused with 400") {
		t.Fatalf("a store request that is refused must fail and say so, got %s: %s", out.Status, out.Message)
	}
}

const textPoint = `
attacks: false
points:
  - name: a query with & and <
    path: "/search?q={{payload}}"
    sample: Tom & Jerry <3
    expect_text: [{selector: "#query"}]
`

func TestTextEscapedTwiceFailsAndSaysSo(t *testing.T) {
	out := MustCheck(t, serve(t, func(v string) *sandbox.Visit {
		return &sandbox.Visit{Results: [][]string{{html.EscapeString(v)}}}
	}), textPoint)
	if out.Status != runner.Fail || !strings.Contains(out.Message, "escaped twice") || !strings.Contains(out.Message, `"Tom &amp; Jerry &lt;3"`) {
		t.Fatalf("want a failure about double escaping, got %s: %s", out.Status, out.Message)
	}
}

func TestTextStrippedFailsAndSaysSo(t *testing.T) {
	out := MustCheck(t, serve(t, func(v string) *sandbox.Visit {
		return &sandbox.Visit{Results: [][]string{{strings.NewReplacer("<", "", ">", "", "&", "").Replace(v)}}}
	}), textPoint)
	if out.Status != runner.Fail || !strings.Contains(out.Message, "Characters were removed") {
		t.Fatalf("want a failure about removed characters, got %s: %s", out.Status, out.Message)
	}
}

func TestTextShownAsTypedPasses(t *testing.T) {
	s := serve(t, safe)
	out := MustCheck(t, s, textPoint)
	if out.Status != runner.Pass {
		t.Fatalf("want pass, got %s: %s", out.Status, out.Message)
	}
	if len(s.b.urls) != 1 || !strings.Contains(s.b.urls[0], "q=Tom+%26+Jerry+%3C3") {
		t.Errorf("attacks: false sends only the sample, URL-encoded: %q", s.b.urls)
	}
}

func TestCSP(t *testing.T) {
	for _, c := range []struct {
		header []string
		weak   bool
	}{
		{nil, true},
		{[]string{"script-src 'self'"}, false},
		{[]string{"default-src 'self'"}, false},
		{[]string{"default-src 'self' 'unsafe-inline'"}, true},
		{[]string{"script-src 'self' 'unsafe-inline'; default-src 'self'"}, true},
		{[]string{"script-src 'unsafe-inline' 'nonce-abc'"}, false},
		{[]string{"img-src 'self'"}, true},
		{[]string{"img-src 'self'", "script-src 'self'"}, false},
	} {
		if got := cspWeakness(c.header) != ""; got != c.weak {
			t.Errorf("CSP %q: weak = %v, want %v", c.header, got, c.weak)
		}
	}
	s := serve(t, func(string) *sandbox.Visit {
		return &sandbox.Visit{Header: http.Header{"Content-Security-Policy": {"script-src 'self' 'unsafe-inline'"}}}
	})
	out := MustCheck(t, s, "attacks: false\ncsp: true\n"+reflected)
	if out.Status != runner.Fail || !strings.Contains(out.Message, "allows inline scripts") {
		t.Fatalf("want a CSP failure, got %s: %s", out.Status, out.Message)
	}
}

func TestBadParametersAreTheAuthorsError(t *testing.T) {
	for _, c := range []struct{ with, field string }{
		{"points: []", "points"},
		{"points: [{path: /x}]", "points[0].name"},
		{"points: [{name: a, path: search}]", "points[0].path"},
		{"points: [{name: a, path: /search}]", "points[0].path"},
		{"points: [{name: a, path: '/?q={{payload}}', store: [{path: /c, form: {t: '{{payload}}'}}]}]", "points[0].path"},
		{"points: [{name: a, path: /, store: [{path: /c, form: {t: x}}]}]", "points[0].store"},
		{"points: [{name: a, path: /, store: [{method: post, path: /c, form: {t: '{{payload}}'}}]}]", "points[0].store[0].method"},
		{"points: [{name: a, path: /, store: [{path: /c, form: {t: '{{payload}}'}, json: {t: 1}}]}]", "points[0].store[0]"},
		{"points: [{name: a, path: '/?q={{payload}}', sample: x}]", "points[0].expect_text"},
		{"points: [{name: a, path: '/?q={{payload}}', expect_text: [{selector: p}]}]", "points[0].sample"},
		{"points: [{name: a, path: '/?q={{payload}}', sample: x, expect_text: [{contains: x}]}]", "points[0].expect_text[0].selector"},
		{"points: [{name: a, path: '/?q={{payload}}', sample: x, expect_text: [{selector: p, attribute: 'a b'}]}]", "points[0].expect_text[0].attribute"},
		{"attacks: false\npoints: [{name: a, path: '/?q={{payload}}'}]", "attacks"},
		{"points: [{name: a, path: '/?q={{payload}}'}, {name: a, path: '/?q={{payload}}'}]", "points[1].name"},
	} {
		_, err := compile(t, nil, c.with)
		var pe *runner.ParamError
		if !errors.As(err, &pe) || pe.Field != c.field {
			t.Errorf("%s: want a parameter error at %s, got %v", c.with, c.field, err)
		}
	}
	if _, err := compile(t, nil, "points: [{name: a, pth: /}]"); err == nil || !strings.Contains(err.Error(), "pth") {
		t.Errorf("an unknown field must be an error naming it, got %v", err)
	}
}

func TestEveryPayloadHasAnIDItsCodeUses(t *testing.T) {
	seen := map[int]bool{}
	for _, p := range payloads {
		if seen[p.id] {
			t.Errorf("payload id %d is used twice", p.id)
		}
		seen[p.id] = true
		call := sandbox.Marker + "(" + strconv.Itoa(p.id) + ")"
		if !strings.Contains(p.text, call) && !strings.Contains(p.text, "alert("+strconv.Itoa(p.id)+")") {
			t.Errorf("payload %d (%s) does not report its own id", p.id, p.text)
		}
		if got, ok := byID(strconv.Itoa(p.id)); !ok || got.text != p.text {
			t.Errorf("byID(%d) = %v", p.id, got)
		}
	}
}

// hangingBrowser never finishes a page load, as a page whose script loops.
type hangingBrowser struct{}

func (hangingBrowser) Visit(ctx context.Context, _ string, _ sandbox.VisitOptions) (*sandbox.Visit, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestPageThatNeverLoadsIsTheLearnersFailure(t *testing.T) {
	s := serve(t, safe)
	c, err := compile(t, &hangServers{s}, reflected)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	out := c.Check(ctx, runner.Attempt{Memo: &runner.Memo{}})
	if out.Status != runner.Fail || !strings.Contains(out.Message, "did not finish loading /search?q=") {
		t.Fatalf("want a failure naming the page, got %s: %s", out.Status, out.Message)
	}
}

type hangServers struct{ *fakeServers }

func (hangServers) Browser(context.Context, runner.Attempt) (Browser, error) {
	return hangingBrowser{}, nil
}
