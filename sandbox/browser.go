package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/remote"
	"github.com/moby/moby/api/types/container"
	networktypes "github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
)

// DefaultBrowserImage is the image a browser runs when [BrowserSpec.Image]
// is empty: the headless Chromium that chromedp's authors publish, which
// the image map sends to the local build (sandbox/images/browser).
const DefaultBrowserImage = "chromedp/headless-shell:latest"

// The browser's place on an attempt's network: the name and port that
// [ProbeSpec.Browser] forwards to.
const (
	BrowserAlias = "browser"
	BrowserPort  = 9223
	// BrowserTarget is BrowserAlias:BrowserPort, for [ProbeSpec.Browser].
	BrowserTarget = "browser:9223"
)

// Marker is the JavaScript function every page a [Browser] visits has: a
// call to it (Marker + "(3)") is reported in [Visit.Markers]. It is how an
// injected script proves it ran, without a dialog a learner must close.
const Marker = "__graderXSS"

// Browser limits: Chromium's processes and threads count against pids, and
// its shared memory (on /tmp, see sandbox/images/browser) against memory.
const (
	browserMemory = 1 * GiB
	browserPids   = 512
	browserTmp    = 256 * MiB
	// browserStart bounds the wait for DevTools to answer.
	browserStart = 30 * time.Second
	// DefaultSettle is how long a visit waits after the load event for what
	// a page runs later (autofocus, timers, onload handlers).
	DefaultSettle = 300 * time.Millisecond
)

// BrowserSpec is a headless browser on an attempt's network, for checks
// that must see what a learner's pages do in a real browser (scripts that
// run, text as a user reads it).
type BrowserSpec struct {
	// Image runs Chromium (default [DefaultBrowserImage]).
	Image string
	// Network is the attempt's private network: the browser joins it and
	// nothing else, so a learner's script running in it reaches the
	// attempt's own containers and not the host or the internet.
	Network *Network
	// Probe is the attempt's probe, started with [ProbeSpec.Browser] set to
	// [BrowserTarget]: grader reaches DevTools through it, and the browser
	// accepts DevTools connections from it alone.
	Probe *Probe
}

// Browser is a started [BrowserSpec]. Visits may run one at a time or in
// parallel: each has a browser context (an incognito profile) of its own.
type Browser struct {
	// Started is how long the browser took to start and answer DevTools.
	Started time.Duration

	e         *Engine
	id        string
	ctx       context.Context // the browser connection
	cancel    func()
	closeOnce sync.Once
	closeErr  error
}

