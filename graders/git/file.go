package git

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"syscall"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/backendroadmap/grader/runner"
)

type fileParams struct {
	Path        string  `yaml:"path"`
	Ref         string  `yaml:"ref"`
	Content     *string `yaml:"content"`
	Contains    string  `yaml:"contains"`
	NotContains string  `yaml:"not_contains"`
	Matches     string  `yaml:"matches"`
	Absent      bool    `yaml:"absent"`
	Executable  *bool   `yaml:"executable"`
}

// The two ref values that are not revisions.
const (
	refWorktree = "worktree"
	refIndex    = "index"
)

// stageMerged is an index entry's stage outside a conflict. go-git's own
// index.Merged constant is 1, which is the conflict's common-ancestor stage.
const stageMerged index.Stage = 0

// maxFileSize bounds what a check reads into memory: exercise files are small,
// and a learner's 2 GB log file must not take grading down.
const maxFileSize = 32 << 20

// fileSpec is a compiled git.file check.
type fileSpec struct {
	path        string
	ref         rev // unset for the work tree and the index
	where       string
	content     *string
	contains    string
	notContains string
	matches     *regexp.Regexp
	absent      bool
	executable  *bool
}

// compileFile builds git.file: a file at a commit, in the staging area or in
// the working tree exists (or not), has some content and mode. Reading it from
// a commit by default is deliberate: an exercise about git wants the work
// committed, and the message says so when only the working copy is right.
func compileFile(_ runner.Params, prm *fileParams) (runner.Checker, error) {
	path, err := pathParam("path", prm.Path)
	if err != nil {
		return nil, err
	}
	s := &fileSpec{
		path: path, content: prm.Content, contains: prm.Contains, notContains: prm.NotContains,
		absent: prm.Absent, executable: prm.Executable,
	}
	switch ref := strings.TrimSpace(prm.Ref); ref {
	case refWorktree, refIndex:
		s.where = ref
	case "":
		s.ref = rev{text: "HEAD"}
	default:
		if s.ref, err = parseRev("ref", ref); err != nil {
			return nil, err
		}
	}
	if s.matches, err = regexpParam("matches", prm.Matches); err != nil {
		return nil, err
	}
	if prm.Absent {
		for _, f := range []struct {
			field string
			set   bool
		}{
			{"content", prm.Content != nil}, {"contains", prm.Contains != ""}, {"not_contains", prm.NotContains != ""},
			{"matches", prm.Matches != ""}, {"executable", prm.Executable != nil},
		} {
			if f.set {
				return nil, paramErr(f.field, "cannot be used with absent: true (an absent file has no %s)", f.field)
			}
		}
	}
	return check(s.check), nil
}

// fileState is what a file is at one place: a commit, the index, the disk.
type fileState struct {
	exists bool
	dir    bool
	exec   bool
	data   []byte
}

func (s *fileSpec) check(ctx context.Context, r *repo) (runner.Outcome, error) {
	st, err := s.read(ctx, r, s.where, s.ref)
	if err != nil {
		return runner.Outcome{}, err
	}
	err = s.judge(st, s.where, s.label())
	if err == nil {
		return runner.Passed(s.path + " " + s.label() + " is as expected"), nil
	}
	// The commonest near miss: the file is right on disk but not committed
	// (or not staged). Say so rather than make the learner guess.
	var f *failure
	if !errors.As(err, &f) || s.where == refWorktree || s.absent {
		return runner.Outcome{}, err
	}
	atHead := s.where == refIndex || s.ref.text == "HEAD"
	if !atHead {
		if h, herr := r.head(); herr == nil && h.branch != "" && h.branch == s.ref.text {
			atHead = true
		}
	}
	if !atHead {
		return runner.Outcome{}, err
	}
	disk, derr := s.read(ctx, r, refWorktree, rev{})
	if derr != nil || s.judge(disk, refWorktree, "") != nil {
		return runner.Outcome{}, err
	}
	out := f.out
	if s.where == refIndex {
		out.Message += fmt.Sprintf(". The copy in your working tree is right: stage it with `git add %s`", s.path)
	} else {
		out.Message += fmt.Sprintf(". The copy in your working tree is right but not committed: `git add %s`, then `git commit`", s.path)
	}
	return out, nil
}

