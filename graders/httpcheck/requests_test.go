package httpcheck

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox/attempt"
)

// todoServer is a small learner's server: a to-do API done right, and
// routes that misbehave in every way a learner's server can.
func todoServer() http.Handler {
	var mu sync.Mutex
	todos := map[int]map[string]any{}
	next := 1
	var count atomic.Int64
	writeJSON := func(w http.ResponseWriter, status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /todos", func(w http.ResponseWriter, r *http.Request) {
		var in map[string]any
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			writeJSON(w, 400, map[string]string{"error": "bad JSON"})
			return
		}
		title, ok := in["title"].(string)
		if !ok || strings.TrimSpace(title) == "" {
			writeJSON(w, 400, map[string]string{"error": "title must be a string"})
			return
		}
		mu.Lock()
		t := map[string]any{"id": next, "title": title, "done": false}
		todos[next] = t
		w.Header().Set("Location", fmt.Sprintf("/todos/%d", next))
		next++
		mu.Unlock()
		writeJSON(w, 201, t)
	})
	mux.HandleFunc("GET /todos/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.Atoi(r.PathValue("id"))
		mu.Lock()
		t, ok := todos[id]
		mu.Unlock()
		if !ok {
			writeJSON(w, 404, map[string]string{"error": "no such todo"})
			return
		}
		writeJSON(w, 200, t)
	})
	mux.HandleFunc("DELETE /todos/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.Atoi(r.PathValue("id"))
		mu.Lock()
		delete(todos, id)
		mu.Unlock()
		w.WriteHeader(204)
	})
	mux.HandleFunc("GET /redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/todos/1", http.StatusFound)
	})
	mux.HandleFunc("GET /numbers", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"b": 10, "a": 1.0, "big": 12345678901234567890, "tags": ["x", "y"], "name": "Ada", "none": null}`)
	})
	mux.HandleFunc("GET /close", func(w http.ResponseWriter, r *http.Request) {
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
	})
	mux.HandleFunc("GET /garbage", func(w http.ResponseWriter, r *http.Request) {
		conn, _, _ := w.(http.Hijacker).Hijack()
		io.WriteString(conn, "this is not HTTP at all\r\n\r\n")
		conn.Close()
	})
	mux.HandleFunc("GET /invalid-json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"title": "buy milk",`)
	})
	mux.HandleFunc("GET /hang", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	mux.HandleFunc("GET /huge", func(w http.ResponseWriter, r *http.Request) {
		chunk := strings.Repeat("x", 1<<16)
		for range 160 { // 10 MiB
			if _, err := io.WriteString(w, chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("GET /huge-header", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Big", strings.Repeat("y", 100<<10))
		w.WriteHeader(200)
	})
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(300 * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		writeJSON(w, 200, map[string]string{"ok": "late"})
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_ = r.ParseForm()
		writeJSON(w, 200, map[string]any{
			"method": r.Method, "path": r.URL.Path, "query": r.URL.RawQuery,
			"content_type": r.Header.Get("Content-Type"), "api_key": r.Header.Get("X-Api-Key"),
			"body": string(b),
		})
	})
	mux.HandleFunc("GET /count", func(w http.ResponseWriter, r *http.Request) {
		n := count.Add(1)
		if n > 3 {
			w.Header().Set("Retry-After", "2")
			writeJSON(w, 429, map[string]string{"error": "slow down"})
			return
		}
		writeJSON(w, 200, map[string]int64{"n": n})
	})
	mux.HandleFunc("GET /empty", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
	})
	mux.HandleFunc("GET /text", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Count", "3")
		io.WriteString(w, "hello, world\n")
	})
	return mux
}

