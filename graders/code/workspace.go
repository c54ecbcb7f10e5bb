package code

import (
	"path"
	"strings"
)

// learnerTests leaves the learner's own Go test files out of the sandbox
// (see [sandbox.Workspace], which leaves out the rest): they could define
// TestMain or the harness's names. Nil for other languages.
func learnerTests(lang string) func(name string, dir bool) bool {
	if lang != Go {
		return nil
	}
	return func(name string, dir bool) bool {
		return !dir && strings.HasSuffix(path.Base(name), "_test.go")
	}
}
