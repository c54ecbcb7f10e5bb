package httpcheck

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/backendroadmap/grader/runner"
)

// todoSpec is a small OpenAPI document: a to-do API.
const todoSpec = `
openapi: 3.0.3
info: {title: Todos, version: "1"}
paths:
  /todos:
    get:
      operationId: listTodos
      responses:
        "200":
          description: every todo
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Todo"}}
    post:
      operationId: createTodo
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/NewTodo"}
      responses:
        "201": {description: created, content: {application/json: {schema: {$ref: "#/components/schemas/Todo"}}}}
        "400": {$ref: "#/components/responses/Bad"}
  /todos/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: integer}}
    get:
      operationId: getTodo
      responses:
        "200": {description: the todo, content: {application/json: {schema: {$ref: "#/components/schemas/Todo"}}}}
        "404": {$ref: "#/components/responses/Missing"}
    patch:
      operationId: updateTodo
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              properties:
                title: {type: string, minLength: 1}
                done: {type: boolean}
      responses:
        "200": {description: the todo, content: {application/json: {schema: {$ref: "#/components/schemas/Todo"}}}}
        "400": {$ref: "#/components/responses/Bad"}
        "404": {$ref: "#/components/responses/Missing"}
    delete:
      operationId: deleteTodo
      responses:
        "204": {description: deleted}
        "404": {$ref: "#/components/responses/Missing"}
components:
  schemas:
    NewTodo:
      type: object
      required: [title]
      properties:
        title: {type: string, minLength: 1, example: buy milk}
        done: {type: boolean}
    Todo:
      type: object
      required: [id, title, done]
      properties:
        id: {type: integer}
        title: {type: string}
        done: {type: boolean}
    Error:
      type: object
      required: [error]
      properties: {error: {type: string}}
  responses:
    Bad: {description: bad input, content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
    Missing: {description: no such todo, content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
`

// flaws are the mistakes openapiServer makes on purpose.
type flaws struct {
	createStatus   int  // POST /todos answers this instead of 201
	doneAsText     bool // GET /todos/{id} sends done as "no"
	crashOnBadJSON bool // a body that is not JSON is a 500
	textErrors     bool // 404s are text/plain
}

// openapiServer implements todoSpec, with flaws.
func openapiServer(f flaws) http.Handler {
	var mu sync.Mutex
	todos := map[int]map[string]any{}
	next := 1
	writeJSON := func(w http.ResponseWriter, status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	missing := func(w http.ResponseWriter) {
		if f.textErrors {
			http.Error(w, "not found", 404)
			return
		}
		writeJSON(w, 404, map[string]string{"error": "no such todo"})
	}
	// decode reads a JSON object body; it answers 400 (or 500) itself.
	decode := func(w http.ResponseWriter, r *http.Request) (map[string]any, bool) {
		var in map[string]any
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in == nil {
			if f.crashOnBadJSON {
				http.Error(w, "Internal Server Error", 500)
			} else {
				writeJSON(w, 400, map[string]string{"error": "the body must be a JSON object"})
			}
			return nil, false
		}
		if t, ok := in["title"]; ok {
			if s, isStr := t.(string); !isStr || s == "" {
				writeJSON(w, 400, map[string]string{"error": "title must be text"})
				return nil, false
			}
		}
		if d, ok := in["done"]; ok {
			if _, isBool := d.(bool); !isBool {
				writeJSON(w, 400, map[string]string{"error": "done must be true or false"})
				return nil, false
			}
		}
		return in, true
	}
	find := func(w http.ResponseWriter, r *http.Request) (int, bool) {
		id, err := strconv.Atoi(r.PathValue("id"))
		mu.Lock()
		_, ok := todos[id]
		mu.Unlock()
		if err != nil || !ok {
			missing(w)
			return 0, false
		}
		return id, true
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /todos", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		list := []any{}
		for i := 1; i < next; i++ {
			if t, ok := todos[i]; ok {
				list = append(list, t)
			}
		}
		writeJSON(w, 200, list)
	})
	mux.HandleFunc("POST /todos", func(w http.ResponseWriter, r *http.Request) {
		in, ok := decode(w, r)
		if !ok {
			return
		}
		if _, ok := in["title"]; !ok {
			writeJSON(w, 400, map[string]string{"error": "title is required"})
			return
		}
		mu.Lock()
		t := map[string]any{"id": next, "title": in["title"], "done": in["done"] == true}
		todos[next] = t
		next++
		mu.Unlock()
		status := 201
		if f.createStatus != 0 {
			status = f.createStatus
		}
		writeJSON(w, status, t)
	})
	mux.HandleFunc("GET /todos/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, ok := find(w, r)
		if !ok {
			return
		}
		mu.Lock()
		t := todos[id]
		mu.Unlock()
		if f.doneAsText {
			t = map[string]any{"id": t["id"], "title": t["title"], "done": "no"}
		}
		writeJSON(w, 200, t)
	})
	mux.HandleFunc("PATCH /todos/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, ok := find(w, r)
		if !ok {
			return
		}
		in, ok := decode(w, r)
		if !ok {
			return
		}
		mu.Lock()
		t := todos[id]
		for k, v := range in {
			if k == "title" || k == "done" {
				t[k] = v
			}
		}
		mu.Unlock()
		writeJSON(w, 200, t)
	})
	mux.HandleFunc("DELETE /todos/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, ok := find(w, r)
		if !ok {
			return
		}
		mu.Lock()
		delete(todos, id)
		mu.Unlock()
		w.WriteHeader(204)
	})
	return mux
}

