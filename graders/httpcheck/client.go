package httpcheck

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"
)

// Limits on what grader reads of an answer.
const (
	// maxBody is the most of a body grader reads; a larger one fails.
	maxBody = 1 << 20
	// maxHeaderBytes bounds an answer's status line and headers.
	maxHeaderBytes = 64 << 10
	// defaultRequestTimeout is how long one request may take when its
	// expect sets no max_time (and the check's deadline leaves room).
	defaultRequestTimeout = 10 * time.Second
	// shownBody is how much of a body a message shows.
	shownBody = 500
)

// client sends a check's requests to the learner's server. It never
// follows redirects (a 302 is an answer to assert), never uses a proxy from
// the environment, never asks for compression (so headers arrive as
// sent), and reads at most maxBody of a body.
type client struct {
	http *http.Client
	base string // the server's base URL, no trailing slash
	port int    // the port a learner's own run listens on, for curl lines
}

func newClient(base string, port int) *client {
	tr := &http.Transport{
		Proxy:                  nil,
		DialContext:            (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		DisableCompression:     true,
		MaxResponseHeaderBytes: maxHeaderBytes,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        30 * time.Second,
	}
	return &client{
		http: &http.Client{
			Transport:     tr,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		base: strings.TrimRight(base, "/"),
		port: port,
	}
}

func (c *client) close() { c.http.CloseIdleConnections() }

// outgoing is a request ready to send: captures substituted.
type outgoing struct {
	method string
	target string // path and query, as sent
	header [][2]string
	body   []byte
	// form: the body is a form, which curl's -d sends with its own
	// Content-Type.
	form bool
}

// label names a request in messages: GET /todos/1.
func (o *outgoing) label() string {
	return o.method + " " + o.target
}

// curl is the command that sends the same request to the learner's server
// started by hand on port.
func (o *outgoing) curl(port int) string {
	parts := []string{"curl", "-i"}
	switch o.method {
	case http.MethodGet:
		if len(o.body) > 0 {
			parts = append(parts, "-X", "GET")
		}
	case http.MethodHead:
		parts = append(parts, "--head")
	default:
		parts = append(parts, "-X", o.method)
	}
	parts = append(parts, shellQuote(fmt.Sprintf("http://localhost:%d%s", port, o.target)))
	for _, h := range o.header {
		if o.form && strings.EqualFold(h[0], "Content-Type") && h[1] == formType {
			continue // curl -d sends it
		}
		parts = append(parts, "-H", shellQuote(h[0]+": "+h[1]))
	}
	if len(o.body) > 0 {
		flag := "-d"
		if bytes.ContainsAny(o.body, "\r\n") || o.body[0] == '@' {
			flag = "--data-binary"
		}
		parts = append(parts, flag, shellQuote(string(o.body)))
	}
	return strings.Join(parts, " ")
}

const (
	jsonType = "application/json"
	formType = "application/x-www-form-urlencoded"
)

// shellQuote quotes s for a POSIX shell: 'it'\”s'.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// response is what came back.
type response struct {
	status  int
	text    string // "200 OK"
	header  http.Header
	body    []byte
	elapsed time.Duration

	parsed  bool
	json    any
	jsonErr error
}

// JSON decodes the body once.
func (r *response) JSON() (any, error) {
	if !r.parsed {
		r.parsed = true
		r.json, r.jsonErr = decodeJSON(r.body)
		if r.jsonErr != nil {
			r.jsonErr = fmt.Errorf("the body is not JSON: %w", r.jsonErr)
		}
	}
	return r.json, r.jsonErr
}

// show writes the answer for a message: the status, the headers that
// matter (Content-Type, Location and those named), and the body cut to
// shownBody bytes.
func (r *response) show(names ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %s", r.text)
	shown := map[string]bool{}
	for _, n := range append([]string{"Content-Type", "Location"}, names...) {
		k := http.CanonicalHeaderKey(n)
		if shown[k] {
			continue
		}
		shown[k] = true
		for _, v := range r.header.Values(k) {
			fmt.Fprintf(&b, "\n%s: %s", k, trim(v, 200))
		}
	}
	b.WriteString("\n\n")
	b.WriteString(showBody(r.body))
	return b.String()
}

// showBody is a body for a message.
func showBody(body []byte) string {
	switch {
	case len(body) == 0:
		return "(no body)"
	case !utf8.Valid(body):
		return fmt.Sprintf("(%d bytes that are not UTF-8 text)", len(body))
	}
	return trim(strings.TrimRight(string(body), "\n"), shownBody)
}

// send sends o and reads the answer within timeout (bounded by ctx). A
// failure to get an answer is the learner's: its description is returned
// as a string, never a panic, whatever the server sent.
func (c *client) send(ctx context.Context, o *outgoing, timeout time.Duration) (*response, string) {
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, o.method, c.base+o.target, bytes.NewReader(o.body))
	if err != nil {
		return nil, fmt.Sprintf("grader could not build the request: %v", err)
	}
	for _, h := range o.header {
		if strings.EqualFold(h[0], "Host") {
			req.Host = h[1]
			continue
		}
		req.Header.Add(h[0], h[1])
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, sendErr(ctx, err, timeout, c.port)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	elapsed := time.Since(start)
	if err != nil {
		if ctx.Err() == nil && (rctx.Err() != nil || os.IsTimeout(err)) {
			return nil, fmt.Sprintf("it answered %s but the body did not arrive within %s (%d bytes came)", resp.Status, round(timeout), len(body))
		}
		return nil, fmt.Sprintf("it answered %s but the connection broke in the middle of the body, after %d bytes (%v)", resp.Status, len(body), unwrapURL(err))
	}
	if len(body) > maxBody {
		return nil, fmt.Sprintf("it answered %s with a body larger than %d MiB, more than grader reads: send less", resp.Status, maxBody>>20)
	}
	return &response{
		status:  resp.StatusCode,
		text:    strings.TrimSpace(resp.Status),
		header:  resp.Header,
		body:    body,
		elapsed: elapsed,
	}, ""
}

// sendErr says why no answer came.
func sendErr(ctx context.Context, err error, timeout time.Duration, port int) string {
	err = unwrapURL(err)
	if e := errors.Unwrap(err); e != nil && strings.HasPrefix(err.Error(), "net/http: HTTP/1.x transport connection broken: ") {
		err = e
	}
	switch {
	case ctx.Err() != nil:
		return "the check's time ran out before an answer came"
	case errors.Is(err, context.DeadlineExceeded) || os.IsTimeout(err):
		return fmt.Sprintf("no answer came within %s", round(timeout))
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("nothing accepts connections on port %d any more", port)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return "the server closed the connection without answering"
	case strings.Contains(err.Error(), "header"):
		return fmt.Sprintf("its answer's headers are not valid HTTP, or larger than %d KiB (%v)", maxHeaderBytes>>10, err)
	case strings.Contains(err.Error(), "malformed HTTP"):
		return fmt.Sprintf("its answer is not valid HTTP (%v)", err)
	}
	return fmt.Sprintf("the request failed: %v", err)
}

// unwrapURL drops net/http's `Get "http://127.0.0.1:41234/x":` prefix,
// which names grader's address rather than the learner's.
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// round makes a duration readable: 9.75s, not 9.749873s.
func round(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(10 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}

// requestTimeout is how long one request may take: maxTime when set, else
// defaultRequestTimeout, and never past the check's deadline less a
// moment, so the check says which request hung rather than only that time
// ran out.
func requestTimeout(ctx context.Context, maxTime time.Duration) time.Duration {
	t := defaultRequestTimeout
	if maxTime > 0 {
		t = maxTime
	}
	if dl, ok := ctx.Deadline(); ok {
		left := time.Until(dl)
		if left > time.Second {
			left -= 250 * time.Millisecond
		}
		if left < t {
			t = max(left, time.Millisecond)
		}
	}
	return t
}

// sortedPairs returns m's entries sorted by key.
func sortedPairs(m map[string]string) [][2]string {
	var out [][2]string
	for k, v := range m {
		out = append(out, [2]string{k, v})
	}
	slices.SortFunc(out, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	return out
}
