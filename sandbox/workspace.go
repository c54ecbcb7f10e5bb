package sandbox

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
)

// What a learner's folder may hold for one sandbox: past these, the attempt
// fails with a message (it is the learner's folder that is too big), rather
// than the copy into the sandbox failing as an infrastructure error.
const (
	MaxWorkspaceFiles = 2000
	MaxWorkspaceBytes = 32 << 20
)

// Workspace is the learner's folder as every sandbox sees it: the one
// filter the code checks and the learner's servers share. grader's own
// folders, git's, and caches and dependencies the sandbox brings itself
// stay out, and so does whatever Skip names. It is read through an
// [os.Root], so nothing reaches outside the folder, and links are never
// followed into the sandbox (the copy takes regular files only), so a link
// planted to carry a host file in arrives as nothing.
type Workspace struct {
	fs.FS
	// Skip, if set, leaves out more (a slash path; dir says whether it is a
	// folder): the Go harness leaves out the learner's own _test.go files.
	Skip func(name string, dir bool) bool

	root *os.Root
}

// OpenWorkspace opens dir as a Workspace. Close it when the sandbox has
// its copy.
func OpenWorkspace(dir string, skip func(name string, dir bool) bool) (*Workspace, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open the workspace: %w", err)
	}
	return &Workspace{FS: root.FS(), Skip: skip, root: root}, nil
}

// Close releases the folder.
func (w *Workspace) Close() error { return w.root.Close() }

// tooling reports whether a folder's or file's base name is never the
// learner's program: version control, grader's own files, caches and
// dependency folders that the sandbox's image provides.
func tooling(base string) bool {
	switch base {
	case ".git", ".grader", "__pycache__", ".venv", "node_modules":
		return true
	}
	return strings.HasPrefix(base, ".grader-") // a harness's folder; a copy would only be overwritten
}

func (w *Workspace) skip(name string, dir bool) bool {
	return tooling(path.Base(name)) || (w.Skip != nil && w.Skip(name, dir))
}

// Open refuses skipped paths, so nothing reaches them by name either.
func (w *Workspace) Open(name string) (fs.File, error) {
	for p := name; p != "." && p != "/"; p = path.Dir(p) {
		if w.skip(p, p != name) {
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
		}
	}
	return w.FS.Open(name)
}

// ReadDir lists a folder without the skipped entries.
func (w *Workspace) ReadDir(name string) ([]fs.DirEntry, error) {
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

// TooBig walks the workspace and returns a learner-facing reason when it is
// too big to copy into a sandbox, or "".
func (w *Workspace) TooBig() (string, error) {
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
		if files > MaxWorkspaceFiles || size > MaxWorkspaceBytes {
			return fs.SkipAll
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("reading the workspace: %w", err)
	}
	switch {
	case files > MaxWorkspaceFiles:
		return fmt.Sprintf("the workspace holds more than %d files: remove what the exercise does not need (build output, data, virtual environments)", MaxWorkspaceFiles), nil
	case size > MaxWorkspaceBytes:
		return fmt.Sprintf("the workspace holds more than %d MiB: remove what the exercise does not need (build output, data, virtual environments)", MaxWorkspaceBytes>>20), nil
	}
	return "", nil
}
