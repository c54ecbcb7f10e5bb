package runner

import (
	"context"
	"fmt"
)

// Elsewhere stands for a kind that a lean build of grader knows by name but
// does not link. Most of what a learner runs (git, SQL, Redis, code checks)
// needs none of the large libraries the server, security and DevOps kinds
// bring (an OpenAPI validator, compose-go, actionlint, a job queue), and a
// command that is mostly start-up should not pay to initialise them. A lean
// build can still list, show and start those exercises; before it grades
// one, it hands the command to the full build (see [Exercise.Elsewhere]).
//
// Elsewhere compiles any parameters: the full build checks them.
type Elsewhere string

// Compile accepts p unread and returns a checker that only errors: the
// command was meant to hand the exercise on before running it.
func (k Elsewhere) Compile(Params) (Checker, error) { return elsewhereCheck(k), nil }

type elsewhereCheck Elsewhere

func (c elsewhereCheck) Check(context.Context, Attempt) Outcome {
	return Outcome{
		Status:  Error,
		Message: fmt.Sprintf("this build of grader does not include kind %s", string(c)),
		Hint:    "run grader-full, which includes every kind, or build grader with `make build`",
	}
}

// Elsewhere lists the kinds of e's checks that this build does not link
// (each [Elsewhere]), in check order without repeats; nil when it can grade
// e itself.
func (e *Exercise) Elsewhere() []string {
	var names []string
	seen := map[string]bool{}
	for _, c := range e.Checks {
		if k, ok := c.Checker.(elsewhereCheck); ok && !seen[string(k)] {
			seen[string(k)] = true
			names = append(names, string(k))
		}
	}
	return names
}
