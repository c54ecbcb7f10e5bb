package httpcheck

import (
	"errors"
	"strings"
	"testing"

	"github.com/backendroadmap/grader/runner"
)

// TestCompileRejects: every authoring mistake is reported when the catalog
// loads, at its field, so `grader validate` points at its line.
func TestCompileRejects(t *testing.T) {
	tests := []struct {
		kind, with string
		field      string // the ParamError's field
		msg        string
	}{
		{"http.requests", `fresh: true`, "requests", "is required"},
		{"http.requests", `requests: [{path: /, expct: {status: 200}}]`, "requests[0].expct", "did you mean expect?"},
		{"http.requests", `requests: [{path: /, expect: {statsu: 200}}]`, "requests[0].expect.statsu", "did you mean status?"},
		{"http.requests", `requests: [{path: /, capture: {id: $.id}}, {path: /, expect: {jsonpath: {$.id: {equals: 1, lenght: 3}}}}]`, "requests[1].expect.jsonpath.$.id.lenght", `"lenght" is not a matcher; did you mean length?`},
		{"http.requests", `requests: [{path: /, expect: {jsonpath: {$.x: {lenght: 3}}}}]`, "requests[0].expect.jsonpath.$.x.lenght", "to expect an object holding this key, write {equals: {...}}"},
		{"http.requests", `requests: [{path: /, expect: {headers: {Content-Type: {contians: json}}}}]`, "requests[0].expect.headers.Content-Type.contians", "did you mean contains?"},
		{"http.requests", `requests: [{method: GET}]`, "requests[0].path", "is required"},
		{"http.requests", `requests: [{path: todos}]`, "requests[0].path", "must start with /"},
		{"http.requests", `requests: [{path: "/a b"}]`, "requests[0].path", "is not a URL path"},
		{"http.requests", `requests: [{path: /, method: "GE T"}]`, "requests[0].method", "is not an HTTP method"},
		{"http.requests", `requests: [{path: /, headers: {"X Key": a}}]`, "requests[0].headers.X Key", "is not a header name"},
		{"http.requests", `requests: [{path: /, expect: {jsonpath: {"$.items[": 1}}}]`, "requests[0].expect.jsonpath.$.items[", "is not a JSONPath (RFC 9535)"},
		{"http.requests", `requests: [{path: /, expect: {jsonpath: {title: 1}}}]`, "requests[0].expect.jsonpath.title", "it starts with $"},
		{"http.requests", `requests: [{path: /, expect: {headers: {Location: {matches: "(("}}}}]`, "requests[0].expect.headers.Location.matches", "is not a regular expression (RE2)"},
		{"http.requests", `requests: [{path: "/todos/{{id}}"}]`, "requests[0].path", "{{id}} is not a capture defined by an earlier request"},
		{"http.requests", `requests: [{path: /, capture: {idd: $.id}}, {path: /, json: {parent: "{{id}}"}}]`, "requests[1].json", "did you mean {{idd}}?"},
		{"http.requests", `requests: [{path: /, headers: {X-Key: "{{key}}"}, capture: {key: $.key}}]`, "requests[0].headers.X-Key", "{{key}} is not a capture"},
		{"http.requests", `requests: [{path: /, expect: {status: 99}}]`, "requests[0].expect.status", "99 is not an HTTP status"},
		{"http.requests", `requests: [{path: /, expect: {status: [200, 1000]}}]`, "requests[0].expect.status[1]", "1000 is not an HTTP status"},
		{"http.requests", `requests: [{path: /, expect: {status: ok}}]`, "requests[0].expect.status", `"ok" is not an HTTP status`},
		{"http.requests", `requests: [{path: /, expect: {status: {code: 200}}}]`, "requests[0].expect.status", "write a status such as 201"},
		{"http.requests", `requests: [{path: /, json: {a: 1}, body: x}]`, "requests[0]", "give one body"},
		{"http.requests", `requests: [{path: /, repeat: -1}]`, "requests[0].repeat", "must be between 1 and 1000"},
		{"http.requests", `requests: [{path: /, wait: 2}]`, "", "cannot unmarshal !!int `2` into time.Duration"},
		{"http.requests", `requests: [{path: /, wait: -1s}]`, "requests[0].wait", "must be between 0s"},
		{"http.requests", `requests: [{path: /, expect: {max_time: -1s}}]`, "requests[0].expect.max_time", "must be a positive duration"},
		{"http.requests", `requests: [{path: /, expect: {jsonpath: {$.a: {type: str}}}}]`, "requests[0].expect.jsonpath.$.a.type", `"str" is not a type`},
		{"http.requests", `requests: [{path: /, expect: {jsonpath: {$.a: {length: -1}}}}]`, "requests[0].expect.jsonpath.$.a.length", "takes a whole number"},
		{"http.requests", `requests: [{path: /, expect: {jsonpath: {$.a: {exists: maybe}}}}]`, "requests[0].expect.jsonpath.$.a.exists", "takes true or false"},
		{"http.requests", `requests: [{path: /, expect: {jsonpath: {$.a: {one_of: x}}}}]`, "requests[0].expect.jsonpath.$.a.one_of", "takes a list"},
		{"http.requests", `requests: [{path: /, expect: {jsonpath: {$.a: {gte: abc}}}}]`, "requests[0].expect.jsonpath.$.a.gte", "takes a number"},
		{"http.requests", `requests: [{path: /, expect: {jsonpath: {$.a: {not: 3}}}}]`, "requests[0].expect.jsonpath.$.a.not", "takes a matcher"},
		{"http.requests", `requests: [{path: /, expect: {jsonpath: {$.a: {equals: 1, size: 2}}}}]`, "requests[0].expect.jsonpath.$.a.size", `"size" is not a matcher`},
		{"http.requests", `requests: [{path: /, expect: {headers: {Link: [a]}}}]`, "requests[0].expect.headers.Link", "a header is text"},
		{"http.requests", `requests: [{path: /, expect: {body: {contains: [a]}}}]`, "requests[0].expect.body.contains", "takes text"},
		{"http.requests", `requests: [{path: /, expect: {schema: {type: objekt}}}]`, "requests[0].expect.schema", "not a valid JSON Schema"},
		{"http.requests", `requests: [{path: /, expect: {schema: [1]}}]`, "requests[0].expect.schema", "a JSON Schema is a mapping"},
		{"http.requests", `requests: [{path: /, capture: {ids: "$.items[*].id"}}]`, "requests[0].capture.ids", "can select several values"},
		{"http.requests", `requests: [{path: /, capture: {id: {heder: ETag}}}]`, "requests[0].capture.id", `"heder" is unknown: a capture is a JSONPath, {header: Name}, {cookie: name}`},
		{"http.requests", `requests: [{path: /, capture: {"1d": $.id}}]`, "requests[0].capture.1d", "cannot be a capture's name"},
		{"http.requests", `requests: [{path: /}]` + "\nwebhooks: [{within: -1s}]", "webhooks[0].within", "must be between"},
		{"http.requests", `requests: [{path: /}]` + "\nwebhooks: [{path: orders}]", "webhooks[0].path", "must start with /"},
		{"http.requests", `requests: [{path: /}]` + "\nwebhooks: [{metod: POST}]", "webhooks[0].metod", "did you mean method?"},
		{"http.requests", `requests: [{path: /}]` + "\nwebhooks: [{path: '/o/{{order}}'}]", "webhooks[0].path", "{{order}} is not a capture"},
		{"http.requests", `requests: [{path: /}]` + "\nwebhooks: [{jsonpath: {$.a: {matches: '['}}}]", "webhooks[0].jsonpath.$.a.matches", "is not a regular expression"},
		{"http.starts", `fresh: yes please`, "", "cannot unmarshal"},
	}
	for _, tt := range tests {
		_, err := compile(t, Kinds(nil), tt.kind, tt.with, nil)
		if err == nil {
			t.Errorf("%s %s: compiled; want an error", tt.kind, tt.with)
			continue
		}
		var pe *runner.ParamError
		switch {
		case tt.field != "" && !errors.As(err, &pe):
			t.Errorf("%s %s: %v is not a *runner.ParamError", tt.kind, tt.with, err)
		case tt.field != "" && pe.Field != tt.field:
			t.Errorf("%s %s: field %q, want %q (%v)", tt.kind, tt.with, pe.Field, tt.field, err)
		case !strings.Contains(err.Error(), tt.msg):
			t.Errorf("%s %s: %q lacks %q", tt.kind, tt.with, err, tt.msg)
		}
	}
}

