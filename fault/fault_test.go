package fault_test

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"

	"github.com/backendroadmap/grader/fault"
)

// specErr is a classified error with structure of its own, as
// exercises.SpecError is.
type specErr struct{}

func (specErr) Error() string     { return "spec: 2 problems" }
func (specErr) Fault() fault.Kind { return fault.Usage }

func TestExitCodesFollowWhoseFaultItIs(t *testing.T) {
	noDocker := errors.New("docker is not available")
	cases := []struct {
		name string
		err  error
		want int
	}{
		{"learner", fault.Learnerf("no file %s", "a.sql"), 1},
		{"usage", fault.Usagef("unknown flag"), 2},
		{"infra", fault.Infraf("disk full"), 3},
		{"unclassified is grader's", errors.New("boom"), 3},
		{"classified by its own type", fmt.Errorf("load: %w", specErr{}), 2},
		{"the outermost kind wins", fault.Usagef("bad spec: %w", fault.Infraf("inner")), 2},
		{"a class sentinel keeps the kind", &fault.Error{Class: noDocker, Msg: "cannot reach Docker"}, 3},
	}
	for _, c := range cases {
		k, _ := fault.KindOf(c.err)
		if got := k.ExitCode(); got != c.want {
			t.Errorf("%s: exit %d, want %d", c.name, got, c.want)
		}
	}
}

func TestErrorKeepsItsHintOutOfItsText(t *testing.T) {
	noDocker := errors.New("docker is not available")
	cause := fs.ErrPermission
	err := fmt.Errorf("start a Redis container: %w", &fault.Error{
		Class: noDocker, Msg: "cannot reach the Docker engine", Err: cause, Hint: "start Docker",
	})
	if got, want := err.Error(), "start a Redis container: cannot reach the Docker engine: permission denied"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got := fault.HintOf(err); got != "start Docker" {
		t.Errorf("HintOf = %q", got)
	}
	if got := fault.MessageOf(err); got != "cannot reach the Docker engine" {
		t.Errorf("MessageOf = %q: a learner must see the message, not the causes", got)
	}
	if !errors.Is(err, noDocker) || !errors.Is(err, cause) {
		t.Error("the class and the cause must both match errors.Is")
	}
	if got, want := fault.Line(err), err.Error()+"; start Docker"; got != want {
		t.Errorf("Line = %q, want %q", got, want)
	}
	if got := fault.MessageOf(errors.New("pq: syntax error")); got != "" {
		t.Errorf("MessageOf(unclassified) = %q, want \"\" so callers say something general", got)
	}
}

func TestHintFoundBehindAHintlessWrapper(t *testing.T) {
	inner := &fault.Error{Msg: "image redis:7 is missing", Hint: "run make images"}
	err := fault.As(fault.Usage, fmt.Errorf("prepare: %w", inner))
	if got := fault.HintOf(err); got != "run make images" {
		t.Errorf("HintOf = %q", got)
	}
	if !fault.Is(err, fault.Infra) {
		t.Error("As must keep the kind an error already has")
	}
	if fault.Is(fault.As(fault.Usage, errors.New("bad flag")), fault.Usage) != true {
		t.Error("As must classify an unclassified error")
	}
	if fault.As(fault.Usage, nil) != nil || fault.WithHint(nil, "x") != nil {
		t.Error("nil must stay nil")
	}
	hinted := fault.WithHint(fault.Usagef("no such exercise"), "grader list shows them")
	if !fault.Is(hinted, fault.Usage) || fault.HintOf(hinted) != "grader list shows them" {
		t.Errorf("WithHint lost the kind or the hint: %v", hinted)
	}
}
