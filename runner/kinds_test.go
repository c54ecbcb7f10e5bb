package runner_test

import (
	"context"
	"strings"
	"testing"

	"github.com/backendroadmap/grader/runner"
)

// TestMergeKinds: families join into one map, and a name two families both
// define is an error that names it, never a silent replacement.
func TestMergeKinds(t *testing.T) {
	kind := runner.KindFunc(func(runner.Params) (runner.Checker, error) {
		return runner.CheckerFunc(func(context.Context, runner.Attempt) runner.Outcome { return runner.Passed("") }), nil
	})
	git := runner.Kinds{"git.head": kind, "git.branch": kind}
	sql := runner.Kinds{"sql.result": kind}
	all, err := runner.MergeKinds(git, sql, nil)
	if err != nil || len(all) != 3 || all["sql.result"] == nil || all["git.head"] == nil {
		t.Fatalf("MergeKinds(git, sql, nil) = %v, %v; want their 3 kinds", all, err)
	}
	other := runner.Kinds{"git.head": kind, "http.status": kind}
	all, err = runner.MergeKinds(git, sql, other, runner.Kinds{"git.head": kind})
	if err == nil || all != nil {
		t.Fatalf("MergeKinds with git.head twice = %v, %v; want an error", all, err)
	}
	if msg := err.Error(); !strings.Contains(msg, "git.head") || strings.Count(msg, "git.head") != 1 || strings.Contains(msg, "http.status") {
		t.Errorf("error %q: want it to name git.head once, and only it", msg)
	}
}
