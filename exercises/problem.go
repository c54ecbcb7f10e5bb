package exercises

import (
	"fmt"
	"strings"

	"github.com/backendroadmap/grader/fault"
)

// Problem is one thing wrong with an exercise spec, located precisely enough for
// an author to jump to it: file, line and field path (checks[2].with.branch).
type Problem struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Field != "" {
		b.WriteString(p.Field + ": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// SpecError lists every problem found in one or more exercise specs, so an
// author fixes them in one pass instead of one per run.
type SpecError struct {
	Problems []Problem
}

// Fault says a spec's problems are its author's to fix.
func (e *SpecError) Fault() fault.Kind { return fault.Usage }

func (e *SpecError) Error() string {
	lines := make([]string, 0, len(e.Problems)+1)
	if len(e.Problems) == 1 {
		lines = append(lines, "invalid exercise spec:")
	} else {
		lines = append(lines, fmt.Sprintf("invalid exercise spec (%d problems):", len(e.Problems)))
	}
	for _, p := range e.Problems {
		lines = append(lines, "  "+p.String())
	}
	return strings.Join(lines, "\n")
}

// UnknownError is returned for an exercise id the catalog does not hold. It
// carries the nearest ids so the command can suggest them.
type UnknownError struct {
	ID      string
	Catalog string
	Near    []string
}

// Fault says an unknown id is the caller's to fix.
func (e *UnknownError) Fault() fault.Kind { return fault.Usage }

func (e *UnknownError) Error() string {
	msg := fmt.Sprintf("no exercise %q in catalog %s", e.ID, e.Catalog)
	if len(e.Near) > 0 {
		msg += "; did you mean " + strings.Join(e.Near, ", ") + "?"
	}
	return msg + " (`grader list` shows them all)"
}
