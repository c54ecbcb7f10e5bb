package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/backendroadmap/grader/exercises"
	"github.com/backendroadmap/grader/fault"
)

// handedOffEnv is set, to the lean build's version, in the environment of a
// grader-full that a lean grader handed a command to: it stops a loop (a
// lean binary installed as grader-full), and lets the full build say when
// the pair's versions differ.
const handedOffEnv = "GRADER_HANDED_OFF"

// fullEnv names grader-full's path when it is neither next to grader nor on
// PATH.
const fullEnv = "GRADER_FULL"

// handOff runs this whole command line again in grader-full when one of exs
// uses a kind this build does not link (see [fullBinary]), and returns only
// if that cannot be done. It is called after the exercises are read and
// before anything is started or printed, so grader-full starts from the
// same state. A build that links every kind never hands off.
func (a *app) handOff(exs ...*exercises.Exercise) error {
	var needs, ids []string
	for _, ex := range exs {
		if k := ex.Elsewhere(); len(k) > 0 {
			needs = append(needs, k...)
			ids = append(ids, ex.ID)
		}
	}
	if len(needs) == 0 {
		return nil
	}
	return a.handOffTo(fmt.Sprintf("%s uses kind %s, which this build of grader leaves to %s", strings.Join(ids, ", "), needs[0], fullBinary), needs)
}

// handOffAlways hands a command this build does not include to grader-full.
func (a *app) handOffAlways(command string) error {
	return a.handOffTo(fmt.Sprintf("grader %s is left to %s by this build of grader", command, fullBinary), nil)
}

// handOffTo replaces this process with grader-full; what says why.
func (a *app) handOffTo(what string, needs []string) error {
	if by := a.getenv(handedOffEnv); by != "" {
		return fault.WithHint(infraf("%s; but this binary was itself started as %s by grader %s", what, fullBinary, by),
			fmt.Sprintf("%s is a lean build too: rebuild both with `make build`", fullBinary))
	}
	path, err := a.findFull()
	if err != nil {
		return fault.WithHint(infraf("%s, and %v", what, err),
			fmt.Sprintf("build both with `make build` (bin/grader and bin/%s), or set $%s to its path; `go install ./cmd/grader` makes one binary with every kind", fullBinary, fullEnv))
	}
	a.log.Debug().Str("binary", path).Strs("kinds", needs).Msg("handing the command to " + fullBinary)
	if err := a.exec(path, append([]string{path}, a.args...), handedOffEnv+"="+version); err != nil {
		return infraf("starting %s: %v", path, err)
	}
	return nil
}

// findFull is grader-full's path: $GRADER_FULL, else next to this
// executable (so a pair built together runs together), else on PATH.
func (a *app) findFull() (string, error) {
	if p := a.getenv(fullEnv); p != "" {
		if _, err := exec.LookPath(p); err != nil {
			return "", fmt.Errorf("$%s=%s is not an executable file", fullEnv, p)
		}
		return p, nil
	}
	var tried []string
	if self, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(self), fullBinary)
		if _, err := exec.LookPath(p); err == nil {
			return p, nil
		}
		tried = append(tried, filepath.Dir(self))
	}
	if p, err := exec.LookPath(fullBinary); err == nil {
		return filepath.Abs(p)
	}
	tried = append(tried, "PATH")
	return "", fmt.Errorf("no %s was found in %s", fullBinary, strings.Join(tried, " or on "))
}

// execReplacing replaces this process with path, keeping its environment and
// adding extra: exit code, streams and signals are then grader-full's own.
func execReplacing(path string, argv []string, extra string) error {
	return syscall.Exec(path, argv, append(os.Environ(), extra))
}

// readable is the exercises of cat named by ids that load; the others are
// reported by whatever the command does next. A build that links every kind
// hands nothing off, so it reads none of them here.
func readable(cat *exercises.Catalog, ids []string) []*exercises.Exercise {
	if !leanBuild {
		return nil
	}
	var exs []*exercises.Exercise
	for _, id := range ids {
		if ex, err := cat.Exercise(id); err == nil {
			exs = append(exs, ex)
		}
	}
	return exs
}
