package metrics

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/backendroadmap/grader/graders/httpcheck"
	"github.com/backendroadmap/grader/runner"
)

// scrapeParams are metrics.scrape's parameters.
type scrapeParams struct {
	// Fresh restarts the learner's server for this check.
	Fresh bool `yaml:"fresh"`
	// Path is where the server exposes its metrics (default /metrics).
	Path string `yaml:"path"`
	// Requests are the requests grader sends between its two scrapes,
	// each once before the first scrape (so every label set exists by
	// then), then a number of times grader draws anew for every run (3 to 9).
	Requests []requestSpec `yaml:"requests"`
	// Counter is a counter that must count those requests.
	Counter *SeriesSpec `yaml:"counter"`
	// Histogram is a histogram that must observe their durations.
	Histogram *SeriesSpec `yaml:"histogram"`
	// CountScrapes lets the counter count the scrapes of Path too; by
	// default the counter as a whole must rise by exactly the requests
	// grader sent besides its scrapes.
	CountScrapes bool `yaml:"count_scrapes"`
}

// requestSpec is one kind of request grader sends.
type requestSpec struct {
	// Method is the HTTP method (default GET).
	Method string `yaml:"method"`
	// Path is the path and query, starting with /.
	Path string `yaml:"path"`
}

// Limits of one scrape or request.
const (
	maxBody        = 1 << 20
	requestTimeout = 5 * time.Second
	minRepeat      = 3
	maxRepeat      = 9
)

type scrapeCheck struct {
	path         string
	requests     []requestSpec
	counter      *SeriesSpec
	histogram    *SeriesSpec
	countScrapes bool
	port         int
	command      string
	// repeat draws how many times a request is sent.
	repeat func() int
}

// compileScrape builds metrics.scrape.
func (k *kinds) compileScrape(p runner.Params) (runner.Checker, error) {
	var prm scrapeParams
	plan, err := httpcheck.CompileServer(p, &prm)
	if err != nil {
		return nil, err
	}
	c := &scrapeCheck{path: prm.Path, requests: prm.Requests, counter: prm.Counter, histogram: prm.Histogram,
		countScrapes: prm.CountScrapes, port: plan.Port(), command: plan.Command(),
		repeat: func() int { return minRepeat + rand.IntN(maxRepeat-minRepeat+1) }}
	if c.path == "" {
		c.path = "/metrics"
	}
	if !strings.HasPrefix(c.path, "/") {
		return nil, paramErr("path", "must start with /, like /metrics")
	}
	if len(c.requests) == 0 {
		return nil, paramErr("requests", "is required: the requests grader sends and the metrics must count, like [{method: GET, path: /hello}]")
	}
	for i := range c.requests {
		r := &c.requests[i]
		if r.Method == "" {
			r.Method = http.MethodGet
		}
		r.Method = strings.ToUpper(r.Method)
		if !strings.HasPrefix(r.Path, "/") {
			return nil, paramErr(fmt.Sprintf("requests[%d].path", i), "must start with /, like /hello")
		}
		if r.Path == c.path {
			return nil, paramErr(fmt.Sprintf("requests[%d].path", i), "is the metrics path: grader scrapes it itself")
		}
	}
	if c.counter == nil && c.histogram == nil {
		return nil, paramErr("counter", "give a counter, a histogram or both: what the metrics must show of grader's requests")
	}
	if c.counter != nil {
		if err := c.counter.validate("counter"); err != nil {
			return nil, err
		}
	}
	if c.histogram != nil {
		if err := c.histogram.validate("histogram"); err != nil {
			return nil, err
		}
	}
	return plan.Checker(k.servers, prm.Fresh, c.run), nil
}

// newClient is a client that takes no proxy, follows no redirect and asks
// for no compression.
func newClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                  nil,
			DialContext:            (&net.Dialer{Timeout: requestTimeout}).DialContext,
			DisableCompression:     true,
			MaxResponseHeaderBytes: 64 << 10,
			MaxIdleConnsPerHost:    2,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// answer is what came back to one request.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// send sends one request; a failure is described for the learner.
func send(ctx context.Context, cl *http.Client, base, method, target string, accept string) (*answer, string) {
	rctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, method, base+target, nil)
	if err != nil {
		return nil, fmt.Sprintf("grader could not build the request: %v", err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := cl.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, "the check's time ran out before an answer came"
		}
		if rctx.Err() != nil {
			return nil, fmt.Sprintf("no answer came within %s", requestTimeout)
		}
		return nil, fmt.Sprintf("no answer came (%v)", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Sprintf("it answered %s but the body broke off (%v)", resp.Status, err)
	}
	if len(body) > maxBody {
		return nil, fmt.Sprintf("it answered %s with more than %d MiB, more than grader reads", resp.Status, maxBody>>20)
	}
	return &answer{status: resp.StatusCode, header: resp.Header, body: body}, ""
}

