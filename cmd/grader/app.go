package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"

	"github.com/rs/zerolog"

	"github.com/backendroadmap/grader/exercises"
	"github.com/backendroadmap/grader/progress"
	"github.com/backendroadmap/grader/report"
)

// app is one invocation of grader: its streams, environment and global flags.
type app struct {
	ctx            context.Context
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// args is the command line after the program's name, which [app.handOff]
	// passes on; exec replaces the process with another program.
	args []string
	exec func(path string, argv []string, extraEnv string) error

	// Global flags.
	catalogFlag string
	refresh     bool
	colorFlag   string
	verbose     int

	// wsSource is the catalog source of the workspace being graded, used when
	// neither --catalog nor $GRADER_CATALOG names one.
	wsSource string

	// svc connects checks to Docker and PostgreSQL when they first need them.
	svc *services

	log     zerolog.Logger
	code    int  // exit code of a command that ran to a verdict
	started bool // a command's own code began running
}

// catalogSource is the catalog named by --catalog or $GRADER_CATALOG, else
// the one the current workspace was started from ("" is the embedded one).
// A folder is made absolute, so a workspace can record it.
func (a *app) catalogSource() string {
	spec := a.catalogFlag
	if spec == "" {
		spec = a.getenv("GRADER_CATALOG")
	}
	if spec == "" {
		return a.wsSource
	}
	if st, err := os.Stat(spec); err == nil && st.IsDir() {
		if abs, err := filepath.Abs(spec); err == nil {
			return abs
		}
	}
	return spec
}

// catalog opens the catalog [app.catalogSource] names.
func (a *app) catalog() (*exercises.Catalog, error) {
	spec := a.catalogSource()
	cache, err := a.cacheDir()
	if err != nil && spec != "" {
		return nil, err
	}
	return exercises.Open(a.ctx, exercises.Source{Spec: spec, CacheDir: cache, Refresh: a.refresh}, kinds(a.svc))
}

// exercise loads one exercise from the catalog.
func (a *app) exercise(id string) (*exercises.Exercise, *exercises.Catalog, error) {
	cat, err := a.catalog()
	if err != nil {
		return nil, nil, err
	}
	ex, err := cat.Exercise(id)
	return ex, cat, err
}

// cacheDir is where clones of git catalogs live: $GRADER_CACHE, else the
// user's cache folder.
func (a *app) cacheDir() (string, error) {
	if d := a.getenv("GRADER_CACHE"); d != "" {
		return d, nil
	}
	if d := a.getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "grader"), nil
	}
	if h := a.getenv("HOME"); h != "" {
		return filepath.Join(h, ".cache", "grader"), nil
	}
	return "", infraf("cannot find a cache folder: set GRADER_CACHE or HOME")
}

// store returns the learner's progress store.
func (a *app) store() (*progress.Store, error) {
	dir, err := progress.Dir(a.getenv)
	if err != nil {
		return nil, usage(err)
	}
	return progress.Open(dir), nil
}

// loadProgress reads progress for display. A damaged file is reported, once,
// and treated as empty: it must never stop a check.
func (a *app) loadProgress() *progress.State {
	st := &progress.State{Exercises: map[string]*progress.Exercise{}}
	s, err := a.store()
	if err != nil {
		a.log.Warn().Err(err).Msg("progress is not available")
		return st
	}
	got, err := s.Load()
	if err != nil {
		a.log.Warn().Err(err).Msg("ignoring damaged progress; it will be set aside at the next check")
	}
	return got
}

// updateProgress changes the learner's progress, reporting (not failing on) a
// damaged or unwritable file.
func (a *app) updateProgress(f func(*progress.State)) {
	s, err := a.store()
	if err == nil {
		err = s.Update(f)
	}
	switch {
	case errors.Is(err, progress.ErrCorrupt):
		a.log.Warn().Err(err).Msg("progress file was damaged: set aside as progress.json.damaged and started afresh")
	case err != nil:
		a.log.Warn().Err(err).Msg("could not save progress")
	}
}

// reportOptions decides colour once for every format that prints.
func (a *app) reportOptions() report.Options {
	return report.Options{Color: a.color(a.stdout), Verbose: a.verbose > 0}
}

// color reports whether to colour output written to w: only a terminal, never
// with NO_COLOR set to anything, and --color overrides both.
func (a *app) color(w io.Writer) bool {
	switch a.colorFlag {
	case "always":
		return true
	case "never":
		return false
	}
	if a.getenv("NO_COLOR") != "" || a.getenv("TERM") == "dumb" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && isTerminal(f)
}