// TestCompileServices: the services blocks' mistakes are reported at the
// block's own field; postgres and redis are optional.
func TestCompileServices(t *testing.T) {
	files := map[string]string{"db/schema.sql": "CREATE TABLE t (id int);"}
	tests := []struct {
		blocks  map[string]string
		service string // "" when it compiles
		field   string
		msg     string
	}{
		{blocks: map[string]string{"server": "language: python"}},
		{blocks: map[string]string{"server": "language: go\nport: 9000", "postgres": "setup: [db/schema.sql]", "redis": "image: redis:7"}},
		{blocks: map[string]string{"server": "language: cobol"}, service: "server", field: "language", msg: `"cobol" is not one of go, node, python`},
		{blocks: map[string]string{"server": "language: python\nport: 80"}, service: "server", field: "port", msg: "must be between 1024 and 65535"},
		{blocks: map[string]string{"server": "language: python\nenv: {PORT: '1'}"}, service: "server", field: "env.PORT", msg: "is set by grader"},
		{blocks: map[string]string{"server": "language: python", "postgres": "setup: [db/missing.sql]"}, service: "postgres", field: "setup", msg: "cannot read db/missing.sql"},
	}
	for _, tt := range tests {
		srv := &fakeServers{}
		_, err := compileIn(t, Kinds(srv), "http.requests", "requests: [{path: /}]", files, tt.blocks)
		var se *runner.ServiceError
		switch {
		case tt.service == "" && err != nil:
			t.Errorf("%v: %v", tt.blocks, err)
		case tt.service == "":
		case !errors.As(err, &se):
			t.Errorf("%v: %v is not a *runner.ServiceError", tt.blocks, err)
		case se.Service != tt.service || se.Field != tt.field || !strings.Contains(se.Msg, tt.msg):
			t.Errorf("%v: %+v, want services.%s.%s: ...%s", tt.blocks, se, tt.service, tt.field, tt.msg)
		}
	}
	_, err := compileIn(t, Kinds(nil), "http.starts", "", nil, map[string]string{})
	if !errors.Is(err, runner.ErrNoService) {
		t.Errorf("no server block: %v, want runner.ErrNoService", err)
	}
}

// TestCompileRequestsOfServices: the request carries the database and
// Redis the exercise declares.
func TestCompileRequestsOfServices(t *testing.T) {
	srv := MustServe(t, todoServer())
	files := map[string]string{"db/schema.sql": "CREATE TABLE t (id int);"}
	c, err := compileIn(t, Kinds(srv), "http.starts", "", files, map[string]string{
		"server": "language: node", "postgres": "setup: [db/schema.sql]", "redis": "{}",
	})
	if err != nil {
		t.Fatal(err)
	}
	if out := run(t, c); out.Status != runner.Pass {
		t.Fatalf("%s: %s", out.Status, out.Message)
	}
	r := srv.reqs[0]
	if r.Fresh || r.Server.Image != "node:18" || r.Database == nil || len(r.Database.Setup) != 1 || r.Redis == nil {
		t.Fatalf("request %+v", r)
	}
}
