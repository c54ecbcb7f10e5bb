package exercises_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/backendroadmap/grader/exercises"
)

// isolateGit keeps the git CLI away from the machine's and the user's config.
func isolateGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatalf("these tests need the git CLI: %v", err)
	}
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("GIT_AUTHOR_NAME", "Grace Hopper")
	t.Setenv("GIT_AUTHOR_EMAIL", "grace@example.com")
	t.Setenv("GIT_COMMITTER_NAME", "Grace Hopper")
	t.Setenv("GIT_COMMITTER_EMAIL", "grace@example.com")
}

// MustGit runs the git CLI in dir and returns its trimmed output.
func MustGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// filesSpec is an exercise whose starter is files only, one of them executable.
const filesSpec = `format: 1
id: files-only
title: Files
skill: programming
phase: beginner
summary: Fix the script.
instructions: instructions.md
starter:
  files: starter
  executable: [bin/run.sh]
solution:
  files: solution
wrong:
  - name: untouched
    files: starter
checks:
  - id: clean
    name: clean
    kind: git.clean
    hints: [commit]
`

func filesExercise(t *testing.T, spec string) *exercises.Exercise {
	t.Helper()
	fsys := fstest.MapFS{
		"files-only/exercise.yaml":             {Data: []byte(spec)},
		"files-only/instructions.md":           {Data: []byte("# Files\n")},
		"files-only/starter/README.md":         {Data: []byte("read me\n")},
		"files-only/starter/.gitignore":        {Data: []byte("*.log\n")},
		"files-only/starter/bin/run.sh":        {Data: []byte("#!/bin/sh\necho hi\n")},
		"files-only/starter/src/deep/main.txt": {Data: []byte("main\n")},
		"files-only/solution/ANSWER.md":        {Data: []byte("the answer\n")},
	}
	return MustExercise(t, MustCatalog(t, fsys), "files-only")
}

func gitExercise(t *testing.T) *exercises.Exercise {
	t.Helper()
	return MustExercise(t, MustCatalog(t, catalogFS(map[string]string{"git-a": gitSpec("git-a")})), "git-a")
}

// tree lists every path under dir with its content, for before/after checks.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			files[rel+"/"] = ""
			return nil
		}
		b, err := os.ReadFile(p)
		files[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestStartRefusesANonEmptyFolder(t *testing.T) {
	ex := gitExercise(t)
	for name, files := range map[string]map[string]string{
		"a learner's file":        {"notes.txt": "my notes\n"},
		"only a dotfile":          {".env": "SECRET=1\n"},
		"only a sub-folder":       {"src/main.go": "package main\n"},
		"an old workspace":        {".grader/workspace.json": `{"exercise": "git-b"}`},
		"a repository of its own": {".git/HEAD": "ref: refs/heads/mine\n"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			for p, data := range files {
				if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, p), []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			before := tree(t, dir)
			ws, err := exercises.Start(ex, "test", "", dir)
			if !errors.Is(err, exercises.ErrNotEmpty) {
				t.Fatalf("Start = %+v, %v; want ErrNotEmpty", ws, err)
			}
			if !strings.Contains(err.Error(), "grader start git-a NEW-FOLDER") {
				t.Errorf("err = %q, want it to suggest a new folder", err)
			}
			if after := tree(t, dir); !mapsEqual(before, after) {
				t.Errorf("Start changed the folder:\nbefore %q\nafter  %q", before, after)
			}
		})
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestStartMakesTheFolderAndMarker(t *testing.T) {
	isolateGit(t)
	for name, dir := range map[string]string{
		"a missing folder": filepath.Join(t.TempDir(), "courses", "git", "ws"),
		"an empty folder":  t.TempDir(),
	} {
		t.Run(name, func(t *testing.T) {
			ws, err := exercises.Start(gitExercise(t), "my-catalog", "", dir)
			if err != nil {
				t.Fatal(err)
			}
			if ws.Root != dir || ws.Exercise != "git-a" || ws.Catalog != "my-catalog" {
				t.Errorf("Start = %+v", ws)
			}
			data, err := os.ReadFile(filepath.Join(dir, exercises.MetaDir, "workspace.json"))
			if err != nil {
				t.Fatalf("no marker: %v", err)
			}
			var marker map[string]any
			if err := json.Unmarshal(data, &marker); err != nil || marker["exercise"] != "git-a" || marker["catalog"] != "my-catalog" || len(marker) != 2 {
				t.Errorf("marker = %s (%v), want the exercise and catalog", data, err)
			}
			found, err := exercises.FindWorkspace(dir)
			if err != nil || *found != *ws {
				t.Errorf("FindWorkspace = %+v, %v; want %+v", found, err, ws)
			}
		})
	}
}

func TestStartGitExercise(t *testing.T) {
	isolateGit(t)
	dir := filepath.Join(t.TempDir(), "ws")
	if _, err := exercises.Start(gitExercise(t), "test", "", dir); err != nil {
		t.Fatal(err)
	}
	if got := MustGit(t, dir, "status", "--porcelain", "--untracked-files=all"); got != "" {
		t.Errorf("git status --porcelain in a new workspace:\n%s\nwant nothing: the learner starts clean, grader's marker ignored", got)
	}
	if got := MustGit(t, dir, "branch", "--show-current"); got != "main" {
		t.Errorf("on branch %q, want main", got)
	}
	if got := MustGit(t, dir, "log", "--format=%s"); got != "Start" {
		t.Errorf("git log = %q, want the starter's one commit", got)
	}
	if got := MustGit(t, dir, "branch", "--list", "--format=%(refname:short)"); got != "main" {
		t.Errorf("branches = %q, want only main: the reference solution never reaches the workspace", got)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "README.md")); err != nil || string(b) != "hello\n" {
		t.Errorf("README.md = %q, %v", b, err)
	}
}

func TestStartCopiesStarterFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ws")
	if _, err := exercises.Start(filesExercise(t, filesSpec), "test", "", dir); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"README.md":              "read me\n",
		".gitignore":             "*.log\n",
		"bin/":                   "",
		"bin/run.sh":             "#!/bin/sh\necho hi\n",
		"src/":                   "",
		"src/deep/":              "",
		"src/deep/main.txt":      "main\n",
		".grader/":               "",
		".grader/workspace.json": "{\n  \"exercise\": \"files-only\",\n  \"catalog\": \"test\"\n}\n",
	}
	if got := tree(t, dir); !mapsEqual(got, want) {
		t.Errorf("workspace holds\n%q\nwant\n%q (no solution, no .git)", got, want)
	}
	for p, mode := range map[string]fs.FileMode{"bin/run.sh": 0o755, "README.md": 0o644, "src/deep/main.txt": 0o644} {
		if st, err := os.Stat(filepath.Join(dir, p)); err != nil || st.Mode().Perm() != mode {
			t.Errorf("%s: mode %v, %v; want %v", p, st.Mode().Perm(), err, mode)
		}
	}
}

