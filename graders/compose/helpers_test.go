package compose

import (
	"context"
	"errors"
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

// mapOnly is an Engine with an image map and no Docker: compose.file's.
type mapOnly struct{ m sandbox.ImageMap }

func (m mapOnly) DockerEngine(context.Context) (*sandbox.Engine, error) {
	return nil, errors.New("no Docker in this test")
}
func (m mapOnly) ImageMap() (sandbox.ImageMap, error) { return m.m, nil }

// engine is an Engine over a real Docker engine (sandboxtest.Engine: it
// fails under CI=true when there is none, and fails a test that leaves
// anything behind).
type engine struct{ e *sandbox.Engine }

func (e engine) DockerEngine(context.Context) (*sandbox.Engine, error) { return e.e, nil }

func requireEngine(t testing.TB) engine {
	t.Helper()
	e := sandboxtest.Engine(t)
	for _, name := range []string{"postgres:15", "python:3.11"} {
		ref := e.Images.Resolve(name)
		if _, _, err := e.Image(t.Context(), ref); err != nil {
			sandboxtest.Unavailable(t, "image %s: %v (build it with sandbox/images/build)", ref, err)
		}
	}
	return engine{e}
}