// TestRequests runs http.requests against todoServer: every matcher
// passing and failing, captures, repeat, wait, max_time and the ways a
// server can misbehave.
func TestRequests(t *testing.T) {
	tests := []struct {
		name string
		with string
		want runner.Status
		msg  []string // substrings of the message
		// expected and actual: substrings of Outcome.Expected and Actual.
		expected, actual string
	}{
		{name: "create and read back with a capture", want: runner.Pass, with: `
requests:
  - name: create a todo
    method: POST
    path: /todos
    json: {title: buy milk}
    expect:
      status: 201
      headers:
        Location: /todos/{{id}}
        Content-Type: {contains: application/json}
      jsonpath: {$.title: buy milk, $.done: false, $.id: {type: integer}}
      schema: {type: object, required: [id, title, done], properties: {id: {type: integer}}}
    capture: {id: $.id, loc: {header: Location}}
  - path: "{{loc}}"
    expect: {status: 200, json: {done: false, id: "{{id}}", title: buy milk}}
  - {method: DELETE, path: "/todos/{{id}}", expect: {status: 204, body: {empty: true}}}
  - {path: "/todos/{{id}}", expect: {status: [404, 410]}}
`},
		{name: "wrong status", want: runner.Fail, with: `
requests:
  - {name: create a todo, method: POST, path: /todos, json: {title: buy milk}, expect: {status: 200}}
`, msg: []string{`Request 1 of 1, "create a todo" (POST /todos): expected status 200, got 201.`, "HTTP 201 Created", "Location: /todos/1", `"title":"buy milk"`,
			`curl -i -X POST 'http://localhost:8080/todos' -H 'Content-Type: application/json' -d '{"title":"buy milk"}'`, "PORT=8080 python3 app.py"}},
		{name: "status list", want: runner.Fail, with: `
requests: [{path: /todos/99, expect: {status: [200, 204, 301]}}]
`, msg: []string{"expected status 200, 204 or 301, got 404"}},
		{name: "no status means success", want: runner.Fail, with: `
requests: [{path: /todos/99}]
`, msg: []string{"expected a success status (200 to 399), got 404"}},
		{name: "redirects are answers", want: runner.Pass, with: `
requests: [{path: /redirect, expect: {status: 302, headers: {Location: /todos/1}}}]
`},
		{name: "header absent passes", want: runner.Pass, with: `
requests: [{path: /numbers, expect: {headers: {Location: {absent: true}, X-Nope: {exists: false}}}}]
`},
		{name: "header absent fails", want: runner.Fail, with: `
requests: [{path: /redirect, expect: {status: 302, headers: {location: {absent: true}}}}]
`, msg: []string{"its Location header should be absent, but it is \"/todos/1\""}},
		{name: "header missing", want: runner.Fail, with: `
requests: [{path: /numbers, expect: {headers: {ETag: {matches: "^W/"}}}}]
`, msg: []string{"its Etag header should match the pattern ^W/, but it was not sent"}},
		{name: "header numbers as text", want: runner.Pass, with: `
requests: [{path: /text, expect: {headers: {X-Count: 3, Content-Type: {matches: "^text/plain"}}, body: {contains: "hello"}}},
           {path: /text, expect: {headers: {X-Count: {gte: 2, lte: 3, type: integer}}}}]
`},
		{name: "header gte fails", want: runner.Fail, with: `
requests: [{path: /text, expect: {headers: {X-Count: {gte: 4}}}}]
`, msg: []string{"its X-Count header should be at least 4, but it is \"3\""}},
		{name: "json equality ignores key order and number forms", want: runner.Pass, with: `
requests: [{path: /numbers, expect: {json: {a: 1, b: 10.0, big: 12345678901234567890, tags: [x, y], name: Ada, none: null}}}]
`},
		{name: "json first difference", want: runner.Fail, with: `
requests: [{path: /numbers, expect: {json: {a: 1, b: 10, big: 12345678901234567890, tags: [x, z], name: Ada, none: null}}}]
`, msg: []string{"the JSON body is not the one expected: $.tags[1] should be \"z\", got \"y\""}, expected: `"z"`, actual: `"y"`},
		{name: "json missing key", want: runner.Fail, with: `
requests: [{path: /numbers, expect: {json: {a: 1}}}]
`, msg: []string{"$.b should not be there (got 10)"}},
		{name: "json array order matters", want: runner.Fail, with: `
requests: [{path: /numbers, expect: {jsonpath: {$.tags: [y, x]}}}]
`, msg: []string{`$.tags should be ["y","x"], but it is ["x","y"] (length 2): $.tags[0] should be "y", got "x"`}},
		{name: "jsonpath matchers pass", want: runner.Pass, with: `
requests:
  - path: /numbers
    expect:
      jsonpath:
        $: {type: object, length: 6}
        $.a: {equals: 1, type: integer, gte: 1, lte: 1}
        $.b: {one_of: [5, 10]}
        $.name: {matches: "^A", contains: "d", length: 3, not: {equals: Bob}}
        $.tags: {contains: x, length: 2, type: array, not: {empty: true}}
        $.tags[*]: {length: 2}
        $.none: {type: null, exists: true}
        $.missing: {exists: false}
        $.big: {type: number, gte: 1e19}
        $[?@ == 'Ada']: {length: 1}
`},
		{name: "jsonpath missing", want: runner.Fail, with: `
requests: [{path: /numbers, expect: {jsonpath: {$.title: buy milk}}}]
`, msg: []string{`$.title should be "buy milk", but it is missing`}},
		{name: "type fails", want: runner.Fail, with: `
requests: [{path: /numbers, expect: {jsonpath: {$.name: {type: integer}}}}]
`, msg: []string{`$.name should be an integer, but it is "Ada" (string)`}},
		{name: "length fails", want: runner.Fail, with: `
requests: [{path: /numbers, expect: {jsonpath: {$.tags: {length: 3}}}}]
`, msg: []string{`$.tags should have length 3, but it is ["x","y"] (length 2)`}},
		{name: "one_of fails", want: runner.Fail, with: `
requests: [{path: /numbers, expect: {jsonpath: {$.b: {one_of: [1, 2]}}}}]
`, msg: []string{"$.b should be one of 1, 2, but it is 10"}},
		{name: "lte fails", want: runner.Fail, with: `
requests: [{path: /numbers, expect: {jsonpath: {$.b: {lte: 9.5}}}}]
`, msg: []string{"$.b should be at most 9.5"}},
		{name: "gte on text fails", want: runner.Fail, with: `
requests: [{path: /numbers, expect: {jsonpath: {$.name: {gte: 1}}}}]
`, msg: []string{"$.name should be at least 1, but it is \"Ada\""}},
		{name: "not fails", want: runner.Fail, with: `
requests: [{path: /numbers, expect: {jsonpath: {$.name: {not: {matches: "^A"}}}}}]
`, msg: []string{"$.name should not match the pattern ^A"}},
		{name: "contains fails", want: runner.Fail, with: `
requests: [{path: /numbers, expect: {jsonpath: {$.tags: {contains: z}}}}]
`, msg: []string{`$.tags should contain "z"`}},
		{name: "exists fails", want: runner.Fail, with: `
requests: [{path: /numbers, expect: {jsonpath: {$.name: {exists: false}}}}]
`, msg: []string{"$.name should be absent"}},
		{name: "empty body fails", want: runner.Fail, with: `
requests: [{path: /numbers, expect: {body: {empty: true}}}]
`, msg: []string{`its body should be empty, but it is "{\"b\"`}},
		{name: "empty body passes", want: runner.Pass, with: `
requests: [{path: /empty, expect: {body: {empty: true}}}]
`},
		{name: "body equals", want: runner.Fail, with: `
requests: [{path: /text, expect: {body: "hello"}}]
`, msg: []string{`its body should be "hello", but it is "hello, world\n"`}},
		{name: "schema fails", want: runner.Fail, with: `
requests: [{path: /numbers, expect: {schema: {type: object, required: [id], properties: {name: {type: integer}}}}}]
`, msg: []string{"the JSON body does not match the schema expected:", "at $: missing property 'id'", "at $.name: got string, want integer"}, expected: `"required"`, actual: `"Ada"`},
		{name: "schema format asserted", want: runner.Fail, with: `
requests: [{path: /numbers, expect: {schema: {properties: {name: {format: email}}}}}]
`, msg: []string{"at $.name:", "email"}},
		{name: "invalid json", want: runner.Fail, with: `
requests: [{path: /invalid-json, expect: {jsonpath: {$.title: buy milk}}}]
`, msg: []string{"expected a JSON body, but the body is not JSON: it ends in the middle of a JSON value", `{"title": "buy milk",`}},
		{name: "json when the body is text", want: runner.Fail, with: `
requests: [{path: /text, expect: {json: {a: 1}}}]
`, msg: []string{"expected a JSON body, but the body is not JSON: invalid character 'h'"}},
		{name: "closed connection", want: runner.Fail, with: `
requests: [{name: closes, path: /close}]
`, msg: []string{`Request 1 of 1, "closes" (GET /close): the server closed the connection without answering.`, "curl -i 'http://localhost:8080/close'"}},
		{name: "garbage", want: runner.Fail, with: `
requests: [{path: /garbage}]
`, msg: []string{"(GET /garbage): its answer is not valid HTTP (malformed HTTP"}},
		{name: "huge header", want: runner.Fail, with: `
requests: [{path: /huge-header}]
`, msg: []string{"headers are not valid HTTP, or larger than 64 KiB"}},
		{name: "huge body", want: runner.Fail, with: `
requests: [{path: /huge}]
`, msg: []string{"it answered 200 OK with a body larger than 1 MiB"}},
		{name: "max_time fails", want: runner.Fail, with: `
requests: [{path: /slow, expect: {max_time: 100ms}}]
`, msg: []string{"(GET /slow): no answer came within 100ms (max_time)."}},
		{name: "max_time passes", want: runner.Pass, with: `
requests: [{path: /slow, expect: {max_time: 2s, jsonpath: {$.ok: late}}}]
`},
		{name: "repeat until rate limited", want: runner.Fail, with: `
requests:
  - {path: /count, repeat: 3, expect: {status: 200}}
  - {name: limited, path: /count, repeat: 2, expect: {status: 429, headers: {Retry-After: {matches: "^[1-3]$"}}}}
  - {path: /count, expect: {status: 200}}
`, msg: []string{`Request 3 of 3 (GET /count): expected status 200, got 429`, "after the requests before it"}},
		{name: "repeat fails on the nth sending", want: runner.Fail, with: `
requests: [{path: /count, repeat: 5, expect: {status: 200}}]
`, msg: []string{"Request 1 of 1 (GET /count), sending 4 of 5: expected status 200, got 429"}},
		{name: "wait", want: runner.Pass, with: `
requests: [{path: /numbers, wait: 50ms}]
`},
		{name: "query, headers, form and raw bodies", want: runner.Pass, with: `
requests:
  - {method: post, path: /echo, query: {page: "2", q: a b}, headers: {X-Api-Key: k1}, form: {user: ada}, expect: {jsonpath: {$.method: POST, $.query: page=2&q=a+b, $.api_key: k1, $.content_type: application/x-www-form-urlencoded, $.body: user=ada}}, capture: {key: $.api_key}}
  - {method: PUT, path: /echo, headers: {Content-Type: text/plain, X-Api-Key: "{{key}}-2"}, body: "it's {{key}}", expect: {jsonpath: {$.body: "it's k1", $.content_type: text/plain, $.api_key: k1-2}}}
  - {method: PATCH, path: "/echo?x=1", query: {y: "2"}, json: {n: "{{key}}", "{{key}}": [1, "{{key}}"]}, expect: {jsonpath: {$.query: x=1&y=2, $.body: '{"n":"k1","k1":[1,"k1"]}'}}}
`},
		{name: "captured numbers keep their type", want: runner.Pass, with: `
requests:
  - {method: POST, path: /todos, json: {title: a}, expect: {status: 201}, capture: {id: $.id}}
  - {method: POST, path: /echo, json: {parent: "{{id}}", label: "todo {{id}}"}, expect: {jsonpath: {$.body: '{"parent":1,"label":"todo 1"}'}}}
`},
		{name: "capture finds nothing", want: runner.Fail, with: `
requests: [{path: /numbers, capture: {id: $.id}}, {path: "/todos/{{id}}"}]
`, msg: []string{"the body has nothing at $.id to capture as {{id}}"}},
		{name: "capture header missing", want: runner.Fail, with: `
requests: [{path: /numbers, capture: {etag: {header: ETag}}}]
`, msg: []string{"there is no Etag header to capture as {{etag}}"}},
		{name: "curl quotes single quotes", want: runner.Fail, with: `
requests: [{method: POST, path: /todos, json: {title: "it's mine"}, expect: {status: 200}}]
`, msg: []string{`-d '{"title":"it'\''s mine"}'`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := MustServe(t, todoServer())
			c := MustCompile(t, Kinds(srv), "http.requests", tt.with, nil)
			out := run(t, c)
			if out.Status != tt.want {
				t.Fatalf("status %s, want %s: %s", out.Status, tt.want, out.Message)
			}
			for _, m := range tt.msg {
				if !strings.Contains(out.Message, m) {
					t.Errorf("message lacks %q:\n%s", m, out.Message)
				}
			}
			if !strings.Contains(out.Expected, tt.expected) || !strings.Contains(out.Actual, tt.actual) {
				t.Errorf("expected %q and actual %q lack %q and %q", out.Expected, out.Actual, tt.expected, tt.actual)
			}
		})
	}
}

