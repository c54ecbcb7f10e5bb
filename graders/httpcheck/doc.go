// Package httpcheck holds grader's HTTP check kinds (http.starts,
// http.requests, http.openapi, from [Kinds]): the APIs track, where a
// learner writes a web server and the checks talk to it as a client would.
//
// The server runs in the attempt's sandbox; this package never starts it.
// Each check's Setup asks [Servers] for it (before the check's deadline
// starts: a container start or a Go compile is not the learner's time), and
// gets the attempt's shared server, or a new one for a check that says
// `fresh: true`. A server that does not come up is a
// *[attempt.StartError]: the check fails with its message and the tail of
// what the server printed. Anything else that goes wrong outside the
// learner's server (Docker, the webhook receiver) makes the check an
// error.
//
// Requests go through a client of the check's own that never follows
// redirects (a 302 is an answer to assert), never takes a proxy from the
// environment, never asks for compression (headers arrive as the server
// sent them), bounds each request's time within the check's deadline, and
// reads at most 1 MiB of a body. Whatever the server does (closes the
// connection, sends garbage, invalid JSON, huge headers or bodies, or
// hangs), the check fails with a message naming the request, what was
// expected and what came back, and a curl command that sends the same
// request to the learner's server started by hand. When the server died,
// the message says how, with its last lines of output.
//
// http.openapi reads an OpenAPI 3 document (github.com/getkin/kin-openapi:
// the loader, its validation, and openapi3filter.ValidateResponse for each
// answer), calls every operation with valid input (the document's
// examples, else values generated from its schemas and validated against
// them; path parameters from what an earlier operation created) and, with
// malformed, with input the document does not allow, which must get a
// documented 4xx.
//
// Every parameter is checked when the catalog loads: unknown fields at any
// depth, JSONPaths (RFC 9535, github.com/theory/jsonpath), regular
// expressions, JSON Schemas (github.com/santhosh-tekuri/jsonschema/v6,
// draft 2020-12 with formats asserted), matchers, statuses, and captures
// used before a request defines them, OpenAPI documents that do not load
// or validate, unknown operationIds, and operations grader cannot make
// valid input for are the author's errors, reported as a
// *[runner.ParamError] at their field.
package httpcheck
