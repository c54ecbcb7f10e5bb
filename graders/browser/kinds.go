package browser

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/backendroadmap/grader/graders/httpcheck"
	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox"
	"github.com/backendroadmap/grader/sandbox/attempt"
)

// Browser loads pages as a user's browser would; *sandbox.Browser is one.
type Browser interface {
	Visit(ctx context.Context, url string, opts sandbox.VisitOptions) (*sandbox.Visit, error)
}

// Servers gives the checks the attempt's server (as the HTTP kinds get it)
// and the attempt's browser, on the server's network. The server's Target
// must also have BrowserURL, the server's base URL as the browser reaches
// it (*attempt.Server has).
type Servers interface {
	httpcheck.Servers
	Browser(ctx context.Context, a runner.Attempt) (Browser, error)
}

// browserURLer is the part of a target the browser kinds add.
type browserURLer interface{ BrowserURL() string }

var _ browserURLer = (*attempt.Server)(nil)

// Kinds returns the browser kinds of check, keyed by the name an exercise
// spec uses. servers is called only when a check runs, so loading a
// catalog needs no Docker and servers may be nil for a caller that only
// compiles.
func Kinds(servers Servers) runner.Kinds {
	k := &kinds{servers: servers}
	return runner.Kinds{"sec.xss": runner.DecodesItself[xssParams](k.compileXSS)}
}

type kinds struct{ servers Servers }

// xssCheck is a compiled sec.xss.
type xssCheck struct {
	srv     *httpcheck.ServerPlan
	points  []point
	csp     bool
	attacks bool
	hidden  bool
}

func (k *kinds) compileXSS(p runner.Params) (runner.Checker, error) {
	var prm xssParams
	s, err := httpcheck.CompileServer(p, &prm)
	if err != nil {
		return nil, err
	}
	pts, err := compilePoints(prm.Points)
	if err != nil {
		return nil, err
	}
	c := &xssCheck{srv: s, points: pts, csp: prm.CSP, attacks: prm.Attacks == nil || *prm.Attacks, hidden: p.Hidden}
	if !c.attacks && !c.csp && !slices.ContainsFunc(pts, func(p point) bool { return p.sample != "" }) {
		return nil, paramErr("attacks", "is false, and no point has a sample and there is no csp: the check would judge nothing")
	}
	return k.checker(c), nil
}

// env is what one run of a check reaches.
type env struct {
	t       httpcheck.Target
	b       Browser
	base    string // the server's URL as the browser reaches it
	command string
	port    int
}

type envKey struct{}

// checker gets the server and the browser in Setup (their start is not
// the learner's time) and judges in Run.
func (k *kinds) checker(c *xssCheck) runner.Checker {
	target := c.srv.Target(k.servers, false)
	get := func(ctx context.Context, a runner.Attempt) (*env, error) {
		v, err := a.Memo.Do(envKey{}, func() (any, error) {
			if k.servers == nil {
				return nil, errors.New("browser: no server provider (Kinds was given nil)")
			}
			t, err := target(ctx, a)
			if err != nil {
				return nil, err
			}
			bu, ok := t.(browserURLer)
			if !ok {
				return nil, errors.New("browser: the server provider's target has no BrowserURL")
			}
			b, err := k.servers.Browser(ctx, a)
			if err != nil {
				return nil, err
			}
			return &env{t: t, b: b, base: strings.TrimRight(bu.BrowserURL(), "/"), command: c.srv.Command(), port: c.srv.Port()}, nil
		})
		if err != nil {
			return nil, err
		}
		return v.(*env), nil
	}
	return runner.Using(get, func(ctx context.Context, _ runner.Attempt, e *env) runner.Outcome { return c.run(ctx, e) })
}

