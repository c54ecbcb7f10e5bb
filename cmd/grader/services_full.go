//go:build !lean

package main

import (
	"context"

	browsergrader "github.com/backendroadmap/grader/graders/browser"
	"github.com/backendroadmap/grader/graders/httpcheck"
	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox/attempt"
)

// Server is the HTTP kinds' [httpcheck.Servers]: the attempt's server,
// started by the first check that needs it.
func (s *services) Server(ctx context.Context, a runner.Attempt, req attempt.Request) (httpcheck.Target, error) {
	env, err := s.attempts().Env(a.Memo, a.Dir)
	if err != nil {
		return nil, err
	}
	srv, err := env.Server(ctx, req)
	if srv == nil { // not a typed nil in the interface
		return nil, err
	}
	return srv, err
}

// Browser is the XSS kinds' browser: the attempt's headless Chromium, on
// the network of the attempt's server, started by the first check that
// needs it.
func (s *services) Browser(ctx context.Context, a runner.Attempt) (browsergrader.Browser, error) {
	env, err := s.attempts().Env(a.Memo, a.Dir)
	if err != nil {
		return nil, err
	}
	b, err := env.Browser(ctx)
	if b == nil { // not a typed nil in the interface
		return nil, err
	}
	return b, err
}
