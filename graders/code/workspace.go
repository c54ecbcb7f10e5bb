package code

import (
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// What a workspace may hold for one run: past these, the attempt fails with
// a message (it is the learner's folder that is too big), rather than the
// sandbox's copy failing as an infrastructure error.
const (
	maxWorkspaceFiles = 2000
	maxWorkspaceBytes = 32 << 20
)

// workspaceFS is the learner's folder as the sandbox sees it: grader's own
// folders, git's, caches and (for Go) the learner's own test files left out.
// Links are never followed into the sandbox (the sandbox copies regular files
// only), so a link planted to carry a host file in arrives as nothing.
type workspaceFS struct {
	fs.FS
	lang string
}

// skip reports whether the entry named name (a slash path) stays out.
func (w workspaceFS) skip(name string, dir bool) bool {
	base := path.Base(name)
	switch {
	case base == ".git" || base == ".grader" || base == "__pycache__" || base == ".venv":
		return true
	case strings.HasPrefix(base, ".grader-"):
		return true // the harness's folder; a learner's copy would only be overwritten
	case !dir && w.lang == Go && strings.HasSuffix(base, "_test.go"):
		return true // the learner's tests could define TestMain or graderProbe
	}
	return false
}

// Open refuses skipped paths so nothing reaches them by name either.
func (w workspaceFS) Open(name string) (fs.File, error) {
	for p := name; p != "." && p != "/"; p = path.Dir(p) {
		if w.skip(p, p != name) {
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
		}
	}
	return w.FS.Open(name)
}

// ReadDir lists a folder without the skipped entries.
func (w workspaceFS) ReadDir(name string) ([]fs.DirEntry, error) {
	all, err := fs.ReadDir(w.FS, name)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, e := range all {
		if !w.skip(path.Join(name, e.Name()), e.IsDir()) {
			out = append(out, e)
		}
	}
	return out, nil
}

// measure walks the workspace and returns a learner-facing reason when it is
// too big to copy into a sandbox, or "".
func (w workspaceFS) measure() (string, error) {
	var files int
	var size int64
	err := fs.WalkDir(w, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		files++
		size += info.Size()
		if files > maxWorkspaceFiles || size > maxWorkspaceBytes {
			return fs.SkipAll
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("reading the workspace: %w", err)
	}
	switch {
	case files > maxWorkspaceFiles:
		return fmt.Sprintf("the workspace holds more than %d files: remove what the exercise does not need (build output, data, virtual environments)", maxWorkspaceFiles), nil
	case size > maxWorkspaceBytes:
		return fmt.Sprintf("the workspace holds more than %d MiB: remove what the exercise does not need (build output, data, virtual environments)", maxWorkspaceBytes>>20), nil
	}
	return "", nil
}