// label says where the file was read, for messages.
func (s *fileSpec) label() string {
	switch s.where {
	case refWorktree:
		return "in the working tree"
	case refIndex:
		return "in the staging area"
	}
	if s.ref.text == "HEAD" {
		return "in your latest commit (HEAD)"
	}
	return "in " + s.ref.text
}

// then is what follows an edit for the change to count where the file is read.
func then(where, path string) string {
	switch where {
	case refWorktree:
		return ""
	case refIndex:
		return fmt.Sprintf(", then `git add %s`", path)
	}
	return fmt.Sprintf(", then `git add %s` and `git commit`", path)
}

// judge applies the spec's assertions to one state of the file, first failure
// first, so the learner fixes one thing at a time.
func (s *fileSpec) judge(st fileState, where, label string) error {
	p := s.path
	if s.absent {
		if !st.exists {
			return nil
		}
		switch where {
		case refWorktree:
			return fail("%s still exists %s: delete it", p, label)
		case refIndex:
			return fail("%s is still staged: remove it from the staging area with `git rm --cached %s`", p, p)
		}
		return fail("%s still exists %s: remove it with `git rm %s` and `git commit`", p, label, p)
	}
	if !st.exists {
		return failed(p, "no such file", "%s does not exist %s: create it%s", p, label, then(where, p))
	}
	if st.dir {
		return failed("a file", "a folder", "%s is a folder %s, not a file", p, label)
	}
	text := strings.ReplaceAll(string(st.data), "\r\n", "\n")
	edit := "edit it" + then(where, p)
	if s.content != nil {
		want := strings.TrimRight(strings.ReplaceAll(*s.content, "\r\n", "\n"), "\n")
		got := strings.TrimRight(text, "\n")
		if want != got {
			return failed(clip(want), clip(got), "%s %s does not have the expected content: %s", p, label, edit)
		}
	}
	if s.contains != "" && !strings.Contains(text, s.contains) {
		return failed("text containing "+clip(s.contains), clip(text), "%s %s does not contain %q: %s", p, label, s.contains, edit)
	}
	if s.notContains != "" && strings.Contains(text, s.notContains) {
		line := strings.Count(text[:strings.Index(text, s.notContains)], "\n") + 1
		return failed("no "+clip(s.notContains), clip(text), "%s %s still contains %q (line %d): %s", p, label, s.notContains, line, edit)
	}
	if s.matches != nil && !s.matches.MatchString(text) {
		return failed("text matching "+pattern(s.matches), clip(text), "%s %s does not match %q: %s", p, label, pattern(s.matches), edit)
	}
	if s.executable != nil && *s.executable != st.exec {
		if *s.executable {
			return failed("executable", "not executable", "%s is not executable %s: run `chmod +x %s`%s", p, label, p, then(where, p))
		}
		return failed("not executable", "executable", "%s is executable %s but should not be: run `chmod -x %s`%s", p, label, p, then(where, p))
	}
	return nil
}

// read returns the file's state in the work tree, the index, or at a commit.
func (s *fileSpec) read(ctx context.Context, r *repo, where string, at rev) (fileState, error) {
	switch where {
	case refWorktree:
		return readWorktree(r.dir, s.path)
	case refIndex:
		return readIndex(r, s.path)
	}
	c, err := r.resolve(ctx, at)
	if err != nil {
		return fileState{}, err
	}
	return readCommit(r, c, s.path)
}