// run tries every point: the sample first (a page that does not show the
// real text is broken, whatever else it does), then every payload, then
// the CSP.
func (c *xssCheck) run(ctx context.Context, e *env) runner.Outcome {
	tried := 0
	var csp http.Header
	for _, p := range c.points {
		if p.sample != "" {
			v, out := c.load(ctx, e, p, p.sample, p.queries())
			if out != nil {
				return *out
			}
			if out := c.judgeText(e, p, v); out != nil {
				return *out
			}
			if csp == nil {
				csp = v.Header
			}
		}
		if !c.attacks {
			continue
		}
		for _, pl := range payloads {
			v, out := c.load(ctx, e, p, pl.text, nil)
			if out != nil {
				return *out
			}
			if csp == nil {
				csp = v.Header
			}
			if v.Ran() {
				return c.ran(e, p, pl, v)
			}
			tried++
		}
	}
	if c.csp && csp == nil { // no visit yet: load the first point's page once
		v, out := c.load(ctx, e, c.points[0], "grader", nil)
		if out != nil {
			return *out
		}
		csp = v.Header
	}
	if c.csp {
		if why := cspWeakness(csp.Values("Content-Security-Policy")); why != "" {
			return runner.Failed("The page's Content-Security-Policy %s. "+
				"A policy such as `Content-Security-Policy: script-src 'self'` makes the browser refuse every inline script, a second line of defence if one value is ever left unescaped.", why)
		}
	}
	var parts []string
	if c.attacks {
		parts = append(parts, fmt.Sprintf("none of %d attack payloads ran in a real browser", tried))
	}
	if n := len(slices.DeleteFunc(slices.Clone(c.points), func(p point) bool { return p.sample == "" })); n > 0 {
		parts = append(parts, "the pages show the real text as it was typed")
	}
	if c.csp {
		parts = append(parts, "the Content-Security-Policy forbids inline scripts")
	}
	msg := strings.Join(parts, "; ")
	return runner.Passed(msg)
}

// queries are what the point's expect_text reads.
func (p point) queries() []sandbox.Query {
	qs := make([]sandbox.Query, len(p.texts))
	for i, t := range p.texts {
		qs[i] = sandbox.Query{Selector: t.Selector, Attribute: t.Attribute}
	}
	return qs
}

// load sends value to the point (stores it, or puts it in the URL) and
// loads the page in the browser. A non-nil outcome ends the check.
func (c *xssCheck) load(ctx context.Context, e *env, p point, value string, qs []sandbox.Query) (*sandbox.Visit, *runner.Outcome) {
	for i, r := range p.store {
		if out := c.store(ctx, e, p, i, r, value); out != nil {
			return nil, out
		}
	}
	target := e.base + p.pagePath(value)
	vctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := e.b.Visit(vctx, target, sandbox.VisitOptions{Queries: qs})
	if err != nil {
		if vctx.Err() != nil { // the page's time or the check's: the learner's either way
			out := runner.Failed("The browser did not finish loading %s (%s) in time. A page that takes this long, or never finishes loading (a script that loops), is the first thing to fix.\nTry it: start your server (%s) and open\n    %s",
				p.pagePath(value), p.name, e.command, c.local(e, p.pagePath(value)))
			return nil, &out
		}
		out := runner.Errored(err)
		return nil, &out
	}
	if how := httpcheck.Died(ctx, e.t); how != "" {
		out := runner.Failed("%s", how)
		return nil, &out
	}
	if v.LoadError != "" || v.Status >= 400 {
		what := v.LoadError
		if what == "" {
			what = fmt.Sprintf("your server answered %d", v.Status)
		}
		out := runner.Failed("The browser could not show %s (%s): %s. The page must load for any text a user sends, including %s.\nTry it: start your server (%s) and open\n    %s",
			p.pagePath(value), p.name, what, quote(value), e.command, c.local(e, p.pagePath(value)))
		return nil, &out
	}
	return v, nil
}

// pagePath is the page to visit, with value in place for a reflected point.
func (p point) pagePath(value string) string {
	if !p.reflects {
		return p.path
	}
	i := strings.Index(p.path, Placeholder)
	esc := url.PathEscape(value)
	if q := strings.IndexByte(p.path, '?'); q >= 0 && q < i {
		esc = url.QueryEscape(value)
	}
	return p.path[:i] + esc + p.path[i+len(Placeholder):]
}

