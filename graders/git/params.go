package git

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/backendroadmap/grader/runner"
)

// isGraderPath reports whether a slash path lies in grader's own folder
// ([runner.MetaDir]). What grader keeps there is never the learner's change,
// so no check counts it.
func isGraderPath(p string) bool {
	return runner.InMetaDir(p)
}

// paramErr builds the error the spec loader points at the parameter's line
// ([runner.ParamErrorf]).
func paramErr(field, format string, args ...any) error {
	return runner.ParamErrorf(field, format, args...)
}

// branchParam checks a branch name. It takes refs/heads/x as x, since authors
// copy both forms from git's output.
func branchParam(field, s string, required bool) (string, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "refs/heads/")
	if s == "" {
		if required {
			return "", paramErr(field, "is required")
		}
		return "", nil
	}
	if err := plumbing.NewBranchReferenceName(s).Validate(); err != nil || strings.HasPrefix(s, "-") {
		return "", paramErr(field, "%q is not a valid branch name", s)
	}
	return s, nil
}

// regexpParam compiles an optional pattern parameter. Patterns are multi-line:
// ^ and $ match at line ends, which is what authors mean for file contents and
// commit messages.
func regexpParam(field, s string) (*regexp.Regexp, error) {
	if s == "" {
		return nil, nil
	}
	re, err := regexp.Compile("(?m)" + s)
	if err != nil {
		return nil, paramErr(field, "bad regular expression: %v", err)
	}
	return re, nil
}

// pattern is a compiled pattern as the author wrote it, for messages.
func pattern(re *regexp.Regexp) string {
	return strings.TrimPrefix(re.String(), "(?m)")
}

// pathParam checks a repository path: relative, slash-separated, inside the
// repository and outside runner.MetaDir. It returns the cleaned path.
func pathParam(field, p string) (string, error) {
	if strings.TrimSpace(p) == "" {
		return "", paramErr(field, "is required")
	}
	if strings.Contains(p, "\\") {
		return "", paramErr(field, "%q: use / to separate folders", p)
	}
	c := path.Clean(p)
	switch {
	case path.IsAbs(c):
		return "", paramErr(field, "%q must be relative to the repository's top folder", p)
	case c == "." || c == ".." || strings.HasPrefix(c, "../"):
		return "", paramErr(field, "%q is not inside the repository", p)
	case c == ".git" || strings.HasPrefix(c, ".git/"):
		return "", paramErr(field, "%q is inside .git, which is not part of the project's files", p)
	case isGraderPath(c):
		return "", paramErr(field, "%q is grader's own metadata, not the learner's work", p)
	}
	return c, nil
}

// countParam checks an optional non-negative count.
func countParam(field string, n *int) error {
	if n != nil && *n < 0 {
		return paramErr(field, "must be 0 or more, not %d", *n)
	}
	return nil
}

// plural writes "1 commit" / "3 commits", "1 entry" / "2 entries".
func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	if w, ok := strings.CutSuffix(word, "y"); ok {
		return fmt.Sprintf("%d %sies", n, w)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// listSome joins up to max items and says how many it left out, so a message
// about 400 untracked files stays readable.
func listSome(items []string, max int) string {
	if len(items) <= max {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:max], ", "), len(items)-max)
}

// clip shortens text shown as Expected or Actual.
func clip(s string) string {
	const max = 2000
	if len(s) <= max {
		return s
	}
	return s[:max] + "\n… (" + plural(len(s)-max, "more byte") + ")"
}