// readWorktree reads a file from disk through an os.Root, so that a symbolic
// link the learner planted cannot make grader read outside the work tree. A
// link is read as git stores it: its target. A regular file is read by
// [runner.Attempt.ReadFile], which never opens anything else (a file swapped
// for a named pipe since the Lstat would block).
func readWorktree(dir, path string) (fileState, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fileState{}, err
	}
	defer root.Close()
	fi, err := root.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		return fileState{}, nil
	case err != nil:
		return fileState{}, fail("cannot read %s in the working tree: %v", path, err)
	case fi.IsDir():
		return fileState{exists: true, dir: true}, nil
	case fi.Mode()&fs.ModeSymlink != 0:
		target, err := root.Readlink(path)
		if err != nil {
			return fileState{}, fail("cannot read the link %s: %v", path, err)
		}
		return fileState{exists: true, data: []byte(target)}, nil
	case !fi.Mode().IsRegular():
		return fileState{}, fail("%s in the working tree is not a regular file", path)
	case fi.Size() > maxFileSize:
		return fileState{}, fail("%s is too large to check (%d bytes)", path, fi.Size())
	}
	data, err := runner.Attempt{Dir: dir}.ReadFile(path, maxFileSize)
	var fe *runner.FileError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fileState{}, nil // removed since the Lstat
	case errors.As(err, &fe):
		return fileState{}, fail("%v", err)
	case err != nil:
		return fileState{}, err
	}
	return fileState{exists: true, exec: fi.Mode()&0o111 != 0, data: data}, nil
}

// readIndex reads a file's staged blob. A file with unresolved conflicts has no
// single staged version, so that is a failure of its own.
func readIndex(r *repo, path string) (fileState, error) {
	idx, err := r.git.Storer.Index()
	if err != nil {
		return fileState{}, fmt.Errorf("reading the index: %w", err)
	}
	var entry *index.Entry
	for _, e := range idx.Entries {
		switch {
		case e.Name == path && e.Stage != stageMerged:
			return fileState{}, fail("%s has unresolved conflicts: fix the file, then `git add %s`", path, path)
		case e.Name == path:
			entry = e
		case strings.HasPrefix(e.Name, path+"/"):
			return fileState{exists: true, dir: true}, nil
		}
	}
	if entry == nil {
		return fileState{}, nil
	}
	return readBlob(r, entry.Hash, entry.Mode, path)
}

// readCommit reads a file from a commit's tree.
func readCommit(r *repo, c *object.Commit, path string) (fileState, error) {
	tree, err := r.git.TreeObject(c.TreeHash)
	if err != nil {
		return fileState{}, fmt.Errorf("tree of %s: %w", short(c.Hash), err)
	}
	e, err := tree.FindEntry(path)
	switch {
	case errors.Is(err, object.ErrEntryNotFound), errors.Is(err, object.ErrDirectoryNotFound), errors.Is(err, object.ErrFileNotFound):
		return fileState{}, nil
	case err != nil:
		return fileState{}, fmt.Errorf("reading %s at %s: %w", path, short(c.Hash), err)
	case e.Mode == filemode.Dir:
		return fileState{exists: true, dir: true}, nil
	}
	return readBlob(r, e.Hash, e.Mode, path)
}

func readBlob(r *repo, h plumbing.Hash, mode filemode.FileMode, path string) (fileState, error) {
	if mode == filemode.Submodule {
		return fileState{exists: true, data: []byte(h.String())}, nil
	}
	b, err := r.git.BlobObject(h)
	if err != nil {
		return fileState{}, fmt.Errorf("reading %s: %w", path, err)
	}
	if b.Size > maxFileSize {
		return fileState{}, fail("%s is too large to check (%d bytes)", path, b.Size)
	}
	rd, err := b.Reader()
	if err != nil {
		return fileState{}, fmt.Errorf("reading %s: %w", path, err)
	}
	defer rd.Close()
	data, err := io.ReadAll(rd)
	if err != nil {
		return fileState{}, fmt.Errorf("reading %s: %w", path, err)
	}
	return fileState{exists: true, exec: mode == filemode.Executable, data: data}, nil
}