// StartBrowser starts headless Chromium in a hardened container on
// s.Network and connects to it through s.Probe. The container runs as a
// non-root user, with a read-only root, no capabilities, no new
// privileges, limits on memory, processes and CPU, and a tmpfs /tmp; it
// carries the sandbox's labels (`grader gc` sweeps it) and is removed by
// [Browser.Close] or [Engine.Close]. Chromium's own sandbox is off (it
// needs privileges the container does not have): the container is the
// sandbox.
func (e *Engine) StartBrowser(ctx context.Context, s BrowserSpec) (*Browser, error) {
	if s.Network == nil || s.Probe == nil || s.Probe.BrowserAddr == "" {
		return nil, invalidf("a browser needs a network and a probe that forwards to it (ProbeSpec.Browser)")
	}
	start := time.Now()
	asked := s.Image
	if asked == "" {
		asked = DefaultBrowserImage
	}
	ref := e.Images.Resolve(asked)
	if err := e.ensureImage(ctx, asked, ref); err != nil {
		return nil, err
	}
	probeIP, err := e.addressOn(ctx, s.Probe.svc.ID, s.Network)
	if err != nil {
		return nil, err
	}
	labels := e.labels()
	labels[LabelService] = "browser"
	pids := int64(browserPids)
	hc := &container.HostConfig{
		NetworkMode:    container.NetworkMode(s.Network.Name),
		ReadonlyRootfs: true,
		CapDrop:        []string{"ALL"},
		SecurityOpt:    []string{"no-new-privileges"},
		Init:           ptr(true),
		Tmpfs:          map[string]string{"/tmp": fmt.Sprintf("rw,nosuid,nodev,size=%d,mode=1777", browserTmp)},
		LogConfig:      container.LogConfig{Type: "json-file", Config: map[string]string{"max-size": "1m", "max-file": "1"}},
		Resources: container.Resources{
			Memory:     browserMemory,
			MemorySwap: browserMemory,
			NanoCPUs:   1e9,
			PidsLimit:  &pids,
			Ulimits: []*container.Ulimit{
				{Name: "nofile", Soft: 8192, Hard: 8192},
				{Name: "core", Soft: 0, Hard: 0},
			},
		},
	}
	cfg := &container.Config{
		Image:      ref,
		User:       "10001:10001",
		Env:        []string{"ALLOW=" + probeIP.String() + "/32", "DEVTOOLS_PORT=" + strconv.Itoa(BrowserPort)},
		Hostname:   BrowserAlias,
		Labels:     labels,
		StopSignal: "SIGKILL",
	}
	nc := &networktypes.NetworkingConfig{EndpointsConfig: map[string]*networktypes.EndpointSettings{
		s.Network.Name: {Aliases: []string{BrowserAlias}},
	}}
	cctx, cancel := creating(ctx)
	defer cancel()
	created, err := e.api.ContainerCreate(cctx, client.ContainerCreateOptions{Config: cfg, HostConfig: hc, NetworkingConfig: nc, Name: "grader-browser-" + randomHex(6)})
	b := &Browser{e: e, id: created.ID, cancel: func() {}}
	if b.id != "" && !e.track("container", b.id) {
		_ = b.Close(ctx)
		return nil, errors.New("sandbox engine is closed")
	}
	fail := func(err error) (*Browser, error) {
		_ = b.Close(ctx)
		return nil, err
	}
	if err != nil {
		return fail(e.engineErr("create the browser container from "+ref, err))
	}
	if _, err := e.api.ContainerStart(ctx, b.id, client.ContainerStartOptions{}); err != nil {
		return fail(e.engineErr("start the browser container from "+ref, err))
	}
	if err := b.waitDevTools(ctx, s.Probe.BrowserAddr); err != nil {
		return fail(err)
	}
	// The connection lives as long as the browser, not the caller's ctx.
	alloc, cancelAlloc := remote.NewAllocator(context.Background(), "http://"+s.Probe.BrowserAddr)
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	b.ctx = bctx
	b.cancel = func() { cancelBrowser(); cancelAlloc() }
	connected := make(chan error, 1)
	go func() { connected <- chromedp.Do(bctx) }()
	select {
	case err := <-connected:
		if err != nil {
			return fail(fmt.Errorf("connect to the browser's DevTools: %w", err))
		}
	case <-ctx.Done():
		return fail(ctx.Err())
	}
	b.Started = time.Since(start)
	return b, nil
}

// addressOn returns the container's address on n.
func (e *Engine) addressOn(ctx context.Context, id string, n *Network) (netip.Addr, error) {
	in, err := e.api.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		return netip.Addr{}, e.engineErr("inspect "+short(id), err)
	}
	if ns := in.Container.NetworkSettings; ns != nil {
		if ep := ns.Networks[n.Name]; ep != nil && ep.IPAddress.IsValid() {
			return ep.IPAddress, nil
		}
	}
	return netip.Addr{}, fmt.Errorf("container %s has no address on the attempt's network", short(id))
}