// store sends store request i with value in place.
func (c *xssCheck) store(ctx context.Context, e *env, p point, i int, r request, value string) *runner.Outcome {
	method, path, body, header := r.fill(value)
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, method, e.t.URL()+path, strings.NewReader(body))
	if err != nil {
		out := runner.Errored(err)
		return &out
	}
	req.Header = header
	resp, err := client.Do(req)
	fail := func(format string, args ...any) *runner.Outcome {
		msg := fmt.Sprintf("Request %d of %s (%s, %s) ", i+1, p.name, r.name, method+" "+path) + fmt.Sprintf(format, args...)
		msg += fmt.Sprintf("\nTry it: start your server (%s) and send\n    %s", e.command, curl(e.port, method, path, header, body))
		if how := httpcheck.Died(ctx, e.t); how != "" {
			msg += "\n" + how
		}
		out := runner.Failed("%s", msg)
		return &out
	}
	if err != nil {
		return fail("got no answer: %v.", unwrap(err))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 400 {
		return fail("was refused with %s while it stored %s. Text with <, & or quotes is what users type: store it as it is, and escape it where a page shows it.",
			resp.Status, quote(value))
	}
	return nil
}

// fill puts value in the request's placeholders: URL-escaped in the path,
// JSON-escaped in a JSON body, form-encoded in a form.
func (r request) fill(value string) (method, path, body string, h http.Header) {
	path = r.path
	if i := strings.Index(path, Placeholder); i >= 0 {
		esc := url.PathEscape(value)
		if q := strings.IndexByte(path, '?'); q >= 0 && q < i {
			esc = url.QueryEscape(value)
		}
		path = strings.ReplaceAll(path, Placeholder, esc)
	}
	switch {
	case r.json:
		b, _ := json.Marshal(value)
		body = strings.ReplaceAll(r.body, Placeholder, string(b[1:len(b)-1]))
	case r.form != nil:
		vs := url.Values{}
		for _, kv := range r.form {
			vs.Add(kv[0], strings.ReplaceAll(kv[1], Placeholder, value))
		}
		body = vs.Encode()
	default:
		body = strings.ReplaceAll(r.body, Placeholder, value)
	}
	h = http.Header{}
	if r.contentType != "" {
		h.Set("Content-Type", r.contentType)
	}
	for k, v := range r.headers {
		h.Set(k, strings.ReplaceAll(v, Placeholder, value))
	}
	return r.method, path, body, h
}

// ran is the failure for a payload whose script ran: what was sent,
// where, the context it broke out of, and how to see it by hand.
func (c *xssCheck) ran(e *env, p point, sent payload, v *sandbox.Visit) runner.Outcome {
	var ids []string
	ids = append(ids, v.Markers...)
	for _, d := range v.Dialogs {
		ids = append(ids, d.Message)
	}
	got := sent
	for _, id := range ids {
		if pl, ok := byID(id); ok {
			got = pl
			if pl.id == sent.id {
				break
			}
		}
	}
	how := fmt.Sprintf("called %s(%d)", sandbox.Marker, got.id)
	if len(v.Markers) == 0 && len(v.Dialogs) > 0 {
		how = fmt.Sprintf("opened an %s dialog", v.Dialogs[0].Type)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "A script injected through %s ran in a real browser: the page %s.\n", p.name, how)
	fmt.Fprintf(&b, "The payload:\n    %s\nbroke out of %s.\n", got.text, got.context)
	if got.id != sent.id {
		fmt.Fprintf(&b, "(It was stored earlier; the page shows it still, next to the payload %s.)\n", sent.text)
	}
	fmt.Fprintf(&b, "Try it: start your server (%s), then ", e.command)
	local := c.local(e, p.pagePath(got.visible()))
	if p.reflects {
		fmt.Fprintf(&b, "open\n    %s\nin a browser: an alert shows the script ran.", local)
	} else {
		b.WriteString("send")
		for _, r := range p.store {
			method, path, body, header := r.fill(got.visible())
			fmt.Fprintf(&b, "\n    %s", curl(e.port, method, path, header, body))
		}
		fmt.Fprintf(&b, "\nand open %s in a browser: an alert shows the script ran.", local)
	}
	b.WriteString("\nEscape every value for the place it goes: HTML-escape text and attribute values (quotes included), and encode values put in a script as JSON; an allow-list or a filter of \"<script\" is not a fix.")
	return runner.Failed("%s", b.String())
}

