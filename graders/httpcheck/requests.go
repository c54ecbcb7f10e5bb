package httpcheck

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"time"

	"github.com/backendroadmap/grader/runner"
)

// compileStarts builds http.starts: the server starts and accepts
// connections on $PORT. Starting it (and saying why it did not start) is
// the Servers' work, in Setup; Run makes sure it still runs and answers a
// connection.
func (k *kinds) compileStarts(p runner.Params) (runner.Checker, error) {
	var prm startsParams
	s, err := compileServer(p, &prm)
	if err != nil {
		return nil, err
	}
	return k.checker(s, prm.Fresh, func(ctx context.Context, _ runner.Attempt, t Target) runner.Outcome {
		if how := died(ctx, t); how != "" {
			return runner.Failed("%s", how)
		}
		u, err := url.Parse(t.URL())
		if err != nil {
			return runner.Errored(fmt.Errorf("the server's URL %q: %w", t.URL(), err))
		}
		conn, err := (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, "tcp", u.Host)
		if err != nil {
			msg := fmt.Sprintf("Your server started, then stopped accepting connections on port %d (%v).", s.port, unwrapURL(err))
			if how := died(ctx, t); how != "" {
				msg += "\n" + how
			}
			return runner.Failed("%s", msg)
		}
		conn.Close()
		return runner.Passed(fmt.Sprintf("your server listens on port %d", s.port))
	}), nil
}

// requestsCheck is a compiled http.requests.
type requestsCheck struct {
	seq      *sequence
	webhooks []*webhook
}

// compileRequests builds http.requests: requests sent in order, each
// answer judged, captures carried forward, then the webhooks the server
// must have sent.
func (k *kinds) compileRequests(p runner.Params) (runner.Checker, error) {
	var prm requestsParams
	s, err := compileServer(p, &prm)
	if err != nil {
		return nil, err
	}
	if len(prm.Requests) == 0 {
		return nil, paramErr("requests", "is required: at least one request, like {path: /todos, expect: {status: 200}}")
	}
	c := &requestsCheck{seq: &sequence{what: "Request", port: s.port, command: s.command, hidden: p.Hidden}}
	sc := scope{}
	for i, rs := range prm.Requests {
		r, err := compileRequest(rs, fmt.Sprintf("requests[%d]", i), sc)
		if err != nil {
			return nil, err
		}
		c.seq.requests = append(c.seq.requests, r)
	}
	for i, ws := range prm.Webhooks {
		w, err := compileWebhook(ws, fmt.Sprintf("webhooks[%d]", i), sc)
		if err != nil {
			return nil, err
		}
		c.webhooks = append(c.webhooks, w)
	}
	return k.checker(s, prm.Fresh, c.run), nil
}

func (c *requestsCheck) run(ctx context.Context, _ runner.Attempt, t Target) runner.Outcome {
	cl := newClient(t.URL(), c.seq.port)
	defer cl.close()
	// Only the webhooks sent while this check runs count: the attempt's
	// earlier checks may have made the server send some already.
	baseline := 0
	if len(c.webhooks) > 0 {
		hs, err := t.Hooks(ctx)
		if err != nil {
			return runner.Errored(fmt.Errorf("read the webhooks grader received: %w", err))
		}
		baseline = len(hs)
	}
	v := vars{}
	if out := c.seq.run(ctx, cl, t, v); out != nil {
		return *out
	}
	if len(c.webhooks) > 0 {
		if out := awaitHooks(ctx, t, baseline, c.webhooks, v, c.seq.hidden); out != nil {
			return *out
		}
	}
	n := 0
	for _, r := range c.seq.requests {
		n += r.repeat
	}
	msg := fmt.Sprintf("%d requests answered as expected", n)
	if n == 1 {
		msg = "the request was answered as expected"
	}
	if len(c.webhooks) > 0 {
		msg += fmt.Sprintf(", and %d webhooks arrived", len(c.webhooks))
	}
	return runner.Passed(msg)
}
