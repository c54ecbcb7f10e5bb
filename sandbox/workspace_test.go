package sandbox

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestWorkspaceLeavesToolingOut(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"app.py", "pkg/mod.py", "main_test.go", ".git/HEAD", ".grader/exercise.json",
		"__pycache__/app.pyc", "pkg/__pycache__/mod.pyc", ".venv/bin/python", "node_modules/x/index.js", ".grader-1234/harness.py"} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "passwd")); err != nil {
		t.Fatal(err)
	}
	ws, err := OpenWorkspace(dir, func(name string, isDir bool) bool { return !isDir && strings.HasSuffix(name, "_test.go") })
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	var got []string
	if err := fs.WalkDir(ws, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			got = append(got, p)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"app.py", "passwd", "pkg/mod.py"}; !slices.Equal(got, want) {
		t.Errorf("the sandbox would get %v; want %v", got, want)
	}
	for _, name := range []string{".git/HEAD", "pkg/__pycache__/mod.pyc", "main_test.go", ".grader-1234/harness.py"} {
		if _, err := ws.Open(name); err == nil {
			t.Errorf("Open(%q) succeeded; a skipped path must not be reachable by name", name)
		}
	}
	// The link is an entry, but reading it cannot leave the folder.
	if _, err := fs.ReadFile(ws, "passwd"); err == nil {
		t.Error("reading a link to /etc/passwd through the workspace succeeded")
	}
	if why, err := ws.TooBig(); err != nil || why != "" {
		t.Errorf("TooBig() = %q, %v; want a small workspace", why, err)
	}
}

func TestWorkspaceTooBig(t *testing.T) {
	dir := t.TempDir()
	for i := range MaxWorkspaceFiles + 1 {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%04d", i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ws, err := OpenWorkspace(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if why, err := ws.TooBig(); err != nil || !strings.Contains(why, "more than 2000 files") {
		t.Errorf("TooBig() = %q, %v; want the learner told the folder holds too many files", why, err)
	}
}