// judgeText fails a page that does not show the sample as a user typed it.
func (c *xssCheck) judgeText(e *env, p point, v *sandbox.Visit) *runner.Outcome {
	for i, t := range p.texts {
		found := v.Results[i]
		ok := false
		for _, s := range found {
			if strings.Contains(s, t.Contains) {
				ok = true
				break
			}
		}
		if ok {
			continue
		}
		what := "text"
		if t.Attribute != "" {
			what = "attribute " + t.Attribute
		}
		var msg string
		switch {
		case len(found) == 0:
			msg = fmt.Sprintf("After sending %s through %s, the page has no element matching %s.", quote(p.sample), p.name, t.Selector)
		case c.hidden:
			msg = fmt.Sprintf("After sending %s through %s, no %s element's %s is what this check expects: the page changed the text.", quote(p.sample), p.name, t.Selector, what)
		default:
			shown := make([]string, 0, len(found))
			for _, s := range found[:min(len(found), 5)] {
				shown = append(shown, quote(strings.TrimSpace(s)))
			}
			msg = fmt.Sprintf("After sending %s through %s, the page should show %s in %s (its %s), but shows %s.",
				quote(p.sample), p.name, quote(t.Contains), t.Selector, what, strings.Join(shown, ", "))
			if hint := textHint(t.Contains, found); hint != "" {
				msg += " " + hint
			}
		}
		msg += fmt.Sprintf("\nTry it: start your server (%s) and open %s.", e.command, c.local(e, p.pagePath(p.sample)))
		out := runner.Failed("%s", msg)
		return &out
	}
	return nil
}

// textHint names the usual way a fix breaks the text.
func textHint(want string, got []string) string {
	for _, s := range got {
		switch {
		case strings.Contains(s, "&amp;") || strings.Contains(s, "&lt;") || strings.Contains(s, "&quot;") || strings.Contains(s, "&#"):
			return "It was escaped twice (or escaped where it is not HTML, like inside a <script>): a browser decodes one level of escaping, so the user sees the entities. Escape once, where the value goes into the page."
		case strings.ContainsAny(want, "<>&\"'") && !strings.ContainsAny(s, "<>&\"'") && s != "":
			return "Characters were removed: users may type <, & and quotes, and must see them. Escape them instead."
		}
	}
	return ""
}

// cspWeakness says what is wrong with a page's CSP for inline scripts, or
// "" when it forbids them.
func cspWeakness(policies []string) string {
	if len(policies) == 0 {
		return "is missing"
	}
	for _, policy := range policies {
		dirs := map[string][]string{}
		for d := range strings.SplitSeq(policy, ";") {
			f := strings.Fields(strings.ToLower(d))
			if len(f) > 0 {
				if _, seen := dirs[f[0]]; !seen {
					dirs[f[0]] = f[1:]
				}
			}
		}
		src, ok := dirs["script-src"]
		if !ok {
			src, ok = dirs["default-src"]
		}
		if !ok {
			continue
		}
		inline, keyed := false, false
		for _, s := range src {
			switch {
			case s == "'unsafe-inline'":
				inline = true
			case strings.HasPrefix(s, "'nonce-"), strings.HasPrefix(s, "'sha256-"), strings.HasPrefix(s, "'sha384-"), strings.HasPrefix(s, "'sha512-"):
				keyed = true // a browser then ignores 'unsafe-inline'
			}
		}
		if !inline || keyed {
			return ""
		}
	}
	return fmt.Sprintf("allows inline scripts (%q has no script-src or default-src without 'unsafe-inline')", strings.Join(policies, ", "))
}

// local is a page's URL on the learner's own server started by hand.
func (c *xssCheck) local(e *env, path string) string {
	return fmt.Sprintf("http://localhost:%d%s", e.port, path)
}

// client sends store requests: no redirects followed, no proxy.
var client = &http.Client{
	Transport: &http.Transport{Proxy: nil, DisableCompression: true},
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

// curl is a shell command that sends the same request to localhost.
func curl(port int, method, path string, h http.Header, body string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "curl -i -X %s %s", method, shellQuote(fmt.Sprintf("http://localhost:%d%s", port, path)))
	for k, vs := range h {
		for _, v := range vs {
			fmt.Fprintf(&b, " -H %s", shellQuote(k+": "+v))
		}
	}
	if body != "" {
		fmt.Fprintf(&b, " --data-raw %s", shellQuote(body))
	}
	return b.String()
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// quote shows a value in a message, as a JSON string (quotes escaped,
// < and & as they are).
func quote(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// unwrap drops url.Error's wrapping, which repeats the URL.
func unwrap(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
