package docker

import (
	"context"
	"testing"

	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/runner/runnertest"
	"github.com/backendroadmap/grader/sandbox"
	"github.com/backendroadmap/grader/sandbox/sandboxtest"
)

func compile(t testing.TB, ks runner.Kinds, kind, with string) runner.Checker {
	t.Helper()
	c, err := ks[kind].Compile(runnertest.Params(t, with, nil))
	if err != nil {
		t.Fatalf("compile %s: %v", kind, err)
	}
	return c
}

// engine is an [Engine] over a real Docker engine ([sandboxtest.Engine]:
// failing under CI=true when there is none, or no python:3.11 stand-in,
// and skipping otherwise; and failing a test that leaves anything behind).
type engine struct{ e *sandbox.Engine }

func (e engine) DockerEngine(context.Context) (*sandbox.Engine, error) { return e.e, nil }

func requireEngine(t testing.TB) engine {
	t.Helper()
	e := sandboxtest.Engine(t)
	ref, ok := e.Images.ResolveFrom("python:3.11")
	if !ok {
		sandboxtest.Unavailable(t, "the image map has no from:python:3.11")
	}
	if _, _, err := e.Image(t.Context(), ref); err != nil {
		sandboxtest.Unavailable(t, "image %s: %v (build it with sandbox/images/build python)", ref, err)
	}
	return engine{e}
}
