package sandbox

import (
	"errors"
	"strings"
)

// Kinds of failure a caller maps to exit codes and verdicts with [errors.Is].
// None of them is the learner's fault: a run that a limit ended is a [Result],
// not an error.
var (
	// ErrNoDocker means the Docker engine cannot be reached, so nothing that
	// needs a container can be judged (exit 3, not gradable).
	ErrNoDocker = errors.New("docker is not available")
	// ErrImageMissing means an image is not on this machine and could not be
	// pulled; the message names the image and how to build or map it.
	ErrImageMissing = errors.New("image is missing")
	// ErrInvalid means a [Spec] asks for something the sandbox refuses (a limit
	// above its cap, an output path outside the working folder, host
	// networking): the exercise, not the learner, must change.
	ErrInvalid = errors.New("invalid sandbox spec")
)

// Error is an infrastructure failure with a hint a person can act on. It
// matches its Kind and its cause with [errors.Is].
type Error struct {
	Kind error  // ErrNoDocker, ErrImageMissing, ErrInvalid, or nil
	Msg  string // what went wrong, for the user
	Hint string // what to do about it
	Err  error  // the underlying cause, if any
}

// Error returns the message, the cause and the hint, in that order, so the
// line a person reads ends with what to do.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Msg)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	if e.Hint != "" {
		b.WriteString("; ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// Unwrap returns the kind and the cause, so both match with [errors.Is].
func (e *Error) Unwrap() []error {
	var errs []error
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

func invalidf(msg string) error { return &Error{Kind: ErrInvalid, Msg: msg} }
