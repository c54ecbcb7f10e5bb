package main

import (
	"io"
	"os"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/term"
)

// newLogger writes logs and progress to stderr: readable lines on a terminal,
// JSON lines in CI or when stderr is a file or pipe, so a machine can parse
// them. -v shows info, -vv debug; by default only warnings reach the learner.
func (a *app) newLogger() zerolog.Logger {
	level := zerolog.WarnLevel
	switch {
	case a.verbose >= 2:
		level = zerolog.DebugLevel
	case a.verbose == 1:
		level = zerolog.InfoLevel
	}
	var w io.Writer = a.stderr
	f, isFile := a.stderr.(*os.File)
	if isFile && isTerminal(f) && a.getenv("CI") == "" {
		w = zerolog.ConsoleWriter{Out: a.stderr, NoColor: !a.color(a.stderr), TimeFormat: time.Kitchen}
	}
	return zerolog.New(w).Level(level).With().Timestamp().Logger()
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