// TestRequestHangs: a server that never answers fails the request within
// the check's deadline, naming the request, and Run returns.
func TestRequestHangs(t *testing.T) {
	t.Parallel()
	srv := MustServe(t, todoServer())
	c := MustCompile(t, Kinds(srv), "http.requests", "requests: [{path: /hang}]", nil)
	start := time.Now()
	out := runWithin(t, c, 1500*time.Millisecond)
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("took %s", took)
	}
	if out.Status != runner.Fail || !strings.Contains(out.Message, "(GET /hang): no answer came within 1.25s") {
		t.Fatalf("%s: %s", out.Status, out.Message)
	}
}

// TestServerDied: a failing request says how the server died, with the
// tail of its output.
func TestServerDied(t *testing.T) {
	srv := MustServe(t, todoServer())
	srv.target.exited = "exited with status 1"
	srv.target.output = "Traceback (most recent call last):\nKeyError: 'title'\n"
	c := MustCompile(t, Kinds(srv), "http.requests", "requests: [{path: /close}]", nil)
	out := run(t, c)
	for _, m := range []string{"Your server exited with status 1.", "The last lines your server printed:\n    Traceback (most recent call last):\n    KeyError: 'title'"} {
		if !strings.Contains(out.Message, m) {
			t.Errorf("message lacks %q:\n%s", m, out.Message)
		}
	}
}