var specFiles = map[string]string{"openapi.yaml": todoSpec}

func TestOpenAPI(t *testing.T) {
	tests := []struct {
		name  string
		flaws flaws
		with  string
		want  runner.Status
		msg   []string
	}{
		{name: "conforms", with: "spec: openapi.yaml\nmalformed: true", want: runner.Pass,
			msg: []string{"5 operations answered as the document says, and refused 10 malformed requests with a documented 4xx"}},
		{name: "conforms, some operations", with: "spec: openapi.yaml\noperations: [createTodo, getTodo]", want: runner.Pass,
			msg: []string{"2 operations answered as the document says"}},
		{name: "undocumented status", flaws: flaws{createStatus: 200}, with: "spec: openapi.yaml", want: runner.Fail,
			msg: []string{"Operation 1 of 5, createTodo (POST /todos), with valid input: it answered 200, which the operation does not document (it documents 201, 400).",
				`curl -i -X POST 'http://localhost:8080/todos' -H 'Content-Type: application/json' -d '{"done":true,"title":"buy milk"}'`}},
		{name: "wrong body shape", flaws: flaws{doneAsText: true}, with: "spec: openapi.yaml", want: runner.Fail,
			msg: []string{"Operation 3 of 5, getTodo (GET /todos/{id}), with valid input: its body does not match the schema documented for 200: at $.done: value must be a boolean",
				"curl -i 'http://localhost:8080/todos/1'", "after the requests before it"}},
		{name: "500 on malformed input", flaws: flaws{crashOnBadJSON: true}, with: "spec: openapi.yaml\nmalformed: true", want: runner.Fail,
			msg: []string{"Operation 1 of 5, createTodo (POST /todos), with a body that is not JSON: expected a documented 4xx (400), got 500: input a client gets wrong must never make the server fail.",
				`-d '{"title": '`}},
		{name: "content type", flaws: flaws{textErrors: true}, with: "spec: openapi.yaml\nmalformed: true", want: runner.Fail,
			msg: []string{`getTodo (GET /todos/{id}), with path parameter id as "not-a-number", not an integer: its Content-Type is text/plain; charset=utf-8, but the document says a 404 answer is application/json.`}},
		{name: "params and setup", with: `
spec: openapi.yaml
operations: [getTodo]
setup: [{method: POST, path: /todos, json: {title: from setup}, expect: {status: 201}, capture: {first: $.id}}]
params: {id: "{{first}}"}
`, want: runner.Pass},
		{name: "a param value the server does not know", with: "spec: openapi.yaml\noperations: [getTodo]\nparams: {id: '77'}", want: runner.Pass},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := MustServe(t, openapiServer(tt.flaws))
			out := run(t, MustCompile(t, Kinds(srv), "http.openapi", tt.with, specFiles))
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

// TestOpenAPIDocumentsText: an operation answering text where the document
// says JSON fails, naming both.
func TestOpenAPIContentType(t *testing.T) {
	srv := MustServe(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "[]")
	}))
	out := run(t, MustCompile(t, Kinds(srv), "http.openapi", "spec: openapi.yaml\noperations: [listTodos]", specFiles))
	if out.Status != runner.Fail || !strings.Contains(out.Message, "its Content-Type is text/plain, but the document says a 200 answer is application/json") {
		t.Fatalf("%s: %s", out.Status, out.Message)
	}
}

