package runner

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/backendroadmap/grader/fault"
)

// Status is the verdict on one check or on a whole attempt.
type Status string

// The statuses a check or report can have. They are part of the stable JSON
// contract (grader.results/v1): never rename one.
const (
	// Pass: the check found what it asked for.
	Pass Status = "pass"
	// Fail: the learner's work does not do what the check asks; the message says why.
	Fail Status = "fail"
	// Error: the check could not judge (Docker down, an image missing, a bug in a
	// kind of check). The attempt is not gradable and the learner is not to blame.
	Error Status = "error"
	// Skip: the check did not run because a check it depends on did not pass.
	Skip Status = "skip"
)

// Outcome is what a [Checker] found. Message is written for the learner: it says
// what is wrong and, where it can, what to do next. Expected and Actual, when set,
// are shown side by side.
type Outcome struct {
	Status   Status
	Message  string
	Expected string
	Actual   string
	// Hint, on an error, says what to do next (start Docker, build the
	// images); a failure's hint is the exercise's own, which [Run] adds.
	Hint string
	// Detail is grader's own error text behind an error: for the log, the
	// JSON report and -v, never the learner's plain report.
	Detail string
}

// Passed returns a passing outcome with an optional message.
func Passed(msg string) Outcome { return Outcome{Status: Pass, Message: msg} }

// Failed returns a failing outcome whose message is built like fmt.Sprintf.
func Failed(format string, args ...any) Outcome {
	return Outcome{Status: Fail, Message: fmt.Sprintf(format, args...)}
}

// Errored returns an outcome for a check that could not judge the attempt,
// from err as the [fault] package classifies it. Use it only when the
// learner is not at fault: it makes the attempt ungradable. (An err that
// says it is the learner's makes the check fail with its message instead.)
//
// The message is the one the error's maker wrote for people, with its hint;
// an error that nobody wrote for people (a library's, a bug's) is shown as
// grader's own failure, with its text kept in Detail.
func Errored(err error) Outcome {
	if fault.Is(err, fault.Learner) {
		return Outcome{Status: Fail, Message: fault.MessageOf(err)}
	}
	out := Outcome{Status: Error, Message: fault.MessageOf(err), Hint: fault.HintOf(err), Detail: err.Error()}
	if out.Message == "" {
		out.Message = "grader could not run this check: something in its own environment failed, not your work"
		if out.Hint == "" {
			out.Hint = rerunHint
		}
	}
	if out.Detail == out.Message {
		out.Detail = ""
	}
	return out
}

// rerunHint is what to do about an error grader cannot explain.
const rerunHint = "Run the check again. If it fails the same way, run it with -v, which shows grader's own error, and report that."

// bug is the outcome of a kind of check that broke (a panic, no status):
// the learner sees whose fault it is, the log and the JSON report what
// broke.
func bug(kind, detail string) Outcome {
	return Outcome{
		Status:  Error,
		Message: fmt.Sprintf("grader failed inside check kind %s: a bug in grader, not in your work", kind),
		Hint:    rerunHint,
		Detail:  detail,
	}
}

// Attempt is the learner's work being graded.
type Attempt struct {
	// Dir is the folder that holds the learner's files: a workspace made by
	// `grader start`, or a submission checked out for CI.
	Dir string
	// Strict is set when grading for a record (CI) rather than for practice. Hidden
	// checks run only then.
	Strict bool
	// Memo is shared by the attempt's checks; [Run] sets it when nil.
	Memo *Memo
}

// Checker judges one check against an attempt. It must return when ctx is done;
// the runner stops waiting for it at the check's deadline either way.
type Checker interface {
	Check(ctx context.Context, a Attempt) Outcome
}

// Preparer is a [Checker] with setup that is not the learner's to pay for:
// starting a database server, building its template. [Run] calls Prepare
// before the check's deadline starts, so a slow cold start on a busy machine
// is never the learner's timeout. An error makes the check an error (the
// attempt is not gradable); Prepare must return when ctx is done.
type Preparer interface {
	Checker
	Prepare(ctx context.Context, a Attempt) error
}

// Failure returns a learner's failure found during setup (a server that
// never listens, a file the check needs that is missing), whose message is
// built like fmt.Sprintf: a [fault.Learner] error. [Run] makes it the
// check's failure with that message, rather than an error that would make
// the attempt ungradable.
func Failure(format string, args ...any) error { return fault.Learnerf(format, args...) }

// ErrNoService is what [Params].Service returns (wrapped) when the exercise
// declares no block of that name: a kind for which the service is optional
// (an HTTP check whose server may or may not have a database) tests for it
// with errors.Is and goes on without.
var ErrNoService = errors.New("the exercise declares no such service")

// CheckerFunc adapts a function to [Checker].
type CheckerFunc func(ctx context.Context, a Attempt) Outcome

// Check calls f.
func (f CheckerFunc) Check(ctx context.Context, a Attempt) Outcome { return f(ctx, a) }