// TestServerStart: the Servers' StartError is the learner's failure, with
// the output; any other error is grader's; the request carries fresh and
// the services.
func TestServerStart(t *testing.T) {
	se := &attempt.StartError{Msg: "Your server listens on 127.0.0.1:8080 only.", Output: " * Running on http://127.0.0.1:8080\n"}
	for _, tt := range []struct {
		err  error
		want runner.Status
		msg  string
	}{
		{se, runner.Fail, "Your server listens on 127.0.0.1:8080 only.\nThe last lines your server printed:\n     * Running on http://127.0.0.1:8080"},
		{&attempt.StartError{Msg: "Your server exited with status 2 before it listened on port 8080."}, runner.Fail, "Your server printed nothing."},
		// grader's own error: the learner is told it is not theirs, and
		// -v and JSON carry its text.
		{errors.New("docker: no such image"), runner.Error, "not your work"},
	} {
		srv := &fakeServers{err: tt.err}
		for kind, with := range map[string]string{"http.starts": "", "http.requests": "requests: [{path: /}]"} {
			c := MustCompile(t, Kinds(srv), kind, with, nil)
			out := run(t, c)
			if tt.want == runner.Error && out.Detail != tt.err.Error() {
				t.Errorf("%s with %v: detail %q", kind, tt.err, out.Detail)
			}
			if out.Status != tt.want || !strings.Contains(out.Message, tt.msg) {
				t.Errorf("%s with %v: %s %q", kind, tt.err, out.Status, out.Message)
			}
		}
	}

	srv := MustServe(t, todoServer())
	c := MustCompile(t, Kinds(srv), "http.requests", "fresh: true\nrequests: [{path: /numbers}]", nil)
	if out := run(t, c); out.Status != runner.Pass {
		t.Fatalf("%s: %s", out.Status, out.Message)
	}
	if len(srv.reqs) != 1 || !srv.reqs[0].Fresh || srv.reqs[0].Server == nil || srv.reqs[0].Server.Port != 8080 {
		t.Fatalf("Servers were asked for %+v; want one fresh server on port 8080", srv.reqs)
	}
	c = MustCompile(t, Kinds(srv), "http.starts", "", nil)
	if out := run(t, c); out.Status != runner.Pass || out.Message != "your server listens on port 8080" {
		t.Fatalf("%s: %s", out.Status, out.Message)
	}
	srv.target.exited = "was killed: it ran out of memory (512 MiB)"
	if out := run(t, c); out.Status != runner.Fail || !strings.Contains(out.Message, "Your server was killed: it ran out of memory (512 MiB).") {
		t.Fatalf("%s: %s", out.Status, out.Message)
	}
}

