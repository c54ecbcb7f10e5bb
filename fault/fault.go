// Package fault is grader's one kind of error a person reads: whose move it
// is (the learner's, the caller's or the exercise author's, or grader's
// environment), a message in words for that person, a hint on what to do
// next, and the cause, kept for logs and for [errors.Is].
//
// Every layer classifies its errors with it, and the command maps the class
// to an exit code in one place ([Kind.ExitCode]), so "whose fault" is
// decided where the error is made, by the code that knows, never guessed
// from message text. It imports nothing of grader's, so any package may use
// it.
package fault

import (
	"errors"
	"fmt"
	"strings"
)

// Kind says whose move it is when something did not work.
type Kind uint8

const (
	// Infra is grader's environment failing: Docker down, an image missing,
	// a disk that cannot be written, a bug in grader. Nobody's work was
	// judged. It is the zero Kind, so an error nobody classified counts as
	// grader's, never as the learner's.
	Infra Kind = iota
	// Learner is the learner's work not doing what a check asks: a file
	// missing, a server that never listens, an image that does not build.
	Learner
	// Usage is how grader was called or how an exercise is written: a flag,
	// an unknown exercise id, a spec field. The caller or the author fixes
	// it.
	Usage
)

// Exit codes, documented in `grader help exit-codes`: a contract with
// scripts and CI, so never renumbered.
const (
	ExitPass        = 0
	ExitFail        = 1
	ExitUsage       = 2
	ExitInfra       = 3
	ExitInterrupted = 130
)

// ExitCode is the process exit code for an error of kind k: the one mapping
// from whose fault to a number.
func (k Kind) ExitCode() int {
	switch k {
	case Learner:
		return ExitFail
	case Usage:
		return ExitUsage
	default:
		return ExitInfra
	}
}

// Error is an error with its kind and a hint. Error() is the message and
// the cause; the hint is not part of it, so each output puts it where its
// reader looks for what to do next (its own line, a report's hint field).
type Error struct {
	Kind Kind
	// Msg says what went wrong, for the person reading (learner, author or
	// CI staff): no stack, no Go type names.
	Msg string
	// Hint says what to do next; empty when the message says it all.
	Hint string
	// Err is the cause, matched by errors.Is and errors.As. Its text is part
	// of Error() but not of the message a check's report shows a learner.
	Err error
	// Class, when set, is a sentinel the error also matches with errors.Is
	// (sandbox.ErrNoDocker), so callers can tell what happened without
	// reading the message.
	Class error
}

// Error returns the message and the cause's text.
func (e *Error) Error() string {
	switch {
	case e.Err == nil:
		return e.Msg
	case e.Msg == "":
		return e.Err.Error()
	}
	return e.Msg + ": " + e.Err.Error()
}

// Unwrap returns the class and the cause, so both match with errors.Is.
func (e *Error) Unwrap() []error {
	var errs []error
	if e.Class != nil {
		errs = append(errs, e.Class)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// Fault returns the error's kind: *Error is a [Classified].
func (e *Error) Fault() Kind { return e.Kind }

// Classified is an error that knows whose fault it is without being an
// *[Error]: one that carries structure of its own (an exercise spec's list
// of problems, the ids nearest an unknown one) says its kind this way.
type Classified interface {
	error
	Fault() Kind
}

// Learnerf returns a learner's failure whose message is built like
// fmt.Sprintf.
func Learnerf(format string, args ...any) error {
	return &Error{Kind: Learner, Msg: fmt.Sprintf(format, args...)}
}

// Usagef returns a usage error whose message is built like fmt.Errorf: a %w
// verb makes its operand the cause, matched by errors.Is.
func Usagef(format string, args ...any) error { return wrapf(Usage, format, args...) }

// Infraf returns an infrastructure error whose message is built like
// fmt.Errorf: a %w verb makes its operand the cause.
func Infraf(format string, args ...any) error { return wrapf(Infra, format, args...) }

func wrapf(k Kind, format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	// The message is the whole formatted text, so Error() must not repeat
	// the cause: it is kept for errors.Is through Class.
	return &Error{Kind: k, Msg: err.Error(), Class: errors.Unwrap(err)}
}

// As marks err as kind k, keeping its text as the message and err as the
// cause's chain; an error already classified keeps the kind it has. Nil
// stays nil.
func As(k Kind, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := KindOf(err); ok {
		return err
	}
	return &Error{Kind: k, Msg: err.Error(), Class: err}
}

// WithHint returns err with hint as what to do next, keeping its kind (an
// unclassified err becomes an [Infra] one). Nil stays nil.
func WithHint(err error, hint string) error {
	if err == nil {
		return nil
	}
	k, _ := KindOf(err)
	return &Error{Kind: k, Msg: err.Error(), Hint: hint, Class: err}
}

// KindOf returns the kind of the outermost classified error in err's chain,
// and whether there is one. An unclassified error is [Infra]'s.
func KindOf(err error) (Kind, bool) {
	var c Classified
	if errors.As(err, &c) {
		return c.Fault(), true
	}
	return Infra, false
}

// Is reports whether err is classified as kind k.
func Is(err error, k Kind) bool {
	got, ok := KindOf(err)
	return ok && got == k
}

// HintOf returns the first hint in err's chain, or "".
func HintOf(err error) string {
	for err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return ""
		}
		if e.Hint != "" {
			return e.Hint
		}
		// Look past this one: its cause or class may carry a hint.
		next := errors.Join(e.Unwrap()...)
		if next == nil {
			return ""
		}
		err = next
	}
	return ""
}

// MessageOf returns what a person should read of err: the message of the
// outermost *[Error] in its chain (without the causes behind it), or "" when
// there is none, so the caller says something general rather than show
// grader's own error text.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		if e.Msg != "" {
			return e.Msg
		}
		return e.Error()
	}
	return ""
}

// Line returns err's text with its hint after it, for outputs that give an
// error one line (a report's error field, a log line, a validate problem).
func Line(err error) string {
	if err == nil {
		return ""
	}
	msg := err.Error()
	if h := HintOf(err); h != "" && !strings.Contains(msg, h) {
		msg += "; " + h
	}
	return msg
}