// waitDevTools polls /json/version through the probe until Chromium
// answers, the container dies, or browserStart passes.
func (b *Browser) waitDevTools(ctx context.Context, addr string) error {
	hc := &http.Client{Timeout: 2 * time.Second}
	return b.service().Await(ctx, "the browser", 50*time.Millisecond, browserStart, func() error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/json/version", nil)
		if err != nil {
			return err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var v struct{ WebSocketDebuggerURL string }
		if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&v); err != nil {
			return err
		}
		if v.WebSocketDebuggerURL == "" {
			return errors.New("its DevTools answered with no webSocketDebuggerUrl")
		}
		return nil
	})
}

// service is the browser's container as a [Service], for its readiness
// wait.
func (b *Browser) service() *Service { return &Service{ID: b.id, e: b.e} }

// Close disconnects and removes the browser's container. It is safe to
// call more than once and with a cancelled context.
func (b *Browser) Close(ctx context.Context) error {
	b.closeOnce.Do(func() {
		b.cancel()
		if b.id != "" {
			b.closeErr = b.e.remove(ctx, resource{"container", b.id})
		}
	})
	return b.closeErr
}

// Cookie is set in a visit's fresh profile before the page loads: a
// session, for a page only a signed-in user sees.
type Cookie struct {
	Name, Value string
}

// Query reads elements of the loaded page: the text of every element that
// matches Selector (a CSS selector), or, with Attribute, that attribute's
// value as the browser decoded it ("" when absent).
type Query struct {
	Selector  string
	Attribute string
}

// VisitOptions shape a [Browser.Visit].
type VisitOptions struct {
	// Cookies are set for the URL before it loads.
	Cookies []Cookie
	// Settle is how long to wait after the load event (0: [DefaultSettle]).
	Settle time.Duration
	// Queries are read once the page settled, in a JavaScript world of
	// grader's own: the page's scripts cannot change what they return.
	Queries []Query
}

// Dialog is a JavaScript dialog a page opened. Every dialog is dismissed
// at once, so a page never hangs on one.
type Dialog struct {
	Type    string // alert, confirm, prompt or beforeunload
	Message string
}

// Visit is what happened when a page loaded in the browser.
type Visit struct {
	// URL is where the page ended, after redirects; Status and Header are
	// the HTTP answer of the document (Status 0 when the load failed).
	URL    string
	Status int
	Header http.Header
	// LoadError is the browser's reason a page did not load
	// (net::ERR_CONNECTION_REFUSED), "" when it did.
	LoadError string
	// Dialogs are the dialogs the page opened, in order.
	Dialogs []Dialog
	// Markers are the arguments of every call of [Marker], as text, in
	// order.
	Markers []string
	// Errors are the page's console errors and uncaught exceptions (up to
	// 20), which say why a script failed.
	Errors []string
	// Results holds, for each of VisitOptions.Queries in order, what it
	// read from every matching element.
	Results [][]string
	// Took is how long the visit took.
	Took time.Duration
}

// Ran reports whether a script proved it ran: a marker call or a dialog.
func (v *Visit) Ran() bool { return len(v.Markers) > 0 || len(v.Dialogs) > 0 }

// binding is the DevTools binding behind [Marker]; guardScript wraps it.
const binding = "__graderXSSBinding"

// guardScript runs in every document before the page's own scripts. It
// defines [Marker] (a binding takes exactly one string, so the wrapper
// turns any argument into text) and makes it and the dialog functions
// unchangeable, so a page cannot hide a script that ran by redefining
// them.
const guardScript = `(() => {
  const b = globalThis[` + "`" + binding + "`" + `];
  const mark = function (id) { try { b(String(id)); } catch (e) {} };
  const lock = (name, value) => {
    try { Object.defineProperty(globalThis, name, {value, writable: false, configurable: false}); } catch (e) {}
  };
  lock(` + "`" + Marker + "`" + `, mark);
  for (const name of ["alert", "confirm", "prompt"]) lock(name, globalThis[name]);
})();`

// maxErrors bounds Visit.Errors.
const maxErrors = 20