// nilServers returns neither a server nor an error.
type nilServers struct{}

func (nilServers) Server(context.Context, runner.Attempt, attempt.Request) (Target, error) {
	return nil, nil
}

// TestNoServerNoError: a provider that returns nothing is grader's error,
// never a panic.
func TestNoServerNoError(t *testing.T) {
	out := run(t, MustCompile(t, Kinds(nilServers{}), "http.starts", "", nil))
	if out.Status != runner.Error || !strings.Contains(out.Detail, "no server and no error") {
		t.Fatalf("%s: %s", out.Status, out.Message)
	}
}

// TestHiddenMessages: a hidden check's message (which CI shows) says what
// came back and where it differs, never the values the check expects.
func TestHiddenMessages(t *testing.T) {
	tests := []struct {
		with   string
		secret string // in the visible message, not in the hidden one
		quiet  string
	}{
		{"requests: [{path: /todos/99, expect: {status: 418}}]", "418", "it answered 404, not the status this check expects"},
		{"requests: [{path: /slow, expect: {max_time: 10ms}}]", "", "no answer came within 10ms"},
		{"requests: [{path: /text, expect: {headers: {X-Count: '42'}}}]", "42", `its X-Count header is not what this check expects (it is "3")`},
		{"requests: [{path: /text, expect: {body: {contains: secret-word}}}]", "secret-word", "its body is not what this check expects"},
		{"requests: [{path: /numbers, expect: {json: {a: 1, b: 10, big: 12345678901234567890, tags: [x, secret-tag], name: Ada, none: null}}}]", "secret-tag", `the JSON body is not the one this check expects: it differs at $.tags[1] (got "y")`},
		{"requests: [{path: /numbers, expect: {jsonpath: {$.name: Secretary}}}]", "Secretary", `$.name is not what this check expects (it is "Ada")`},
		{"requests: [{path: /numbers, expect: {schema: {properties: {name: {type: integer}}}}}]", "want integer", "the JSON body does not have the shape this check expects (at $.name)"},
	}
	for _, tt := range tests {
		for _, hidden := range []bool{false, true} {
			srv := MustServe(t, todoServer())
			c, err := compileParams(t, Kinds(srv), "http.requests", tt.with, nil, pythonServer, hidden)
			if err != nil {
				t.Fatal(err)
			}
			out := run(t, c)
			switch {
			case out.Status != runner.Fail:
				t.Errorf("%s (hidden %v): %s %s", tt.with, hidden, out.Status, out.Message)
			case !hidden && !strings.Contains(out.Message, tt.secret):
				t.Errorf("%s: the visible message lacks %q:\n%s", tt.with, tt.secret, out.Message)
			case hidden && tt.secret != "" && strings.Contains(out.Message, tt.secret):
				t.Errorf("%s: the hidden message gives away %q:\n%s", tt.with, tt.secret, out.Message)
			case hidden && !strings.Contains(out.Message, tt.quiet):
				t.Errorf("%s: the hidden message lacks %q:\n%s", tt.with, tt.quiet, out.Message)
			}
		}
	}
}
