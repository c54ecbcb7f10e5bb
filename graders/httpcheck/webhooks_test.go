package httpcheck

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox/attempt"
)

// hookServer answers POST /orders and, after delay, "sends" the webhooks
// hooks to grader's receiver: the fake target's list.
func hookServer(t *testing.T, delay time.Duration, hooks ...attempt.Hook) *fakeServers {
	t.Helper()
	target := &fakeTarget{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		go func() {
			time.Sleep(delay)
			for _, h := range hooks {
				target.addHook(h)
			}
		}()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(201)
		w.Write([]byte(`{"id": 7}`))
	}))
	t.Cleanup(srv.Close)
	target.url = srv.URL
	return &fakeServers{target: target}
}

func hook(path, sig, body string) attempt.Hook {
	return attempt.Hook{Method: "POST", Path: path, Header: map[string][]string{"X-Signature": {sig}, "Content-Type": {"application/json"}}, Body: []byte(body)}
}

var goodSig = "sha256=" + strings.Repeat("ab", 32)

func TestWebhooks(t *testing.T) {
	const order = `
requests:
  - {method: POST, path: /orders, json: {item: book}, expect: {status: 201}, capture: {id: $.id}}
`
	tests := []struct {
		name     string
		delay    time.Duration
		before   []attempt.Hook // received before the check ran
		hooks    []attempt.Hook
		webhooks string
		want     runner.Status
		msg      []string
	}{
		{name: "arrives", delay: 150 * time.Millisecond, want: runner.Pass,
			hooks: []attempt.Hook{hook("/orders", goodSig, `{"order_id": 7, "event": "created"}`)},
			webhooks: `
webhooks:
  - within: 2s
    method: POST
    path: /orders
    headers: {X-Signature: {matches: "^sha256=[0-9a-f]{64}$"}}
    jsonpath: {$.order_id: "{{id}}", $.event: created}
    schema: {type: object, required: [order_id]}
`},
		{name: "a query string is not the path", want: runner.Pass,
			hooks:    []attempt.Hook{hook("/orders?v=2", goodSig, `{}`)},
			webhooks: "webhooks: [{path: /orders, within: 1s}]"},
		{name: "earlier ones do not count", want: runner.Fail,
			before:   []attempt.Hook{hook("/orders", goodSig, `{"order_id": 7}`)},
			webhooks: "webhooks: [{method: POST, path: /orders, within: 300ms}]",
			msg:      []string{"Webhook 1 of 1: expected your server to send POST /orders to $HOOKS_URL (http://hooks:9000) within 300ms after the requests, but it sent nothing there while this check ran.", "HOOKS_URL environment variable"}},
		{name: "wrong body", want: runner.Fail,
			hooks:    []attempt.Hook{hook("/orders", goodSig, `{"order_id": 8}`)},
			webhooks: "webhooks: [{path: /orders, within: 300ms, json: {order_id: '{{id}}'}}]",
			msg:      []string{"none of the 1 requests it sent there while this check ran matches:", `POST /orders: the JSON body is not the one expected: $.order_id should be 7, got 8; body {"order_id": 8}`}},
		{name: "wrong signature", want: runner.Fail,
			hooks:    []attempt.Hook{hook("/orders", "md5=1", `{}`)},
			webhooks: `webhooks: [{path: /orders, within: 300ms, headers: {X-Signature: {matches: "^sha256="}}}]`,
			msg:      []string{`its X-Signature header should match the pattern ^sha256=, but it is "md5=1"`}},
		{name: "wrong path and method", want: runner.Fail,
			hooks:    []attempt.Hook{{Method: "PUT", Path: "/order"}},
			webhooks: "webhooks: [{method: POST, within: 300ms}, {path: /orders, within: 300ms}]",
			msg:      []string{"Webhook 1 of 2", "PUT /order: its method is PUT, not POST"}},
		{name: "one request for two webhooks", want: runner.Fail,
			hooks:    []attempt.Hook{hook("/orders", goodSig, `{}`)},
			webhooks: "webhooks: [{path: /orders, within: 300ms}, {path: /orders, within: 300ms}]",
			msg:      []string{"Webhook 2 of 2", "it matches, but it is the one webhook 1 expects"}},
		{name: "a loose webhook leaves the strict one its request", want: runner.Pass,
			hooks: []attempt.Hook{hook("/orders", goodSig, `{"event": "paid"}`), hook("/orders", goodSig, `{"event": "created"}`)},
			webhooks: `
webhooks:
  - {path: /orders, within: 1s}
  - {path: /orders, within: 1s, jsonpath: {$.event: paid}}
`},
		{name: "too late", delay: 800 * time.Millisecond, want: runner.Fail,
			hooks:    []attempt.Hook{hook("/orders", goodSig, `{}`)},
			webhooks: "webhooks: [{path: /orders, within: 200ms}]",
			msg:      []string{"within 200ms"}},
		{name: "not JSON", want: runner.Fail,
			hooks:    []attempt.Hook{hook("/orders", goodSig, `order=7`)},
			webhooks: "webhooks: [{path: /orders, within: 200ms, jsonpath: {$.order: 7}}]",
			msg:      []string{"expected a JSON body, but the body is not JSON"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := hookServer(t, tt.delay, tt.hooks...)
			srv.target.hooks = tt.before
			out := run(t, MustCompile(t, Kinds(srv), "http.requests", order+tt.webhooks, nil))
			if out.Status != tt.want {
				t.Fatalf("status %s, want %s: %s", out.Status, tt.want, out.Message)
			}
			for _, m := range tt.msg {
				if !strings.Contains(out.Message, m) {
					t.Errorf("message lacks %q:\n%s", m, out.Message)
				}
			}
		})
	}
}

// TestWebhooksUnreadable: grader failing to read its own receiver is an
// error, never the learner's failure.
func TestWebhooksUnreadable(t *testing.T) {
	srv := hookServer(t, 0)
	srv.target.hooksErr = errors.New("hooks container gone")
	out := run(t, MustCompile(t, Kinds(srv), "http.requests", "requests: [{method: POST, path: /orders}]\nwebhooks: [{path: /orders}]", nil))
	if out.Status != runner.Error || !strings.Contains(out.Detail, "hooks container gone") {
		t.Fatalf("%s: %s", out.Status, out.Message)
	}
}

func TestWebhooksHidden(t *testing.T) {
	srv := hookServer(t, 0, hook("/orders", goodSig, `{"order_id": 8}`))
	c, err := compileParams(t, Kinds(srv), "http.requests", "requests: [{method: POST, path: /orders}]\nwebhooks: [{path: /secret-path, within: 200ms}]", nil, pythonServer, true)
	if err != nil {
		t.Fatal(err)
	}
	out := run(t, c)
	if out.Status != runner.Fail || strings.Contains(out.Message, "secret-path") || !strings.Contains(out.Message, `POST /orders: not the one expected; body {"order_id": 8}`) {
		t.Fatalf("%s: %s", out.Status, out.Message)
	}
}