// scrape reads the metrics once.
func (c *scrapeCheck) scrape(ctx context.Context, cl *http.Client, t httpcheck.Target, which string) (families, *runner.Outcome) {
	a, problem := send(ctx, cl, t.URL(), http.MethodGet, c.path, acceptText)
	if problem == "" && a.status != http.StatusOK {
		problem = fmt.Sprintf("%s answered %d, not 200: serve the metrics at GET %s", c.path, a.status, c.path)
	}
	var fams families
	if problem == "" {
		fams, problem = parseExposition(a.header, a.body)
		if problem != "" {
			problem = c.path + ": " + problem
		}
	}
	if problem == "" {
		return fams, nil
	}
	msg := fmt.Sprintf("grader's %s scrape of %s failed: %s.\nTry it: start your server (%s) and send:\n    curl -i 'http://localhost:%d%s'",
		which, c.path, strings.TrimSuffix(problem, "."), c.command, c.port, c.path)
	if how := httpcheck.Died(ctx, t); how != "" {
		msg += "\n" + how
	}
	out := runner.Failed("%s", msg)
	return nil, &out
}

func (c *scrapeCheck) run(ctx context.Context, _ runner.Attempt, t httpcheck.Target) runner.Outcome {
	cl := newClient()
	defer cl.CloseIdleConnections()
	// Each request once first, so that every label set exists when the
	// first scrape reads it: a value that never changes then rises by 0.
	for _, r := range c.requests {
		if out := c.sendOne(ctx, cl, t, r); out != nil {
			return *out
		}
	}
	before, out := c.scrape(ctx, cl, t, "first")
	if out != nil {
		return *out
	}
	// Each kind of request a number of times drawn for this run, in an
	// order drawn too.
	var order []int
	for i := range c.requests {
		for range c.repeat() {
			order = append(order, i)
		}
	}
	rand.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
	type key struct {
		method, path string
		status       int
	}
	counts := map[key]int{}
	var keys []key
	start := time.Now()
	for _, i := range order {
		r := c.requests[i]
		a, problem := send(ctx, cl, t.URL(), r.Method, r.Path, "")
		if problem != "" {
			return c.requestFailed(ctx, t, r, problem)
		}
		k := key{r.Method, r.Path, a.status}
		if counts[k] == 0 {
			keys = append(keys, k)
		}
		counts[k]++
	}
	elapsed := time.Since(start)
	after, out := c.scrape(ctx, cl, t, "second")
	if out != nil {
		return *out
	}
	var batches []batch
	var sent []string
	for _, k := range keys {
		b := batch{method: k.method, path: k.path, status: k.status, n: counts[k]}
		batches = append(batches, b)
		sent = append(sent, b.describe())
	}
	if c.counter != nil {
		if msg := checkCounter(before, after, c.counter, batches, c.path, c.countScrapes); msg != "" {
			return runner.Failed("%s\n(grader scraped %s, sent %s, and scraped it again.)", msg, c.path, strings.Join(sent, ", "))
		}
	}
	if c.histogram != nil {
		if msg := checkHistogram(before, after, c.histogram, batches, elapsed); msg != "" {
			return runner.Failed("%s\n(grader scraped %s, sent %s, and scraped it again.)", msg, c.path, strings.Join(sent, ", "))
		}
	}
	var what []string
	for _, s := range []*SeriesSpec{c.counter, c.histogram} {
		if s != nil {
			what = append(what, s.Name)
		}
	}
	return runner.Passed(fmt.Sprintf("%s counted grader's %s", strings.Join(what, " and "), strings.Join(sent, ", ")))
}

// sendOne sends r once, for the warm-up.
func (c *scrapeCheck) sendOne(ctx context.Context, cl *http.Client, t httpcheck.Target, r requestSpec) *runner.Outcome {
	if _, problem := send(ctx, cl, t.URL(), r.Method, r.Path, ""); problem != "" {
		out := c.requestFailed(ctx, t, r, problem)
		return &out
	}
	return nil
}

// requestFailed is the outcome of a request that got no answer.
func (c *scrapeCheck) requestFailed(ctx context.Context, t httpcheck.Target, r requestSpec, problem string) runner.Outcome {
	msg := fmt.Sprintf("%s %s: %s.\nTry it: curl -i -X %s 'http://localhost:%d%s'", r.Method, r.Path, problem, r.Method, c.port, r.Path)
	if how := httpcheck.Died(ctx, t); how != "" {
		msg += "\n" + how
	}
	return runner.Failed("%s", msg)
}