// Visit loads rawURL (as the browser's network names it: http://app:8080/)
// in a fresh incognito profile, waits for the load event and opts.Settle,
// reads opts.Queries, and returns what happened. Every step is bounded by
// ctx. A page that does not load is a Visit with LoadError set, not an
// error; errors are the browser's own failures.
func (b *Browser) Visit(ctx context.Context, rawURL string, opts VisitOptions) (*Visit, error) {
	start := time.Now()
	if b.ctx == nil {
		return nil, errors.New("the browser is not connected")
	}
	tab, closeTab := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	defer closeTab()
	// The tab's actions end with the caller's ctx too.
	stop := context.AfterFunc(ctx, closeTab)
	defer stop()
	v := &Visit{}
	var mu sync.Mutex
	if err := chromedp.Do(tab); err != nil {
		return nil, b.visitErr(ctx, "open a tab", err)
	}
	err := chromedp.Listen(tab, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventBindingCalled:
			if ev.Name == binding && len(v.Markers) < 100 {
				v.Markers = append(v.Markers, ev.Payload)
			}
		case *page.EventJavascriptDialogOpening:
			if len(v.Dialogs) < 100 {
				v.Dialogs = append(v.Dialogs, Dialog{Type: string(ev.Type), Message: ev.Message})
			}
			// Listen's callback must not send commands: dismiss from
			// another goroutine.
			go func() {
				_, _ = chromedp.Call(tab, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
			}()
		case *runtime.EventExceptionThrown:
			if len(v.Errors) < maxErrors {
				v.Errors = append(v.Errors, exceptionText(ev.ExceptionDetails))
			}
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError && len(v.Errors) < maxErrors {
				v.Errors = append(v.Errors, "console.error: "+argsText(ev.Args))
			}
		}
	})
	if err != nil {
		return nil, b.visitErr(ctx, "listen to the tab", err)
	}
	if _, err := chromedp.Call(tab, runtime.AddBinding, runtime.AddBindingParams{Name: binding}); err != nil {
		return nil, b.visitErr(ctx, "install the marker", err)
	}
	if _, err := chromedp.Call(tab, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: guardScript}); err != nil {
		return nil, b.visitErr(ctx, "install the marker", err)
	}
	// A headless tab has no window focus: without this, autofocus and
	// onfocus never fire, and neither would a payload that uses them.
	if _, err := chromedp.Call(tab, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true}); err != nil {
		return nil, b.visitErr(ctx, "emulate focus", err)
	}
	if len(opts.Cookies) > 0 {
		cs := make([]*network.CookieParam, len(opts.Cookies))
		for i, c := range opts.Cookies {
			cs[i] = &network.CookieParam{Name: c.Name, Value: c.Value, URL: rawURL}
		}
		if _, err := chromedp.Call(tab, network.SetCookies, network.SetCookiesParams{Cookies: cs}); err != nil {
			return nil, b.visitErr(ctx, "set cookies", err)
		}
	}
	resp, err := chromedp.Run(tab, chromedp.NavigateResponse(rawURL))
	var le *chromedp.LoadError
	switch {
	case errors.As(err, &le):
		v.LoadError = le.ErrorText
	case err != nil:
		return nil, b.visitErr(ctx, "load "+rawURL, err)
	case resp != nil:
		v.Status = int(resp.Status)
		v.Header = headerOf(resp.Headers)
	}
	if v.LoadError == "" && v.Status == 0 {
		// An error page that Page.navigate did not report (an upgrade to
		// HTTPS that failed, a download).
		v.LoadError = "the page did not load"
	}
	settle := opts.Settle
	if settle == 0 {
		settle = DefaultSettle
	}
	if v.LoadError == "" {
		select {
		case <-time.After(settle):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	tree, err := chromedp.Call(tab, page.GetFrameTree, cdp.Empty{})
	if err != nil {
		return nil, b.visitErr(ctx, "read the page", err)
	}
	v.URL = tree.FrameTree.Frame.URL
	if v.LoadError == "" && len(opts.Queries) > 0 {
		if v.Results, err = query(tab, tree.FrameTree.Frame.ID, opts.Queries); err != nil {
			return nil, b.visitErr(ctx, "read the page", err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	out := *v
	out.Markers, out.Dialogs, out.Errors = slices.Clone(v.Markers), slices.Clone(v.Dialogs), slices.Clone(v.Errors)
	out.Took = time.Since(start)
	return &out, nil
}

// query reads the queries in an isolated world of the main frame: the
// same DOM, but none of the page's JavaScript (a page that redefines
// querySelectorAll or textContent changes nothing here).
func query(tab context.Context, frame cdp.FrameID, qs []Query) ([][]string, error) {
	world, err := chromedp.Call(tab, page.CreateIsolatedWorld, page.CreateIsolatedWorldParams{FrameID: frame, WorldName: "grader"})
	if err != nil {
		return nil, err
	}
	spec, err := json.Marshal(qs)
	if err != nil {
		return nil, err
	}
	expr := `(() => (` + string(spec) + `).map(q => Array.from(document.querySelectorAll(q.Selector), e =>
		q.Attribute ? (e.getAttribute(q.Attribute) ?? "") : e.textContent)))()`
	res, err := chromedp.Call(tab, runtime.Evaluate, runtime.EvaluateParams{
		Expression: expr, ContextID: world.ExecutionContextID, ReturnByValue: ptr(true),
	})
	if err != nil {
		return nil, err
	}
	if res.ExceptionDetails != nil {
		return nil, fmt.Errorf("a query failed: %s", exceptionText(res.ExceptionDetails))
	}
	var out [][]string
	if res.Result == nil || json.Unmarshal(res.Result.Value, &out) != nil || len(out) != len(qs) {
		return nil, errors.New("the page's queries returned something unexpected")
	}
	return out, nil
}

// visitErr says a visit failed because the browser did, or returns ctx's
// error when the caller's time ran out.
func (b *Browser) visitErr(ctx context.Context, what string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	in, ierr := b.e.api.ContainerInspect(context.WithoutCancel(ctx), b.id, client.ContainerInspectOptions{})
	if ierr == nil && in.Container.State != nil && !in.Container.State.Running {
		how := fmt.Sprintf("exited with status %d", in.Container.State.ExitCode)
		if in.Container.State.OOMKilled {
			how = fmt.Sprintf("ran out of memory (%s)", sizeString(browserMemory))
		}
		return fmt.Errorf("the browser %s: %s: %w", how, what, err)
	}
	return fmt.Errorf("browser: %s: %w", what, err)
}

// headerOf turns DevTools' header object into an http.Header. Chromium
// joins repeated headers with newlines.
func headerOf(h network.Headers) http.Header {
	out := http.Header{}
	for k, v := range h {
		s, ok := v.(string)
		if !ok {
			s = fmt.Sprint(v)
		}
		for line := range strings.SplitSeq(s, "\n") {
			out.Add(k, line)
		}
	}
	return out
}

// exceptionText is an uncaught exception as a console shows it.
func exceptionText(d *runtime.ExceptionDetails) string {
	if d == nil {
		return ""
	}
	if d.Exception != nil && d.Exception.Description != "" {
		first, _, _ := strings.Cut(d.Exception.Description, "\n")
		return first
	}
	return d.Text
}

// argsText joins console arguments as a console prints them.
func argsText(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		switch {
		case a == nil:
		case a.Description != "":
			parts = append(parts, a.Description)
		case len(a.Value) > 0:
			var s string
			if json.Unmarshal(a.Value, &s) == nil {
				parts = append(parts, s)
			} else {
				parts = append(parts, string(a.Value))
			}
		default:
			parts = append(parts, string(a.Type))
		}
	}
	return strings.Join(parts, " ")
}