func TestOpenAPIOrder(t *testing.T) {
	var got []string
	var mu sync.Mutex
	inner := openapiServer(flaws{})
	srv := MustServe(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.Path)
		mu.Unlock()
		inner.ServeHTTP(w, r)
	}))
	if out := run(t, MustCompile(t, Kinds(srv), "http.openapi", "spec: openapi.yaml", specFiles)); out.Status != runner.Pass {
		t.Fatalf("%s: %s", out.Status, out.Message)
	}
	want := "POST /todos, GET /todos, GET /todos/1, PATCH /todos/1, DELETE /todos/1"
	if strings.Join(got, ", ") != want {
		t.Fatalf("sent %s; want %s", strings.Join(got, ", "), want)
	}
}

func TestOpenAPICompileRejects(t *testing.T) {
	files := map[string]string{
		"openapi.yaml": todoSpec,
		"broken.yaml":  "openapi: 3.0.3\npaths: [",
		"invalid.yaml": "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths: {/a: {get: {responses: {'200': {description: ok}}, parameters: [{name: id, in: path, schema: {type: integer}}]}}}",
		"no4xx.yaml":   "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths: {/a: {post: {operationId: make, requestBody: {content: {application/json: {schema: {type: object}}}}, responses: {'201': {description: ok}}}}}",
		"pattern.yaml": "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths: {/a: {post: {operationId: make, requestBody: {required: true, content: {application/json: {schema: {type: object, required: [code], properties: {code: {type: string, pattern: '^[0-9]{3}-[A-Z]{2}$'}}}}}}, responses: {'201': {description: ok}}}}}",
		"xml.yaml":     "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths: {/a: {post: {operationId: make, requestBody: {required: true, content: {application/xml: {schema: {type: object}}}}, responses: {'201': {description: ok}}}}}",
		"remote.yaml":  "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths: {/a: {$ref: 'https://example.com/paths.yaml'}}",
	}
	tests := []struct{ with, field, msg string }{
		{"malformed: true", "spec", "is required"},
		{"spec: missing.yaml", "spec", "cannot read missing.yaml from the exercise folder"},
		{"spec: ../openapi.yaml", "spec", "must be a relative, slash-separated path inside the exercise folder"},
		{"spec: broken.yaml", "spec", "broken.yaml is not an OpenAPI 3 document"},
		{"spec: invalid.yaml", "spec", "invalid.yaml is not a valid OpenAPI 3 document"},
		{"spec: remote.yaml", "spec", "a $ref may name only files of the exercise folder"},
		{"spec: openapi.yaml\noperations: [getTodos]", "operations[0]", `"getTodos" is not an operationId of openapi.yaml; did you mean getTodo?`},
		{"spec: openapi.yaml\noperations: [getTodo, getTodo]", "operations[1]", "listed twice"},
		{"spec: openapi.yaml\nparams: {todo_id: '1'}", "params.todo_id", "no operation checked has a parameter todo_id"},
		{"spec: openapi.yaml\nparams: {id: '{{id}}'}", "params.id", "{{id}} is not a capture defined by an earlier request"},
		{"spec: openapi.yaml\nsetup: [{path: /todos, expct: {}}]", "setup[0].expct", "did you mean expect?"},
		{"spec: openapi.yaml\noperations: [listTodos]\nmalformed: true", "malformed", "there is no malformed input to send"},
		{"spec: no4xx.yaml\nmalformed: true", "spec", "operation make: with malformed: true it gets input the document does not allow, but it documents no 4xx answer"},
		{"spec: pattern.yaml", "spec", "operation make: grader cannot make a valid request body from its schema: add an example"},
		{"spec: xml.yaml\noperations: [make]", "operations[0]", "its request body is application/xml, which http.openapi cannot send"},
		{"spec: openapi.yaml\noperation: [getTodo]", "", "unknown parameter"},
	}
	for _, tt := range tests {
		_, err := compile(t, Kinds(nil), "http.openapi", tt.with, files)
		var pe *runner.ParamError
		switch {
		case err == nil:
			t.Errorf("%s: compiled; want an error", tt.with)
		case tt.field != "" && !errors.As(err, &pe):
			t.Errorf("%s: %v is not a *runner.ParamError", tt.with, err)
		case tt.field != "" && pe.Field != tt.field:
			t.Errorf("%s: field %q, want %q (%v)", tt.with, pe.Field, tt.field, err)
		case !strings.Contains(err.Error(), tt.msg):
			t.Errorf("%s: %q lacks %q", tt.with, err, tt.msg)
		}
	}
}

