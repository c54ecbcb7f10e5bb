package main

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/backendroadmap/grader/exercises"
	"github.com/backendroadmap/grader/fault"
)

// TestLeanBuildReadsEveryExercise: the lean build's kinds name every kind the
// full build links, and an exercise of the embedded catalog is handed to
// grader-full exactly when the full build grades one of its checks with a
// kind the lean build leaves out. A kind added to a full-only family and not
// to fullOnlyKinds would make every exercise using it unreadable in the
// binary learners run.
func TestLeanBuildReadsEveryExercise(t *testing.T) {
	svc := &services{}
	full, lean := kinds(svc), leanKinds()
	if got, want := slices.Sorted(maps.Keys(lean)), slices.Sorted(maps.Keys(full)); !slices.Equal(got, want) {
		t.Fatalf("the lean build's kinds are\n%v\nthe full build's are\n%v\nkeep fullOnlyKinds in step with fullFamilies", got, want)
	}
	fullOnly := map[string]bool{}
	for _, f := range fullFamilies(svc) {
		for name := range f {
			fullOnly[name] = true
		}
	}
	fullCat, err := exercises.NewCatalog(exercises.Embedded(), exercises.EmbeddedName, full)
	if err != nil {
		t.Fatal(err)
	}
	leanCat, err := exercises.NewCatalog(exercises.Embedded(), exercises.EmbeddedName, lean)
	if err != nil {
		t.Fatal(err)
	}
	handed := 0
	for _, id := range fullCat.IDs() {
		fx, err := fullCat.Exercise(id)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		lx, err := leanCat.Exercise(id)
		if err != nil {
			t.Fatalf("the lean build cannot read %s: %v", id, err)
		}
		var want []string
		for _, c := range fx.Checks {
			if fullOnly[c.Kind] && !slices.Contains(want, c.Kind) {
				want = append(want, c.Kind)
			}
		}
		if got := lx.Elsewhere(); !slices.Equal(got, want) {
			t.Errorf("%s: the lean build leaves kinds %v to grader-full, want %v", id, got, want)
		}
		if len(want) > 0 {
			handed++
		}
	}
	if handed == 0 || handed == len(fullCat.IDs()) {
		t.Errorf("%d of %d exercises are handed to grader-full: the split should keep some, and hand some on", handed, len(fullCat.IDs()))
	}
}

// handOffApp is an app in a lean build whose exec records what it would run.
type handOffApp struct {
	*app
	ran []string // path, argv..., extra env
}

func newHandOffApp(t *testing.T, env map[string]string) *handOffApp {
	t.Helper()
	h := &handOffApp{}
	h.app = &app{
		getenv: func(k string) string { return env[k] },
		args:   []string{"check", "--format", "json"},
		exec: func(path string, argv []string, extra string) error {
			h.ran = append(append([]string{path}, argv...), extra)
			return nil
		},
	}
	return h
}

func leanExercise(t *testing.T, id string) *exercises.Exercise {
	t.Helper()
	return readExercise(t, leanKinds(), id)
}

// fakeFull is an executable file standing for grader-full.
func fakeFull(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), fullBinary)
	if err := os.WriteFile(p, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestHandOff(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no grader-full on PATH but the one a test puts there
	full := fakeFull(t)

	t.Run("an exercise the lean build grades stays", func(t *testing.T) {
		h := newHandOffApp(t, map[string]string{fullEnv: full})
		if err := h.handOff(leanExercise(t, "git-branching"), leanExercise(t, "git-rebase")); err != nil || h.ran != nil {
			t.Fatalf("handOff = %v, ran %q; want nothing run", err, h.ran)
		}
	})
	t.Run("a batch with one SQL exercise goes whole", func(t *testing.T) {
		h := newHandOffApp(t, map[string]string{fullEnv: full})
		if err := h.handOff(leanExercise(t, "git-branching"), leanExercise(t, "sql-joins")); err != nil || len(h.ran) == 0 || h.ran[0] != full {
			t.Fatalf("handOff = %v, ran %q; want grader-full run", err, h.ran)
		}
	})
	t.Run("an API exercise goes to grader-full with the same command line", func(t *testing.T) {
		h := newHandOffApp(t, map[string]string{fullEnv: full})
		if err := h.handOff(leanExercise(t, "api-openapi")); err != nil {
			t.Fatal(err)
		}
		want := []string{full, full, "check", "--format", "json", handedOffEnv + "=" + version}
		if !slices.Equal(h.ran, want) {
			t.Fatalf("ran %q, want %q", h.ran, want)
		}
	})
	t.Run("found on PATH", func(t *testing.T) {
		t.Setenv("PATH", filepath.Dir(full))
		h := newHandOffApp(t, nil)
		if err := h.handOff(leanExercise(t, "api-openapi")); err != nil {
			t.Fatal(err)
		}
		if len(h.ran) == 0 || h.ran[0] != full {
			t.Fatalf("ran %q, want %s", h.ran, full)
		}
	})
	t.Run("serve always goes", func(t *testing.T) {
		h := newHandOffApp(t, map[string]string{fullEnv: full})
		if err := h.handOffAlways("serve"); err != nil || len(h.ran) == 0 || h.ran[0] != full {
			t.Fatalf("handOffAlways = %v, ran %q", err, h.ran)
		}
	})
	t.Run("no grader-full is the installation's fault, with what to do", func(t *testing.T) {
		h := newHandOffApp(t, nil)
		err := h.handOff(leanExercise(t, "api-openapi"))
		if err == nil || h.ran != nil {
			t.Fatalf("handOff = %v, ran %q; want an error", err, h.ran)
		}
		if k, _ := fault.KindOf(err); k != fault.Infra {
			t.Errorf("kind %v, want an infrastructure error (exit 3)", k)
		}
		for _, want := range []string{"api-openapi", "http.starts", "no grader-full was found"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		}
		if hint := fault.HintOf(err); !strings.Contains(hint, "make build") || !strings.Contains(hint, fullEnv) {
			t.Errorf("hint %q does not say how to get grader-full", hint)
		}
	})
	t.Run("a lean grader-full does not hand off again", func(t *testing.T) {
		h := newHandOffApp(t, map[string]string{fullEnv: full, handedOffEnv: "v1"})
		err := h.handOff(leanExercise(t, "api-openapi"))
		if err == nil || h.ran != nil || !strings.Contains(fault.HintOf(err), "lean build") {
			t.Fatalf("handOff = %v (hint %q), ran %q; want an error naming the lean grader-full", err, fault.HintOf(err), h.ran)
		}
	})
}
