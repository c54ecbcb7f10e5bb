package redis

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/backendroadmap/grader/runner"
)

// paramErr builds the error the spec loader points at the parameter's line
// ([runner.ParamErrorf]).
func paramErr(field, format string, args ...any) error {
	return runner.ParamErrorf(field, format, args...)
}

// workspaceFileParam checks the name of a file the learner writes: a
// relative, slash-separated path inside the workspace, outside .grader.
func workspaceFileParam(field, name string, required bool) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		if required {
			return "", paramErr(field, "is required: the name of the learner's command file, such as cache.redis")
		}
		return "", nil
	case strings.Contains(name, `\`):
		return "", paramErr(field, "%q: use / to separate folders", name)
	case !fs.ValidPath(name) || name == ".":
		return "", paramErr(field, "%q must be a relative path inside the workspace, without . or .. parts", name)
	case runner.InMetaDir(name):
		return "", paramErr(field, "%q is inside %s, grader's own folder", name, runner.MetaDir)
	}
	return name, nil
}

// missingFileError is a learner's command file that is not there.
type missingFileError struct{ name string }

func (e *missingFileError) Error() string {
	return fmt.Sprintf("%s is not in your workspace: create it and write your Redis commands there, one per line", e.name)
}

func (e *missingFileError) Unwrap() error { return fs.ErrNotExist }

// readWorkspaceFile reads a learner's file through
// [runner.Attempt.ReadFile]: it never leaves the workspace, follows no link,
// reads only a regular file and at most [maxFileSize] bytes of it. A missing
// file is a *missingFileError; the learner's other problems are a
// *[runner.FileError]; anything else is the infrastructure's.
func readWorkspaceFile(dir, name string) ([]byte, error) {
	data, err := runner.Attempt{Dir: dir}.ReadFile(name, maxFileSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &missingFileError{name}
	}
	return data, err
}
