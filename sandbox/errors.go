package sandbox

import (
	"errors"

	"github.com/backendroadmap/grader/fault"
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

// Error is an infrastructure failure with a hint a person can act on: a
// [fault.Error] whose Class is one of the kinds above (or nil) and whose
// cause matches with [errors.Is]. The sandbox's errors are grader's one
// kind of error, so the command prints their hint on its own line and maps
// them to exit code 3 like any other.
type Error = fault.Error

// invalidf is a spec the sandbox refuses: the exercise's author fixes it.
func invalidf(msg string) error { return &Error{Kind: fault.Usage, Class: ErrInvalid, Msg: msg} }