// Prepared is a [Preparer] made of two functions: Setup (which may be nil)
// runs before the check's deadline, Run under it. The kinds that need a
// service or a sandbox build their checks with it rather than each with a
// type of their own.
type Prepared struct {
	Setup func(ctx context.Context, a Attempt) error
	Run   CheckerFunc
}

var _ Preparer = Prepared{}

// Prepare calls Setup, if any.
func (p Prepared) Prepare(ctx context.Context, a Attempt) error {
	if p.Setup == nil {
		return nil
	}
	return p.Setup(ctx, a)
}

// Check calls Run.
func (p Prepared) Check(ctx context.Context, a Attempt) Outcome { return p.Run(ctx, a) }

// Using makes a check around something it must get before its deadline
// starts (the learner's server, a browser): Setup calls get, and Run calls
// it again (get remembers, in the attempt's Memo) and judges with run. A
// [fault.Learner] error from get fails the check with its message (the
// learner's server did not come up); any other error is an error. Every
// kind that needs a started thing builds its check this way, so they agree
// on which failure is whose.
func Using[T any](get func(ctx context.Context, a Attempt) (T, error), run func(ctx context.Context, a Attempt, v T) Outcome) Checker {
	return Prepared{
		Setup: func(ctx context.Context, a Attempt) error {
			_, err := get(ctx, a)
			return err
		},
		Run: func(ctx context.Context, a Attempt) Outcome {
			v, err := get(ctx, a)
			if err != nil {
				return Errored(err)
			}
			return run(ctx, a, v)
		},
	}
}

// ServiceError is a mistake a kind found in the exercise's
// `services.<Service>` block after decoding it, such as a seed file that does
// not parse. The spec loader reports it at that block's own field and line,
// once, rather than at every check that uses the service.
type ServiceError struct {
	Service string // the service's name: postgres, redis
	Field   string // the block's field, like seed; empty for the whole block
	Msg     string
}

func (e *ServiceError) Error() string {
	f := "services." + e.Service
	if e.Field != "" {
		f += "." + e.Field
	}
	return f + ": " + e.Msg
}

// Params is what a [Kind] gets to build a [Checker] from an exercise spec.
type Params struct {
	// Decode fills v (a pointer to the kind's parameter struct, with yaml tags)
	// from the check's `with:` block. Unknown fields are errors.
	Decode func(v any) error
	// Files is the exercise's own folder, for kinds that read reference files.
	Files fs.FS
	// Service fills v from the exercise's `services.<name>` block: what a
	// kind's service (a PostgreSQL schema and seed, a Redis dataset) is set up
	// with, declared once for all the exercise's checks. It is an error when
	// the exercise declares no such block. Nil when the caller has no
	// exercise (a schema generator), which kinds treat as an empty block.
	Service func(name string, v any) error
	// Hidden is set for a `visibility: hidden` check. [Run] withholds its
	// Expected and Actual; its Message is shown, so a kind that quotes the
	// data it compares (rows, scores) says only how much differs instead:
	// CI output must not hand over hidden data or answers.
	Hidden bool
}

// Kind is one kind of check (git.branch, sql.result, ...). A kind compiles its
// parameters once, when the catalog is loaded, so a malformed spec is reported
// by `grader validate` with its file and line rather than when a learner runs it.
type Kind interface {
	Compile(p Params) (Checker, error)
}

// KindFunc adapts a function to [Kind].
type KindFunc func(p Params) (Checker, error)

// Compile calls f.
func (f KindFunc) Compile(p Params) (Checker, error) { return f(p) }

// Kinds maps a kind's name, as written in an exercise spec, to the kind.
type Kinds map[string]Kind

// MergeKinds joins the kinds of several families (each package's Kinds) into
// one map. A name that more than one family defines is an error naming it:
// the later family would silently replace the earlier one's kind, and every
// exercise using it would be graded by the wrong code.
func MergeKinds(families ...Kinds) (Kinds, error) {
	all := Kinds{}
	var dup []string
	for _, ks := range families {
		for name, k := range ks {
			if _, ok := all[name]; ok {
				dup = append(dup, name)
				continue
			}
			all[name] = k
		}
	}
	if len(dup) > 0 {
		slices.Sort(dup)
		return nil, fmt.Errorf("kinds defined by more than one family: %s", strings.Join(slices.Compact(dup), ", "))
	}
	return all, nil
}

// ParamError is a problem with one parameter of a check. Kinds return it from
// Compile so the spec loader can point at the parameter's own line.
type ParamError struct {
	Field string // the parameter's name as written in the spec
	Msg   string
}

func (e *ParamError) Error() string { return e.Field + ": " + e.Msg }

// Check is one compiled check of an exercise.
type Check struct {
	ID        string
	Name      string
	Kind      string
	DependsOn []string
	// Hints are revealed one at a time, in order, by `grader hint`.
	Hints   []string
	Points  int
	Timeout time.Duration
	// Hidden checks run only when the attempt is strict, and their expected and
	// actual values are never shown.
	Hidden  bool
	Checker Checker
}