// Starter files in a git exercise are committed, executable bit and all.
func TestStartGitExerciseWithFiles(t *testing.T) {
	isolateGit(t)
	spec := strings.Replace(filesSpec, "  executable: [bin/run.sh]\n", "  executable: [bin/run.sh]\n  history:\n    - commit: Start\n", 1)
	dir := t.TempDir()
	if _, err := exercises.Start(filesExercise(t, spec), "test", "", dir); err != nil {
		t.Fatal(err)
	}
	if got := MustGit(t, dir, "status", "--porcelain", "--untracked-files=all"); got != "" {
		t.Errorf("git status --porcelain:\n%s\nwant nothing", got)
	}
	got := MustGit(t, dir, "ls-files", "--format=%(objectmode) %(path)")
	want := "100644 .gitignore\n100644 README.md\n100755 bin/run.sh\n100644 src/deep/main.txt"
	if got != want {
		t.Errorf("committed files:\n%s\nwant\n%s", got, want)
	}
}

func TestFindWorkspace(t *testing.T) {
	root := t.TempDir()
	ws, err := exercises.Start(filesExercise(t, filesSpec), "test", "", root)
	if err != nil {
		t.Fatal(err)
	}
	deep := filepath.Join(root, "src", "deep")
	for name, dir := range map[string]string{"its root": root, "a nested sub-folder": deep, "its marker folder": filepath.Join(root, exercises.MetaDir)} {
		t.Run(name, func(t *testing.T) {
			found, err := exercises.FindWorkspace(dir)
			if err != nil || *found != *ws {
				t.Errorf("FindWorkspace = %+v, %v; want %+v", found, err, ws)
			}
		})
	}
	t.Run("a relative path", func(t *testing.T) {
		t.Chdir(deep)
		found, err := exercises.FindWorkspace(".")
		if err != nil || !sameFolder(t, found.Root, root) {
			t.Errorf("FindWorkspace(.) = %+v, %v; want root %s", found, err, root)
		}
	})
}

func TestFindWorkspaceOutside(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "not", "a", "workspace")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ws, err := exercises.FindWorkspace(dir)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "not inside a grader workspace") {
		t.Errorf("FindWorkspace = %+v, %v; want an error wrapping fs.ErrNotExist", ws, err)
	}
}

func TestFindWorkspaceDamagedMarker(t *testing.T) {
	for name, data := range map[string]string{
		"not JSON":       "{exercise: git-a",
		"no exercise id": `{"catalog": "embedded"}`,
		"empty":          "",
	} {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			if err := os.MkdirAll(filepath.Join(root, ".grader", "sub"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(root, ".grader", "workspace.json"), []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
			ws, err := exercises.FindWorkspace(root)
			if err == nil || errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("FindWorkspace = %+v, %v; want a damaged-marker error", ws, err)
			}
			for _, want := range []string{filepath.Join(root, ".grader", "workspace.json"), "is damaged", "with the exercise id"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("err = %q, want it to say %q", err, want)
				}
			}
		})
	}
}

// sameFolder reports whether a and b name one folder, whatever symlinks (such
// as macOS's /tmp) lie on the way.
func sameFolder(t *testing.T, a, b string) bool {
	t.Helper()
	ra, errA := filepath.EvalSymlinks(a)
	rb, errB := filepath.EvalSymlinks(b)
	return errA == nil && errB == nil && ra == rb
}
