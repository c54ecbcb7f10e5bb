package code

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox"
)

// Sandbox runs one command in a hardened container: the part of
// [sandbox.Engine] the checks need, declared here so tests can count or fake
// runs and the command can connect to Docker lazily. The engine queues runs
// for the machine's cores ([sandbox.Engine.Cores]), so a batch graded with
// more jobs than cores does not starve a correct solution of its time.
type Sandbox interface {
	Run(ctx context.Context, s sandbox.Spec) (*sandbox.Result, error)
}

var _ Sandbox = (*sandbox.Engine)(nil)

// WarmSandbox is a [Sandbox] that can also run in a container kept for the
// learner's next check ([sandbox.Engine.RunWarm]). When the Sandbox given to
// [Kinds] is one, the code checks run through RunWarm; it decides whether
// this run may reuse a container (a learner's own `grader check`) or must
// take a fresh one (grade and validate, which judge untrusted batches).
type WarmSandbox interface {
	Sandbox
	RunWarm(ctx context.Context, s sandbox.Spec) (*sandbox.Result, error)
}

// Kinds returns the programming kinds of check, whose code runs in sb. Kinds
// compile without touching sb; only checking runs anything.
func Kinds(sb Sandbox) runner.Kinds {
	k := &kinds{sb: sb}
	return runner.Kinds{
		"python.compiles": runner.ParamsKind[CompilesParams](k.compileCompiles(Python)),
		"python.test":     runner.ParamsKind[TestParams](k.compileTest(Python, false)),
		"go.compiles":     runner.ParamsKind[CompilesParams](k.compileCompiles(Go)),
		"go.vet":          runner.ParamsKind[CompilesParams](k.compileVet),
		"go.test":         runner.ParamsKind[TestParams](k.compileTest(Go, false)),
		"program.io":      runner.ParamsKind[TestParams](k.compileTest("", true)),
	}
}

type kinds struct {
	sb Sandbox
}

// CompilesParams are the parameters of python.compiles, go.compiles and
// go.vet.
type CompilesParams struct {
	// Suite is the exercise's hidden suite file (default tests/cases.yaml):
	// the checks of an exercise that name the same suite share one run.
	Suite string `yaml:"suite"`
}

// TestParams are the parameters of python.test, go.test and program.io.
type TestParams struct {
	// Suite is the exercise's hidden suite file (default tests/cases.yaml).
	Suite string `yaml:"suite"`
	// Cases and Groups choose the suite's cases this check judges, by id
	// and by group; neither means every case of the kind's shape (function
	// calls, or program runs for program.io).
	Cases  []string `yaml:"cases"`
	Groups []string `yaml:"groups"`
}

func (k *kinds) loadSuite(p runner.Params, name, lang string) (*suite, error) {
	if name == "" {
		name = DefaultSuite
		if _, err := fs.Stat(p.Files, name); err != nil && p.Files != nil {
			if _, err := fs.Stat(p.Files, "_"+DefaultSuite); err == nil {
				name = "_" + DefaultSuite
			}
		}
	}
	s, err := loadSuite(p.Files, "suite", name)
	if err != nil {
		return nil, err
	}
	if lang != "" && s.lang != lang {
		return nil, &runner.ParamError{Field: "suite", Msg: fmt.Sprintf("%s is a %s suite; this kind runs %s", s.file, s.lang, lang)}
	}
	return s, nil
}

func (k *kinds) compileCompiles(lang string) func(p runner.Params, prm *CompilesParams) (runner.Checker, error) {
	return func(p runner.Params, prm *CompilesParams) (runner.Checker, error) {
		s, err := k.loadSuite(p, prm.Suite, lang)
		if err != nil {
			return nil, err
		}
		return k.checker(s, func(ctx context.Context, a runner.Attempt) runner.Outcome {
			rr, out := k.prepare(ctx, a, s)
			if out != nil {
				return *out
			}
			if msg := compileProblem(rr, s.lang); msg != "" {
				return runner.Failed("%s", msg)
			}
			if rr.pre == nil {
				return runner.Failed("the run %s before compiling finished", rr.limitMsg)
			}
			return runner.Passed("your code compiles")
		}), nil
	}
}