// TestGenerate: values generated from schemas meet them.
func TestGenerate(t *testing.T) {
	doc := `
openapi: 3.0.3
info: {title: x, version: "1"}
paths:
  /things/{code}:
    parameters: [{name: code, in: path, required: true, schema: {type: string, pattern: "^[a-z]+$", minLength: 3}}]
    post:
      operationId: make
      parameters:
        - {name: limit, in: query, required: true, schema: {type: integer, minimum: 10, maximum: 20, multipleOf: 5}}
        - {name: X-Request-Id, in: header, required: true, schema: {type: string, format: uuid}}
        - {name: below, in: query, required: true, schema: {type: integer, maximum: 0, exclusiveMaximum: true}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              allOf:
                - {type: object, required: [name], properties: {name: {type: string, maxLength: 4}}}
                - type: object
                  required: [when, tags, size, kind]
                  properties:
                    when: {type: string, format: date-time}
                    tags: {type: array, minItems: 2, items: {type: string, enum: [red, blue]}}
                    size: {type: number, exclusiveMinimum: true, minimum: 0}
                    kind: {oneOf: [{type: string, enum: [a]}, {type: integer}]}
                    id: {type: integer, readOnly: true}
      responses: {"201": {description: ok}, "400": {description: bad}}
`
	var got *http.Request
	var body []byte
	srv := MustServe(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		body, _ = io.ReadAll(r.Body)
		w.WriteHeader(201)
	}))
	out := run(t, MustCompile(t, Kinds(srv), "http.openapi", "spec: api.yaml", map[string]string{"api.yaml": doc}))
	if out.Status != runner.Pass {
		t.Fatalf("%s: %s", out.Status, out.Message)
	}
	if got.URL.Path != "/things/example" {
		t.Errorf("path %s", got.URL.Path)
	}
	if q := got.URL.Query(); q.Get("limit") != "10" || q.Get("below") != "-1" {
		t.Errorf("query %s", got.URL.RawQuery)
	}
	if h := got.Header.Get("X-Request-Id"); h != "3fa85f64-5717-4562-b3fc-2c963f66afa6" {
		t.Errorf("X-Request-Id: %s", h)
	}
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(v["tags"]) != "[red red]" || v["when"] != "2026-01-05T09:00:00Z" || v["name"] != "exam" || v["size"] != 1.0 || v["kind"] != "a" || v["id"] != nil {
		t.Errorf("body %s", body)
	}
}

// TestOpenAPISecurity: params give a security scheme its credential, in a
// 3.1 document.
func TestOpenAPISecurity(t *testing.T) {
	doc := `
openapi: 3.1.0
info: {title: x, version: "1"}
components:
  securitySchemes:
    bearerAuth: {type: http, scheme: bearer}
    apiKey: {type: apiKey, in: header, name: X-Api-Key}
security: [{bearerAuth: []}]
paths:
  /me:
    get:
      operationId: me
      parameters: [{name: fields, in: query, required: true, schema: {type: string, enum: [name, all]}}]
      responses:
        "200": {description: you, content: {application/json: {schema: {type: object, required: [name], properties: {name: {type: string}, nick: {type: [string, "null"]}}}}}}
        "401": {description: who are you}
  /reports:
    get:
      operationId: reports
      security: [{apiKey: []}]
      responses: {"200": {description: ok}, "401": {description: no}}
`
	var mu sync.Mutex
	var seen []string
	srv := MustServe(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.String()+" "+r.Header.Get("Authorization")+r.Header.Get("X-Api-Key"))
		mu.Unlock()
		switch {
		case r.URL.Path == "/me" && r.Header.Get("Authorization") == "Bearer t0k":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"name": "Ada", "nick": null}`)
		case r.URL.Path == "/reports" && r.Header.Get("X-Api-Key") == "k1":
			w.WriteHeader(200)
		default:
			w.WriteHeader(401)
		}
	}))
	files := map[string]string{"api.yaml": doc}
	out := run(t, MustCompile(t, Kinds(srv), "http.openapi", "spec: api.yaml\nparams: {bearerAuth: t0k, apiKey: k1}", files))
	if out.Status != runner.Pass {
		t.Fatalf("%s: %s", out.Status, out.Message)
	}
	want := "/me?fields=name Bearer t0k, /reports k1"
	if got := strings.Join(seen, ", "); got != want {
		t.Fatalf("sent %s; want %s", got, want)
	}
}
