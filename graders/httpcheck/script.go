package httpcheck

import (
	"context"
	"fmt"

	"github.com/backendroadmap/grader/runner"
)

// This file lets other families of checks (the security track's attacks)
// talk to the learner's server the way http.requests does: the same
// request format in the spec, the same client limits, the same failure
// messages with a curl command, and the same attempt server.

// RequestSpec is one request as an exercise writes it (method, path,
// query, headers, a JSON, form or raw body, expect, capture): a family that
// sends requests of its own decodes them into this type, so authors learn
// one format.
type RequestSpec = requestSpec

// ServerPlan is the learner's server as a check asks for it: the
// exercise's services blocks, resolved when the check compiles.
type ServerPlan struct {
	s *server
}

// CompileServer decodes the exercise's services (server required;
// postgres and redis when declared) and the check's parameters into
// params, strictly: an unknown field at any depth is the author's error.
// A kind that uses it is a [runner.DecodesItself], not a [runner.ParamsKind],
// since it decodes params twice (see compileServer).
func CompileServer(p runner.Params, params any) (*ServerPlan, error) {
	s, err := compileServer(p, params)
	if err != nil {
		return nil, err
	}
	return &ServerPlan{s: s}, nil
}

// Checker makes the check: its Setup gets the attempt's server from
// servers before the check's deadline starts (a fresh one with fresh), and
// run judges it. A server that does not come up fails the check with its
// own message, as every HTTP kind's does.
func (sp *ServerPlan) Checker(servers Servers, fresh bool, run func(ctx context.Context, a runner.Attempt, t Target) runner.Outcome) runner.Checker {
	k := &kinds{servers: servers}
	return k.checker(sp.s, fresh, run)
}

// Target returns what gets the attempt's server from servers, once per
// check: for a check that needs more than the server (a browser) and so
// builds itself with [runner.Using]. A server that does not come up is a
// learner's failure ([runner.Failure]) with its message and its output's tail.
func (sp *ServerPlan) Target(servers Servers, fresh bool) func(ctx context.Context, a runner.Attempt) (Target, error) {
	return (&kinds{servers: servers}).target(sp.s, fresh)
}

// Port is the port the learner's server listens on ($PORT), which the
// learner's own run uses too.
func (sp *ServerPlan) Port() int { return sp.s.port }

// Command starts the learner's server by hand, with the exercise's
// variables (PORT=8080 JWT_SECRET=... python3 app.py), for messages.
func (sp *ServerPlan) Command() string { return sp.s.command }

// Script is requests sent in order with their captures, compiled from an
// exercise's spec.
type Script struct {
	seq *sequence
}

// CompileScript checks specs (at field, like "inputs[0].requests") as
// http.requests does. known are the names of values the caller provides
// to [Script.Run] ({{input}}), usable like captures from the first
// request on. what names a request in messages ("Request", "Probe").
func (sp *ServerPlan) CompileScript(specs []RequestSpec, field, what string, hidden bool, known ...string) (*Script, error) {
	return CompileRequests(specs, field, what, sp.s.port, sp.s.command, hidden, known...)
}

// CompileRequests is [ServerPlan.CompileScript] for a server that no
// services block describes (a learner's container image that a check
// starts itself): port is where it listens and command how a learner
// starts it by hand, for the curl lines of messages.
func CompileRequests(specs []RequestSpec, field, what string, port int, command string, hidden bool, known ...string) (*Script, error) {
	if len(specs) == 0 {
		return nil, paramErr(field, "is required: at least one request, like {path: /items, expect: {status: 200}}")
	}
	seq := &sequence{what: what, port: port, command: command, hidden: hidden}
	sc := scope{}
	for _, name := range known {
		sc[name] = true
	}
	for i, rs := range specs {
		r, err := compileRequest(rs, fmt.Sprintf("%s[%d]", field, i), sc)
		if err != nil {
			return nil, err
		}
		seq.requests = append(seq.requests, r)
	}
	return &Script{seq: seq}, nil
}

// Run sends the requests to t's server with values (for the known names;
// the requests' captures are added to it) and returns nil when every
// answer met its expect, else the failing outcome: which request, what was
// wrong, what the server answered, and a curl command that sends the same
// request.
func (sc *Script) Run(ctx context.Context, t Target, values map[string]any) *runner.Outcome {
	cl := newClient(t.URL(), sc.seq.port)
	defer cl.close()
	return sc.seq.run(ctx, cl, t, vars(values))
}

// Curl is the command that sends request i with values to the learner's
// server started by hand, or "" when it cannot be built.
func (sc *Script) Curl(i int, values map[string]any) string {
	if i < 0 || i >= len(sc.seq.requests) {
		return ""
	}
	o, problem := sc.seq.requests[i].build(vars(values))
	if problem != "" {
		return ""
	}
	return o.curl(sc.seq.port)
}

// Len is the number of requests.
func (sc *Script) Len() int { return len(sc.seq.requests) }

// Died says how the learner's server died, with the last lines it printed,
// or "" while it runs: for a check's own messages.
func Died(ctx context.Context, t Target) string { return died(ctx, t) }