func (k *kinds) compileVet(p runner.Params, prm *CompilesParams) (runner.Checker, error) {
	s, err := k.loadSuite(p, prm.Suite, Go)
	if err != nil {
		return nil, err
	}
	if !s.vet {
		return nil, &runner.ParamError{Field: "suite", Msg: fmt.Sprintf("%s sets vet: false", s.file)}
	}
	return k.checker(s, func(ctx context.Context, a runner.Attempt) runner.Outcome {
		rr, out := k.prepare(ctx, a, s)
		if out != nil {
			return *out
		}
		if msg := compileProblem(rr, Go); msg != "" {
			return runner.Failed("go vet cannot check code that does not compile; %s", msg)
		}
		if rr.pre == nil {
			return runner.Failed("the run %s before go vet finished", rr.limitMsg)
		}
		if msg := vetProblem(rr); msg != "" {
			return runner.Failed("%s", msg)
		}
		return runner.Passed("go vet finds nothing")
	}), nil
}

func (k *kinds) compileTest(lang string, io bool) func(p runner.Params, prm *TestParams) (runner.Checker, error) {
	return func(p runner.Params, prm *TestParams) (runner.Checker, error) {
		s, err := k.loadSuite(p, prm.Suite, lang)
		if err != nil {
			return nil, err
		}
		cases, err := s.selectCases(prm.Cases, prm.Groups, io)
		if err != nil {
			return nil, err
		}
		return k.checker(s, func(ctx context.Context, a runner.Attempt) runner.Outcome {
			return k.checkCases(ctx, a, s, cases)
		}), nil
	}
}

// checkCases judges cases on the attempt's run: it passes when every one
// passes, and otherwise reports the first that failed.
func (k *kinds) checkCases(ctx context.Context, a runner.Attempt, s *suite, cases []*testCase) runner.Outcome {
	rr, out := k.prepare(ctx, a, s)
	if out != nil {
		return *out
	}
	if msg := compileProblem(rr, s.lang); msg != "" {
		return runner.Failed("no test could run: %s", msg)
	}
	if rr.pre == nil {
		return runner.Failed("no test could run: the run %s while compiling your code", rr.limitMsg)
	}
	if s.race && rr.pre.Race == "unavailable" {
		// Without the race detector a racy solution could pass: not gradable.
		return runner.Errored(&sandbox.Error{
			Msg:  fmt.Sprintf("the tests need the race detector, and image %s has no C compiler for it (cgo)", s.image),
			Hint: fmt.Sprintf("rebuild the sandbox images (`make images`) or map %s to an image with gcc", s.image),
		})
	}
	var first *verdict
	failed := 0
	for _, c := range cases {
		v := judge(rr, s, c)
		if v.pass {
			continue
		}
		failed++
		if first == nil {
			first = &v
		}
	}
	if first == nil {
		if len(cases) == 1 {
			return runner.Passed("the case passes")
		}
		return runner.Passed(fmt.Sprintf("all %d cases pass", len(cases)))
	}
	msg := first.message
	if len(cases) > 1 {
		msg = fmt.Sprintf("%d of %d cases fail; the first: %s", failed, len(cases), msg)
	}
	if rr.limit != "" && !containsLimit(msg, rr.limitMsg) {
		msg += "\n(The run " + rr.limitMsg + ".)"
	}
	return runner.Outcome{Status: runner.Fail, Message: msg, Expected: first.expected, Actual: first.actual}
}

func containsLimit(msg, limit string) bool {
	return limit != "" && strings.Contains(msg, limit)
}

// prepare returns the attempt's run, or the outcome every check gets when
// there is none: an error when the sandbox failed (Docker down, an image
// missing: nobody's fault, not gradable), a failure when the workspace
// itself was refused.
func (k *kinds) prepare(ctx context.Context, a runner.Attempt, s *suite) (*runResult, *runner.Outcome) {
	if k.sb == nil {
		o := runner.Errored(errors.New("no sandbox to run code in: this grader was built without Docker support"))
		return nil, &o
	}
	rr, err := k.result(ctx, a, s)
	if err != nil {
		if ctx.Err() != nil {
			o := runner.Errored(ctx.Err())
			return nil, &o
		}
		o := runner.Errored(err)
		return nil, &o
	}
	if rr.refused != "" {
		o := runner.Failed("%s", rr.refused)
		return nil, &o
	}
	return rr, nil
}

// checker makes a compiled code check. Its setup runs the attempt's sandbox
// (once per attempt, shared by its checks) before the check's deadline
// starts: the run has its own limits, enforced from the host, and waiting
// for a container on a busy machine is not the learner's time. A sandbox
// failure (no Docker, an image missing) makes the check an error, the
// learner not at fault.
func (k *kinds) checker(s *suite, check runner.CheckerFunc) runner.Checker {
	return runner.Prepared{
		Setup: func(ctx context.Context, a runner.Attempt) error {
			if k.sb == nil {
				return nil // check says so
			}
			_, err := k.result(ctx, a, s)
			return err
		},
		Run: check,
	}
}
