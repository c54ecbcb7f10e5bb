package exercises

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/backendroadmap/grader/exercises/history"
	"github.com/backendroadmap/grader/fault"
	"github.com/backendroadmap/grader/runner"
)

// MetaDir is the folder inside a workspace where grader keeps its own notes.
// Starters exclude it from git (.git/info/exclude), so it never shows up in the
// learner's `git status`. It is [runner.MetaDir], which graders refuse to read
// a learner's work from.
const MetaDir = runner.MetaDir

// workspaceFile records which exercise a workspace belongs to.
const workspaceFile = "workspace.json"

// Workspace is a folder made by `grader start`.
type Workspace struct {
	// Root is the workspace's folder.
	Root string `json:"-"`
	// Exercise is the id of the exercise it was started for.
	Exercise string `json:"exercise"`
	// Catalog names the catalog the exercise came from, for people.
	Catalog string `json:"catalog"`
	// Source is the --catalog value the workspace was started with (empty for
	// the embedded catalog; folders made absolute), so later checks inside the
	// workspace find the same catalog without being told again.
	Source string `json:"source,omitempty"`
}

// ErrNotEmpty is returned by [Start] for a folder that already holds files: a
// learner's files are never overwritten.
var ErrNotEmpty error = &fault.Error{Kind: fault.Usage, Msg: "folder is not empty"}

// Start makes a learner's workspace for ex in dir: the starter's files and, for
// git exercises, its history. dir must not exist or be empty. The reference
// solution never reaches the workspace.
func Start(ex *Exercise, catalog, source, dir string) (*Workspace, error) {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("%s: %w; choose a new folder: grader start %s NEW-FOLDER", dir, ErrNotEmpty, ex.ID)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := Apply(ex, ex.Starter, dir); err != nil {
		// Leave the folder as empty as it was found, so trying again works.
		if entries, rerr := os.ReadDir(dir); rerr == nil {
			for _, e := range entries {
				_ = os.RemoveAll(filepath.Join(dir, e.Name()))
			}
		}
		return nil, fmt.Errorf("building the starter of %s: %w", ex.ID, err)
	}
	ws := &Workspace{Root: dir, Exercise: ex.ID, Catalog: catalog, Source: source}
	if err := writeMarker(ws); err != nil {
		return nil, err
	}
	return ws, nil
}

// Apply plays a recipe into dir: its files first, then its git history. Starters
// are applied to an empty folder; solutions on top of a starter.
func Apply(ex *Exercise, r Recipe, dir string) error {
	if r.Files != "" {
		if err := copyFiles(ex.Files, r.Files, dir, r.Executable); err != nil {
			return err
		}
	}
	if r.Git || len(r.History) > 0 {
		return history.Play(dir, r.History)
	}
	return nil
}

// copyFiles copies folder src of fsys into dir through an os.Root, so nothing
// written can land outside dir, whatever the paths say.
func copyFiles(fsys fs.FS, src, dir string, executable []string) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	return fs.WalkDir(fsys, src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		if d.IsDir() {
			if rel == "." {
				return nil
			}
			return root.MkdirAll(rel, 0o755)
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if slices.Contains(executable, filepath.ToSlash(rel)) {
			mode = 0o755
		}
		if err := root.WriteFile(rel, data, mode); err != nil {
			return err
		}
		return root.Chmod(rel, mode) // WriteFile keeps an existing file's mode
	})
}

func writeMarker(ws *Workspace) error {
	dir := filepath.Join(ws.Root, MetaDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(ws, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, workspaceFile), append(data, '\n'), 0o644)
}

// FindWorkspace returns the workspace that holds dir, looking in dir and its
// parents as git does, so `grader check` works from any sub-folder. It returns
// an error wrapping fs.ErrNotExist when dir is in no workspace.
func FindWorkspace(dir string) (*Workspace, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	for d := abs; ; d = filepath.Dir(d) {
		data, err := os.ReadFile(filepath.Join(d, MetaDir, workspaceFile))
		if err == nil {
			ws := &Workspace{Root: d}
			if err := json.Unmarshal(data, ws); err != nil || ws.Exercise == "" {
				return nil, fmt.Errorf("%s is damaged (%v); run grader check with the exercise id", filepath.Join(d, MetaDir, workspaceFile), err)
			}
			return ws, nil
		}
		if filepath.Dir(d) == d {
			return nil, fmt.Errorf("%s is not inside a grader workspace: %w", abs, fs.ErrNotExist)
		}
	}
}
