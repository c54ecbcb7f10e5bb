package httpcheck

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox/attempt"
)

// Webhook waiting.
const (
	defaultWithin = 5 * time.Second
	hookPoll      = 100 * time.Millisecond
)

// webhook is one request the learner's server must have sent to
// $HOOKS_URL.
type webhook struct {
	within time.Duration
	method string // "" for any
	path   string // "" for any; may hold {{captures}}
	content
}

func compileWebhook(ws webhookSpec, field string, sc scope) (*webhook, error) {
	w := &webhook{within: ws.Within, method: strings.ToUpper(strings.TrimSpace(ws.Method)), path: ws.Path}
	switch {
	case w.within == 0:
		w.within = defaultWithin
	case w.within < 0 || w.within > maxWait:
		return nil, paramErr(field+".within", "%s must be between 1ms and %s", w.within, maxWait)
	}
	if w.method != "" && !methodName().MatchString(w.method) {
		return nil, paramErr(field+".method", "%q is not an HTTP method", ws.Method)
	}
	if w.path != "" {
		if err := sc.check(field+".path", w.path); err != nil {
			return nil, err
		}
		if !strings.HasPrefix(w.path, "/") {
			return nil, paramErr(field+".path", "%q must start with /: it is the path below $HOOKS_URL", w.path)
		}
	}
	c, err := compileContent(field, &ws.Headers, &ws.JSON, &ws.JSONPath, &ws.Schema, &ws.Body, sc)
	if err != nil {
		return nil, err
	}
	w.content = *c
	return w, nil
}

// label names the webhook in messages: POST /orders.
func (w *webhook) label(v vars) string {
	m, p := w.method, v.render(w.path)
	if m == "" {
		m = "a request"
	}
	if p == "" {
		p = "any path"
	}
	return m + " " + p
}

// mismatch says why h is not w, or "" when it is.
func (w *webhook) mismatch(h attempt.Hook, v vars) string {
	if w.method != "" && !strings.EqualFold(h.Method, w.method) {
		return fmt.Sprintf("its method is %s, not %s", h.Method, w.method)
	}
	if w.path != "" {
		want, got := v.render(w.path), h.Path
		if !strings.Contains(want, "?") {
			got, _, _ = strings.Cut(got, "?")
		}
		if got != want {
			return fmt.Sprintf("its path is %s, not %s", got, want)
		}
	}
	header := http.Header{}
	for k, vals := range h.Header {
		for _, val := range vals {
			header.Add(k, val)
		}
	}
	parsed := false
	var doc any
	var docErr error
	decode := func() (any, error) {
		if !parsed {
			parsed = true
			doc, docErr = decodeJSON(h.Body)
			if docErr != nil {
				docErr = fmt.Errorf("the body is not JSON: %w", docErr)
			}
		}
		return doc, docErr
	}
	if p := w.content.check(header, h.Body, decode, v); p != nil {
		return p.msg
	}
	return ""
}

// awaitHooks waits until every webhook has a request of its own among
// those grader received after baseline, each within its `within` of the
// end of the requests. It returns nil when they all have, else the
// failing outcome.
func awaitHooks(ctx context.Context, t Target, baseline int, ws []*webhook, v vars, hidden bool) *runner.Outcome {
	start := time.Now()
	longest := time.Duration(0)
	for _, w := range ws {
		longest = max(longest, w.within)
	}
	var seen []time.Duration // when each received hook was first seen
	for {
		all, err := t.Hooks(ctx)
		if err != nil {
			if ctx.Err() != nil {
				out := runner.Failed("the check's time ran out while waiting for webhooks")
				return &out
			}
			out := runner.Errored(fmt.Errorf("read the webhooks grader received: %w", err))
			return &out
		}
		if len(all) < baseline { // a list of another server's
			baseline = 0
		}
		got := all[baseline:]
		now := time.Since(start)
		for len(seen) < len(got) {
			seen = append(seen, now)
		}
		assign := matchHooks(ws, got, seen, v)
		done := true
		for _, j := range assign {
			done = done && j >= 0
		}
		if done {
			return nil
		}
		if now >= longest || ctx.Err() != nil {
			for i, j := range assign {
				if j < 0 {
					out := runner.Failed("%s", hookFailure(ctx, t, i, ws, got, assign, v, hidden))
					return &out
				}
			}
		}
		select {
		case <-time.After(hookPoll):
		case <-ctx.Done():
		}
	}
}

// matchHooks gives each webhook a distinct received request that meets it
// and arrived within its window (a maximum bipartite matching, so a loose
// webhook never takes the one request a strict one needs). assign[i] is
// the index into got, or -1.
func matchHooks(ws []*webhook, got []attempt.Hook, seen []time.Duration, v vars) []int {
	ok := make([][]bool, len(ws))
	for i, w := range ws {
		ok[i] = make([]bool, len(got))
		for j, h := range got {
			ok[i][j] = seen[j] <= w.within+hookPoll && w.mismatch(h, v) == ""
		}
	}
	owner := make([]int, len(got)) // webhook holding request j, or -1
	for j := range owner {
		owner[j] = -1
	}
	var try func(i int, visited []bool) bool
	try = func(i int, visited []bool) bool {
		for j := range got {
			if !ok[i][j] || visited[j] {
				continue
			}
			visited[j] = true
			if owner[j] < 0 || try(owner[j], visited) {
				owner[j] = i
				return true
			}
		}
		return false
	}
	for i := range ws {
		try(i, make([]bool, len(got)))
	}
	assign := make([]int, len(ws))
	for i := range assign {
		assign[i] = -1
	}
	for j, i := range owner {
		if i >= 0 {
			assign[i] = j
		}
	}
	return assign
}

// hookFailure says which webhook never came and what came instead (for a
// hidden check, without saying what it expected).
func hookFailure(ctx context.Context, t Target, i int, ws []*webhook, got []attempt.Hook, assign []int, v vars, hidden bool) string {
	w := ws[i]
	var b strings.Builder
	if hidden {
		fmt.Fprintf(&b, "Webhook %d of %d: expected your server to send a request this check describes to $HOOKS_URL (http://hooks:9000) within %s after the requests, but ", i+1, len(ws), w.within)
	} else {
		fmt.Fprintf(&b, "Webhook %d of %d: expected your server to send %s to $HOOKS_URL (http://hooks:9000) within %s after the requests, but ", i+1, len(ws), w.label(v), w.within)
	}
	if len(got) == 0 {
		b.WriteString("it sent nothing there while this check ran. Your server finds the address in the HOOKS_URL environment variable.")
	} else {
		fmt.Fprintf(&b, "none of the %d requests it sent there while this check ran matches:", len(got))
		taken := map[int]int{}
		for k, j := range assign {
			if j >= 0 {
				taken[j] = k
			}
		}
		for j, h := range got {
			if j == 5 {
				fmt.Fprintf(&b, "\n    ... and %d more", len(got)-5)
				break
			}
			why := w.mismatch(h, v)
			switch {
			case why == "":
				why = fmt.Sprintf("it matches, but it is the one webhook %d expects", taken[j]+1)
			case hidden:
				why = "not the one expected"
			}
			fmt.Fprintf(&b, "\n    %s %s: %s; body %s", h.Method, h.Path, why, showBody(h.Body))
		}
	}
	if how := died(ctx, t); how != "" {
		b.WriteString("\n" + how)
	}
	return b.String()
}
