package history

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/backendroadmap/grader/runner"
)

// MustPlay plays steps into dir and fails the test on error.
func MustPlay(t *testing.T, dir string, steps ...Step) {
	t.Helper()
	if err := Play(dir, steps); err != nil {
		t.Fatalf("Play: %v", err)
	}
}

// MustFail plays steps into dir and returns the error, failing the test when
// there is none or when it does not contain want.
func MustFail(t *testing.T, dir string, want string, steps ...Step) error {
	t.Helper()
	err := Play(dir, steps)
	if err == nil {
		t.Fatalf("Play succeeded, want an error containing %q", want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("Play error = %q, want it to contain %q", err, want)
	}
	return err
}

// MustOpen opens the repository in dir.
func MustOpen(t *testing.T, dir string) *git.Repository {
	t.Helper()
	repo, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	return repo
}

// MustCommit returns the commit a revision names.
func MustCommit(t *testing.T, dir, rev string) *object.Commit {
	t.Helper()
	repo := MustOpen(t, dir)
	h, err := repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		t.Fatalf("resolving %s: %v", rev, err)
	}
	c, err := repo.CommitObject(*h)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TreeOf returns the files of a commit: path to content, with " (755)"
// appended to executables.
func TreeOf(t *testing.T, dir, rev string) map[string]string {
	t.Helper()
	tree, err := MustCommit(t, dir, rev).Tree()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	err = tree.Files().ForEach(func(f *object.File) error {
		s, err := f.Contents()
		if f.Mode == filemode.Executable {
			s += " (755)"
		}
		out[f.Name] = s
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// WorkOf returns the working tree's files, outside .git and .grader, the same
// way.
func WorkOf(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == ".git" || rel == ".grader" {
				return filepath.SkipDir
			}
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		s := string(data)
		if info, _ := d.Info(); info.Mode()&0o111 != 0 {
			s += " (755)"
		}
		out[rel] = s
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// IndexOf returns the index's paths and blob hashes.
func IndexOf(t *testing.T, dir string) map[string]plumbing.Hash {
	t.Helper()
	idx, err := MustOpen(t, dir).Storer.Index()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]plumbing.Hash{}
	for _, e := range idx.Entries {
		out[e.Name] = e.Hash
	}
	return out
}

// TreeIndex returns a commit's paths and blob hashes, to compare with IndexOf.
func TreeIndex(t *testing.T, dir, rev string) map[string]plumbing.Hash {
	t.Helper()
	tree, err := MustCommit(t, dir, rev).Tree()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]plumbing.Hash{}
	_ = tree.Files().ForEach(func(f *object.File) error {
		out[f.Name] = f.Hash
		return nil
	})
	return out
}

// Refs returns every ref: name to hash, or to "-> target" for symbolic refs.
func Refs(t *testing.T, dir string) map[string]string {
	t.Helper()
	iter, err := MustOpen(t, dir).Storer.IterReferences()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	_ = iter.ForEach(func(r *plumbing.Reference) error {
		if r.Type() == plumbing.SymbolicReference {
			out[r.Name().String()] = "-> " + r.Target().String()
		} else {
			out[r.Name().String()] = r.Hash().String()
		}
		return nil
	})
	head, err := MustOpen(t, dir).Storer.Reference(plumbing.HEAD)
	if err == nil {
		out["HEAD"] = "-> " + head.Target().String()
	}
	return out
}

// CurrentBranch is the short name of the branch HEAD points to.
func CurrentBranch(t *testing.T, dir string) string {
	t.Helper()
	head, err := MustOpen(t, dir).Storer.Reference(plumbing.HEAD)
	if err != nil {
		t.Fatal(err)
	}
	return head.Target().Short()
}

func parentsOf(c *object.Commit) []string {
	var out []string
	for _, p := range c.ParentHashes {
		out = append(out, p.String())
	}
	return out
}

func equalMaps(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	if !maps.Equal(got, want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// first is a starting history used by several tests: main has a.txt and
// notes.txt.
var first = Step{Commit: "Initial commit", Files: map[string]string{"a.txt": "a\n", "notes.txt": "base\n"}}

func TestPlayCreatesRepository(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	MustPlay(t, dir)
	if got := CurrentBranch(t, dir); got != "main" {
		t.Errorf("HEAD is on %s, want main", got)
	}
	exclude, err := os.ReadFile(filepath.Join(dir, ".git", "info", "exclude"))
	if err != nil || !strings.Contains(string(exclude), "/.grader/\n") {
		t.Errorf(".git/info/exclude = %q, %v; want it to exclude /.grader/", exclude, err)
	}
	if _, err := MustOpen(t, dir).Head(); !errors.Is(err, plumbing.ErrReferenceNotFound) {
		t.Errorf("Head() error = %v, want no commits", err)
	}
}

func TestPlayCommit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	MustPlay(t, dir, Step{
		Commit:     "Initial commit",
		Files:      map[string]string{"README.md": "# Notes\n", "bin/run.sh": "#!/bin/sh\n", "empty.txt": ""},
		Executable: []string{"bin/run.sh"},
	})
	c := MustCommit(t, dir, "HEAD")
	if c.Message != "Initial commit\n" {
		t.Errorf("message = %q, want a trailing newline like git", c.Message)
	}
	if c.Author.String() != DefaultAuthor || c.Committer.String() != DefaultAuthor {
		t.Errorf("author %s, committer %s, want %s", c.Author.String(), c.Committer.String(), DefaultAuthor)
	}
	if !c.Author.When.Equal(epoch) || c.Author.When.Format("-0700") != "+0000" {
		t.Errorf("date = %s, want %s in UTC", c.Author.When, epoch)
	}
	want := map[string]string{"README.md": "# Notes\n", "bin/run.sh": "#!/bin/sh\n (755)", "empty.txt": ""}
	equalMaps(t, "tree", TreeOf(t, dir, "HEAD"), want)
	equalMaps(t, "working tree", WorkOf(t, dir), want)

	MustPlay(t, dir, Step{
		Commit: "Tidy up\n\nThe body says why.  ",
		Delete: []string{"bin"},
		Files:  map[string]string{"README.md": "# Notes\n\nMore.\n"},
		Author: "Grace Hopper <grace@example.com>",
		Date:   "2026-03-01T12:30:00+01:00",
	})
	c = MustCommit(t, dir, "HEAD")
	if c.Message != "Tidy up\n\nThe body says why.\n" {
		t.Errorf("message = %q", c.Message)
	}
	if c.Author.Name != "Grace Hopper" || c.Author.Email != "grace@example.com" || c.Committer.Name != "Grace Hopper" {
		t.Errorf("author = %v, committer = %v", c.Author, c.Committer)
	}
	if got := c.Author.When.Format(time.RFC3339); got != "2026-03-01T12:30:00+01:00" {
		t.Errorf("date = %s, want the given date with its offset", got)
	}
	want = map[string]string{"README.md": "# Notes\n\nMore.\n", "empty.txt": ""}
	equalMaps(t, "tree after delete", TreeOf(t, dir, "HEAD"), want)
	equalMaps(t, "working tree after delete", WorkOf(t, dir), want)
	if !maps.Equal(IndexOf(t, dir), TreeIndex(t, dir, "HEAD")) {
		t.Errorf("index %v does not match HEAD %v", IndexOf(t, dir), TreeIndex(t, dir, "HEAD"))
	}

	MustFail(t, dir, `step 1 (commit "Again"): nothing to commit`, Step{Commit: "Again", Files: map[string]string{"empty.txt": ""}})
	MustFail(t, dir, "cannot delete nope.txt", Step{Commit: "Delete", Delete: []string{"nope.txt"}})
	MustFail(t, t.TempDir(), "nothing to commit", Step{Commit: "Nothing"})
}

func TestWriteThenCommitStagesEverything(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	MustPlay(t, dir,
		Step{Commit: "Initial commit", Files: map[string]string{"a.txt": "a\n", "b.txt": "b\n", ".gitignore": "*.log\n"}},
		Step{Write: map[string]string{"a.txt": "changed\n", "new/c.sh": "#!/bin/sh\n", "debug.log": "noise\n"}, Executable: []string{"new/c.sh"}},
		Step{Write: map[string]string{}, Delete: []string{"b.txt"}},
	)
	// Write leaves HEAD and the index alone.
	if got := TreeOf(t, dir, "HEAD")["a.txt"]; got != "a\n" {
		t.Errorf("a.txt in HEAD = %q after a write, want it unchanged", got)
	}
	if !maps.Equal(IndexOf(t, dir), TreeIndex(t, dir, "HEAD")) {
		t.Error("a write changed the index")
	}
	// grader's own folder must never be committed.
	if err := os.MkdirAll(filepath.Join(dir, ".grader"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".grader", "workspace.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	MustPlay(t, dir, Step{Commit: "Save my work"})
	want := map[string]string{".gitignore": "*.log\n", "a.txt": "changed\n", "new/c.sh": "#!/bin/sh\n (755)"}
	equalMaps(t, "tree", TreeOf(t, dir, "HEAD"), want)
	if _, err := os.Stat(filepath.Join(dir, "debug.log")); err != nil {
		t.Errorf("the ignored file is gone from the working tree: %v", err)
	}
}

func TestPlayCommitsFilesAlreadyInFolder(t *testing.T) {
	t.Parallel()
	// exercises.Apply copies a starter's files, then plays its history.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "starter.txt"), []byte("given\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	MustPlay(t, dir, Step{Commit: "Start"})
	equalMaps(t, "tree", TreeOf(t, dir, "HEAD"), map[string]string{"starter.txt": "given\n"})
}

func TestPlayBranchAndSwitch(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	MustPlay(t, dir,
		first,
		Step{Branch: "feature"},
		Step{Commit: "Feature", Files: map[string]string{"f.txt": "f\n"}, Delete: []string{"a.txt"}},
	)
	if got := CurrentBranch(t, dir); got != "feature" {
		t.Fatalf("on %s after branch, want feature", got)
	}
	MustPlay(t, dir, Step{Switch: "main"})
	if got := CurrentBranch(t, dir); got != "main" {
		t.Fatalf("on %s after switch, want main", got)
	}
	equalMaps(t, "working tree on main", WorkOf(t, dir), map[string]string{"a.txt": "a\n", "notes.txt": "base\n"})
	if !maps.Equal(IndexOf(t, dir), TreeIndex(t, dir, "main")) {
		t.Error("index does not match main after switch")
	}

	MustPlay(t, dir, Step{Branch: "later", Stay: true}, Step{Branch: "old", At: "feature~1", Stay: true})
	if got := CurrentBranch(t, dir); got != "main" {
		t.Errorf("on %s after branch with stay, want main", got)
	}
	if MustCommit(t, dir, "old").Hash != MustCommit(t, dir, "main").Hash {
		t.Error("branch old is not at feature~1")
	}

	// A branch at another commit switches the working tree there.
	MustPlay(t, dir, Step{Branch: "from-feature", At: "feature"})
	equalMaps(t, "working tree", WorkOf(t, dir), map[string]string{"f.txt": "f\n", "notes.txt": "base\n"})

	// Uncommitted changes come along when the branches agree on the path...
	MustPlay(t, dir, Step{Write: map[string]string{"notes.txt": "draft\n"}}, Step{Switch: "main"})
	if got := WorkOf(t, dir)["notes.txt"]; got != "draft\n" {
		t.Errorf("notes.txt = %q after switch, want the uncommitted draft kept", got)
	}
	// ...and stop the switch when they do not.
	MustPlay(t, dir, Step{Write: map[string]string{"a.txt": "mine\n"}})
	MustFail(t, dir, "step 1 (switch feature): uncommitted changes to a.txt would be overwritten", Step{Switch: "feature"})
	// An untracked file in the way stops it too.
	MustPlay(t, dir, Step{Reset: "HEAD"}, Step{Write: map[string]string{"f.txt": "untracked\n"}})
	MustFail(t, dir, "uncommitted changes to f.txt would be overwritten", Step{Switch: "feature"})

	MustFail(t, dir, "branch feature already exists", Step{Branch: "feature"})
	MustFail(t, dir, "there is no branch nope", Step{Switch: "nope"})
	MustFail(t, dir, `"nope" names no commit here`, Step{Branch: "x", At: "nope"})
	MustFail(t, t.TempDir(), "no commits yet", Step{Branch: "x"})
}

// forked is a history where main and feature both changed since they forked.
func forked(feature, main map[string]string) []Step {
	return []Step{
		first,
		{Branch: "feature"},
		{Commit: "Feature work", Files: feature},
		{Switch: "main"},
		{Commit: "Main work", Files: main},
	}
}

func TestPlayMerge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		steps   []Step
		merge   Step
		wantErr string
		tree    map[string]string
		msg     string
		ff      bool // HEAD must be feature's commit, no merge commit
	}{
		{
			name:  "different files",
			steps: forked(map[string]string{"f.txt": "f\n"}, map[string]string{"m.txt": "m\n"}),
			merge: Step{Merge: "feature"},
			tree:  map[string]string{"a.txt": "a\n", "notes.txt": "base\n", "f.txt": "f\n", "m.txt": "m\n"},
			msg:   "Merge branch 'feature'\n",
		},
		{
			name:  "same change on both sides",
			steps: forked(map[string]string{"notes.txt": "same\n"}, map[string]string{"notes.txt": "same\n", "m.txt": "m\n"}),
			merge: Step{Merge: "feature", Message: "Bring in the feature"},
			tree:  map[string]string{"a.txt": "a\n", "notes.txt": "same\n", "m.txt": "m\n"},
			msg:   "Bring in the feature\n",
		},
		{
			name:  "conflict resolved in files",
			steps: forked(map[string]string{"notes.txt": "feature\n"}, map[string]string{"notes.txt": "main\n"}),
			merge: Step{Merge: "feature", Files: map[string]string{"notes.txt": "main\nfeature\n"}},
			tree:  map[string]string{"a.txt": "a\n", "notes.txt": "main\nfeature\n"},
			msg:   "Merge branch 'feature'\n",
		},
		{
			name:    "conflict without resolution",
			steps:   forked(map[string]string{"notes.txt": "feature\n", "a.txt": "fa\n"}, map[string]string{"notes.txt": "main\n"}),
			merge:   Step{Merge: "feature"},
			wantErr: "step 6 (merge feature): both sides changed notes.txt; give its resolution in files",
		},
		{
			name:    "two conflicts, one resolved",
			steps:   forked(map[string]string{"notes.txt": "feature\n", "a.txt": "fa\n"}, map[string]string{"notes.txt": "main\n", "a.txt": "ma\n"}),
			merge:   Step{Merge: "feature", Files: map[string]string{"a.txt": "both\n"}},
			wantErr: "both sides changed notes.txt; give its resolution in files",
		},
		{
			name:    "two conflicts",
			steps:   forked(map[string]string{"notes.txt": "feature\n", "a.txt": "fa\n"}, map[string]string{"notes.txt": "main\n", "a.txt": "ma\n"}),
			merge:   Step{Merge: "feature"},
			wantErr: "both sides changed a.txt and notes.txt; give their resolutions in files",
		},
		{
			name: "modify and delete resolved by delete",
			steps: []Step{
				first, {Branch: "feature"}, {Commit: "Drop notes", Delete: []string{"notes.txt"}},
				{Switch: "main"}, {Commit: "Edit notes", Files: map[string]string{"notes.txt": "edited\n"}},
			},
			merge: Step{Merge: "feature", Delete: []string{"notes.txt"}},
			tree:  map[string]string{"a.txt": "a\n"},
			msg:   "Merge branch 'feature'\n",
		},
		{
			name: "deletion on one side",
			steps: []Step{
				first, {Branch: "feature"}, {Commit: "Drop notes", Delete: []string{"notes.txt"}},
				{Switch: "main"}, {Commit: "Edit a", Files: map[string]string{"a.txt": "edited\n"}},
			},
			merge: Step{Merge: "feature"},
			tree:  map[string]string{"a.txt": "edited\n"},
			msg:   "Merge branch 'feature'\n",
		},
		{
			name:  "clean merge with files overriding",
			steps: forked(map[string]string{"f.txt": "f\n"}, map[string]string{"m.txt": "m\n"}),
			merge: Step{Merge: "feature", Files: map[string]string{"a.txt": "fixed during the merge\n", "run.sh": "x"}, Executable: []string{"run.sh"}},
			tree:  map[string]string{"a.txt": "fixed during the merge\n", "notes.txt": "base\n", "f.txt": "f\n", "m.txt": "m\n", "run.sh": "x (755)"},
			msg:   "Merge branch 'feature'\n",
		},
		{
			name:  "fast-forward",
			steps: []Step{first, {Branch: "feature"}, {Commit: "Feature work", Files: map[string]string{"f.txt": "f\n"}}, {Switch: "main"}},
			merge: Step{Merge: "feature", FF: true},
			tree:  map[string]string{"a.txt": "a\n", "notes.txt": "base\n", "f.txt": "f\n"},
			ff:    true,
		},
		{
			name:  "no fast-forward by default",
			steps: []Step{first, {Branch: "feature"}, {Commit: "Feature work", Files: map[string]string{"f.txt": "f\n"}}, {Switch: "main"}},
			merge: Step{Merge: "feature"},
			tree:  map[string]string{"a.txt": "a\n", "notes.txt": "base\n", "f.txt": "f\n"},
			msg:   "Merge branch 'feature'\n",
		},
		{
			name:  "ff when impossible makes a merge commit",
			steps: forked(map[string]string{"f.txt": "f\n"}, map[string]string{"m.txt": "m\n"}),
			merge: Step{Merge: "feature", FF: true},
			tree:  map[string]string{"a.txt": "a\n", "notes.txt": "base\n", "f.txt": "f\n", "m.txt": "m\n"},
			msg:   "Merge branch 'feature'\n",
		},
		{
			name:    "fast-forward with files",
			steps:   []Step{first, {Branch: "feature"}, {Commit: "Feature work", Files: map[string]string{"f.txt": "f\n"}}, {Switch: "main"}},
			merge:   Step{Merge: "feature", FF: true, Files: map[string]string{"a.txt": "x"}},
			wantErr: "fast-forwards, so files and delete have nothing to resolve",
		},
		{
			name:    "already up to date",
			steps:   []Step{first, {Branch: "feature", Stay: true}, {Commit: "More", Files: map[string]string{"m.txt": "m\n"}}},
			merge:   Step{Merge: "feature"},
			wantErr: "already up to date",
		},
		{
			name:  "into another branch, by tag",
			steps: append(forked(map[string]string{"f.txt": "f\n"}, map[string]string{"m.txt": "m\n"}), Step{Tag: "v1", At: "main"}, Step{Switch: "feature"}),
			merge: Step{Merge: "v1"},
			tree:  map[string]string{"a.txt": "a\n", "notes.txt": "base\n", "f.txt": "f\n", "m.txt": "m\n"},
			msg:   "Merge tag 'v1' into feature\n",
		},
		{
			name:    "uncommitted change in the way",
			steps:   append(forked(map[string]string{"f.txt": "f\n"}, map[string]string{"m.txt": "m\n"}), Step{Write: map[string]string{"f.txt": "mine\n"}}),
			merge:   Step{Merge: "feature"},
			wantErr: "uncommitted changes to f.txt would be overwritten",
		},
		{
			name:    "unknown ref",
			steps:   []Step{first},
			merge:   Step{Merge: "nope"},
			wantErr: `step 2 (merge nope): "nope" names no commit here`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			steps := append(slices.Clone(tt.steps), tt.merge)
			if tt.wantErr != "" {
				MustFail(t, dir, tt.wantErr, steps...)
				return
			}
			MustPlay(t, dir, steps...)
			head := MustCommit(t, dir, "HEAD")
			ours := MustCommit(t, dir, "HEAD^1")
			theirs := MustCommit(t, dir, tt.merge.Merge)
			if tt.ff {
				if head.Hash != theirs.Hash {
					t.Errorf("HEAD = %s, want a fast-forward to %s", head.Hash, theirs.Hash)
				}
			} else {
				if got, want := parentsOf(head), []string{ours.Hash.String(), theirs.Hash.String()}; !slices.Equal(got, want) {
					t.Errorf("parents = %v, want [HEAD before the merge, %s]", got, tt.merge.Merge)
				}
				if head.Message != tt.msg {
					t.Errorf("message = %q, want %q", head.Message, tt.msg)
				}
			}
			equalMaps(t, "tree", TreeOf(t, dir, "HEAD"), tt.tree)
			equalMaps(t, "working tree", WorkOf(t, dir), tt.tree)
			if !maps.Equal(IndexOf(t, dir), TreeIndex(t, dir, "HEAD")) {
				t.Error("index does not match HEAD")
			}
		})
	}
}

func TestPlayTag(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	MustPlay(t, dir,
		first,
		Step{Commit: "Second", Files: map[string]string{"b.txt": "b\n"}},
		Step{Tag: "v0.1", At: "HEAD~1"},
		Step{Tag: "v1.0", Message: "First release", Author: "Grace Hopper <grace@example.com>"},
	)
	repo := MustOpen(t, dir)
	light, err := repo.Reference(plumbing.NewTagReferenceName("v0.1"), false)
	if err != nil {
		t.Fatal(err)
	}
	if light.Hash() != MustCommit(t, dir, "HEAD~1").Hash {
		t.Errorf("lightweight tag points at %s, want the commit HEAD~1", light.Hash())
	}
	ref, err := repo.Reference(plumbing.NewTagReferenceName("v1.0"), false)
	if err != nil {
		t.Fatal(err)
	}
	tag, err := repo.TagObject(ref.Hash())
	if err != nil {
		t.Fatalf("v1.0 is not an annotated tag: %v", err)
	}
	if tag.Target != MustCommit(t, dir, "HEAD").Hash || tag.Message != "First release\n" || tag.Tagger.Name != "Grace Hopper" {
		t.Errorf("tag = %+v", tag)
	}
	// Two commits then a tag: the tag is the third tick of the clock.
	if want := epoch.Add(2 * time.Minute); !tag.Tagger.When.Equal(want) {
		t.Errorf("tagger date = %s, want %s", tag.Tagger.When, want)
	}
	MustPlay(t, dir, Step{Commit: "Third", Files: map[string]string{"c.txt": "c\n"}})
	if got, want := MustCommit(t, dir, "HEAD").Author.When, epoch.Add(3*time.Minute); !got.Equal(want) {
		t.Errorf("commit after an annotated tag is dated %s, want %s", got, want)
	}
	MustFail(t, dir, "tag v1.0 already exists", Step{Tag: "v1.0"})
}

func TestPlayReset(t *testing.T) {
	t.Parallel()
	setup := []Step{
		first,
		{Commit: "Second", Files: map[string]string{"a.txt": "a2\n", "b.txt": "b\n"}},
		{Write: map[string]string{"notes.txt": "uncommitted\n", "untracked.txt": "u\n"}},
	}
	tests := []struct {
		mode  string
		work  map[string]string
		index string // the revision the index must match
	}{
		{"hard", map[string]string{"a.txt": "a\n", "notes.txt": "base\n", "untracked.txt": "u\n"}, "HEAD"},
		{"", map[string]string{"a.txt": "a\n", "notes.txt": "base\n", "untracked.txt": "u\n"}, "HEAD"},
		{"mixed", map[string]string{"a.txt": "a2\n", "b.txt": "b\n", "notes.txt": "uncommitted\n", "untracked.txt": "u\n"}, "HEAD"},
		{"soft", map[string]string{"a.txt": "a2\n", "b.txt": "b\n", "notes.txt": "uncommitted\n", "untracked.txt": "u\n"}, "ORIG"},
	}
	for _, tt := range tests {
		t.Run("mode "+tt.mode, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			MustPlay(t, dir, setup...)
			second := MustCommit(t, dir, "HEAD")
			secondIndex := TreeIndex(t, dir, "HEAD")
			MustPlay(t, dir, Step{Reset: "HEAD~1", Mode: tt.mode})
			if got, want := MustCommit(t, dir, "main").Hash, second.ParentHashes[0]; got != want {
				t.Errorf("main = %s, want %s", got, want)
			}
			equalMaps(t, "working tree", WorkOf(t, dir), tt.work)
			want := TreeIndex(t, dir, "HEAD")
			if tt.index == "ORIG" {
				want = secondIndex
			}
			if !maps.Equal(IndexOf(t, dir), want) {
				t.Errorf("index = %v, want %v", IndexOf(t, dir), want)
			}
		})
	}
}

func TestPlayErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	err := MustFail(t, dir, "step 2 (reset HEAD): mode: ", first, Step{Reset: "HEAD", Mode: "keep"})
	var se *StepError
	var pe *runner.ParamError
	if !errors.As(err, &se) || se.Index != 2 || se.Action != "reset HEAD" {
		t.Errorf("error %v is not a *StepError for step 2", err)
	}
	if !errors.As(err, &pe) || pe.Field != "mode" {
		t.Errorf("error %v does not carry a ParamError for mode", err)
	}
	if _, statErr := os.Stat(filepath.Join(dir, ".git")); statErr == nil {
		t.Error("an invalid step list changed the folder: steps must be validated first")
	}
	err = MustFail(t, dir, `step 2 (write x.txt, delete missing.txt): cannot delete missing.txt`, first, Step{Write: map[string]string{"x.txt": ""}, Delete: []string{"missing.txt"}})
	if errors.As(err, &pe) {
		t.Errorf("a failure to apply a valid step carries a ParamError: %v", err)
	}
	MustFail(t, t.TempDir(), "step 1 (commit and merge): merge: ", Step{Commit: "x", Merge: "y"})
}

// golden is a small history whose hashes are pinned. If this test fails, the
// hashing changed, and with it every learner's starter: make sure that is
// meant before updating the constants.
var golden = []Step{
	{Commit: "Initial commit", Files: map[string]string{"README.md": "# Notes\n", "bin/run.sh": "#!/bin/sh\necho hello\n"}, Executable: []string{"bin/run.sh"}},
	{Branch: "feature"},
	{Commit: "Add a feature", Files: map[string]string{"feature.txt": "feature\n", "README.md": "# Notes\n\nA feature.\n"}},
	{Switch: "main"},
	{Commit: "Fix a typo", Files: map[string]string{"README.md": "# My notes\n"}},
	{Merge: "feature", Files: map[string]string{"README.md": "# My notes\n\nA feature.\n"}},
	{Tag: "v1.0", Message: "First release"},
	{Tag: "start", At: "main~1"},
	{Commit: "Dated", Files: map[string]string{"dated.txt": "x"}, Author: "Grace Hopper <grace@example.com>", Date: "2026-02-01T10:00:00+01:00"},
	{Reset: "HEAD~1", Mode: "soft"},
	{Commit: "Redone", Delete: []string{"bin/run.sh"}},
}

const (
	goldenHead = "bbd0aa73eba42fecfc5fee9ad772303e627fa2b4"
	goldenTag  = "94c87bdd0f6371506257996f697823d08abe6025"
)

func TestDeterminism(t *testing.T) {
	t.Parallel()
	a, b := t.TempDir(), t.TempDir()
	MustPlay(t, a, golden...)
	MustPlay(t, b, golden...)
	refsA, refsB := Refs(t, a), Refs(t, b)
	equalMaps(t, "refs of the second build", refsB, refsA)
	if got := refsA["refs/heads/main"]; got != goldenHead {
		t.Errorf("main = %s, want %s: the hashing of histories changed", got, goldenHead)
	}
	if got := refsA["refs/tags/v1.0"]; got != goldenTag {
		t.Errorf("v1.0 = %s, want %s: the hashing of histories changed", got, goldenTag)
	}
}

func TestReplayContinuesTheClock(t *testing.T) {
	t.Parallel()
	starter := []Step{
		first,
		{Commit: "Late", Files: map[string]string{"late.txt": "x"}, Date: "2026-06-01T00:00:00+02:00"},
		{Commit: "Earlier", Files: map[string]string{"early.txt": "x"}, Date: "2025-01-01T00:00:00Z"},
	}
	solution := []Step{
		{Branch: "fix"},
		{Commit: "Fix", Files: map[string]string{"a.txt": "fixed\n"}},
		{Switch: "main"},
		{Merge: "fix"},
	}

	split := t.TempDir()
	MustPlay(t, split, starter...)
	MustPlay(t, split, solution...)
	// The clock runs from the newest date seen, not the latest commit's.
	if got, want := MustCommit(t, split, "fix").Author.When, time.Date(2026, 5, 31, 22, 1, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("first replayed commit is dated %s, want %s", got, want)
	}

	again := t.TempDir()
	MustPlay(t, again, starter...)
	MustPlay(t, again, solution...)
	equalMaps(t, "refs of a second replay", Refs(t, again), Refs(t, split))

	whole := t.TempDir()
	MustPlay(t, whole, append(slices.Clone(starter), solution...)...)
	equalMaps(t, "refs when played in one go", Refs(t, whole), Refs(t, split))
}

func TestGoGitStatusIsClean(t *testing.T) {
	t.Parallel()
	// Graders read workspaces with go-git: its status must agree with git's.
	dir := t.TempDir()
	MustPlay(t, dir, append(slices.Clone(golden), Step{Remote: "origin"})...)
	if err := os.WriteFile(filepath.Join(dir, ".grader", "workspace.json"), []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	wt, err := MustOpen(t, dir).Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if wt.Excludes, err = Excludes(dir); err != nil {
		t.Fatal(err)
	}
	st, err := wt.Status()
	if err != nil {
		t.Fatal(err)
	}
	if !st.IsClean() {
		t.Errorf("go-git status is not clean:\n%s", st)
	}
}
