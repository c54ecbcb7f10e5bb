package history

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/backendroadmap/grader/runner"
)

// entry is one file of a tree: its blob and mode.
type entry struct {
	hash plumbing.Hash
	mode filemode.FileMode
}

// files is a tree flattened to slash-separated paths. Everything this package
// does to trees (commit, merge, switch, reset) is a comparison of such maps.
type files map[string]entry

// get returns the entry at a path, if there is one.
func (f files) get(p string) (entry, bool) {
	e, ok := f[p]
	return e, ok
}

// same reports whether two trees agree at a path (both absent counts).
func same(a, b files, p string) bool {
	ea, oka := a[p]
	eb, okb := b[p]
	return oka == okb && ea == eb
}

// union returns the sorted paths present in any of the trees.
func union(trees ...files) []string {
	set := map[string]bool{}
	for _, t := range trees {
		for p := range t {
			set[p] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// modeFor is the mode a step gives a file it writes.
func modeFor(s Step, p string) filemode.FileMode {
	if slices.Contains(s.Executable, p) {
		return filemode.Executable
	}
	return filemode.Regular
}

// treeFiles flattens the tree of commit h; the zero hash gives no files.
func (p *player) treeFiles(h plumbing.Hash) (files, error) {
	out := files{}
	if h.IsZero() {
		return out, nil
	}
	c, err := p.repo.CommitObject(h)
	if err != nil {
		return nil, err
	}
	tree, err := c.Tree()
	if err != nil {
		return nil, err
	}
	w := object.NewTreeWalker(tree, true, nil)
	defer w.Close()
	for {
		name, e, err := w.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		switch e.Mode {
		case filemode.Dir:
		case filemode.Submodule:
			return nil, fmt.Errorf("commit %s has a submodule at %s, which this package does not handle", h, name)
		default:
			out[name] = entry{hash: e.Hash, mode: e.Mode}
		}
	}
}

// writeTree stores the tree objects for f and returns the root tree's hash.
func (p *player) writeTree(f files) (plumbing.Hash, error) {
	type node struct {
		leaf     *entry
		children map[string]*node
	}
	root := &node{children: map[string]*node{}}
	for _, pth := range slices.Sorted(maps.Keys(f)) {
		parts := strings.Split(pth, "/")
		n := root
		for i, part := range parts {
			if n.leaf != nil {
				return plumbing.ZeroHash, fmt.Errorf("%s would be both a file and a folder", strings.Join(parts[:i], "/"))
			}
			c := n.children[part]
			if c == nil {
				c = &node{children: map[string]*node{}}
				n.children[part] = c
			}
			n = c
		}
		if len(n.children) > 0 {
			return plumbing.ZeroHash, fmt.Errorf("%s would be both a file and a folder", pth)
		}
		e := f[pth]
		n.leaf = &e
	}
	var write func(n *node) (plumbing.Hash, error)
	write = func(n *node) (plumbing.Hash, error) {
		t := &object.Tree{}
		for name, c := range n.children {
			if c.leaf != nil {
				t.Entries = append(t.Entries, object.TreeEntry{Name: name, Mode: c.leaf.mode, Hash: c.leaf.hash})
				continue
			}
			h, err := write(c)
			if err != nil {
				return plumbing.ZeroHash, err
			}
			t.Entries = append(t.Entries, object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: h})
		}
		sort.Sort(object.TreeEntrySorter(t.Entries))
		obj := p.repo.Storer.NewEncodedObject()
		if err := t.Encode(obj); err != nil {
			return plumbing.ZeroHash, err
		}
		return p.repo.Storer.SetEncodedObject(obj)
	}
	return write(root)
}

// storeBlob stores content as a blob and returns its hash.
func (p *player) storeBlob(data []byte) (plumbing.Hash, error) {
	h := plumbing.ComputeHash(plumbing.BlobObject, data)
	if p.repo.Storer.HasEncodedObject(h) == nil {
		return h, nil
	}
	obj := p.repo.Storer.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	obj.SetSize(int64(len(data)))
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := w.Write(data); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	return p.repo.Storer.SetEncodedObject(obj)
}

// readBlob returns a blob's content.
func (p *player) readBlob(h plumbing.Hash) ([]byte, error) {
	obj, err := p.repo.Storer.EncodedObject(plumbing.BlobObject, h)
	if err != nil {
		return nil, err
	}
	r, err := obj.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// ignorer returns a matcher for the paths git would not add: .grader/ always
// (even in a repository whose info/exclude lacks it), then .git/info/exclude
// and every .gitignore. The user's global excludes file is deliberately not
// read, so results do not depend on the machine.
func (p *player) ignorer() (gitignore.Matcher, error) {
	ps, err := Excludes(p.dir)
	if err != nil {
		return nil, err
	}
	more, err := gitignore.ReadPatterns(osfs.New(p.dir, osfs.WithBoundOS()), nil)
	if err != nil {
		return nil, fmt.Errorf("reading .gitignore files: %w", err)
	}
	return gitignore.NewMatcher(append(ps, more...)), nil
}

// Excludes returns the patterns of the repository in dir's .git/info/exclude,
// and /.grader/ whether or not that file has it. go-git's Worktree.Status
// misses them (since v5.19 its worktree file system refuses paths in .git), so
// it would list grader's own files and a remote's repository as untracked:
// set [github.com/go-git/go-git/v5.Worktree].Excludes to these patterns before asking for a status,
// and it agrees with `git status`.
func Excludes(dir string) ([]gitignore.Pattern, error) {
	ps := []gitignore.Pattern{gitignore.ParsePattern("/.grader/", nil)}
	data, err := os.ReadFile(filepath.Join(dir, ".git", "info", "exclude"))
	if errors.Is(err, fs.ErrNotExist) {
		return ps, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading .git/info/exclude: %w", err)
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		line = strings.TrimSuffix(line, "\r")
		if strings.TrimSpace(line) != "" && !strings.HasPrefix(line, "#") {
			ps = append(ps, gitignore.ParsePattern(line, nil))
		}
	}
	return ps, nil
}

// snapshot hashes the working tree as `git add -A` would see it: every file
// except .git and .grader, untracked ignored files, and nested repositories.
// tracked paths (the index, say) are included even when ignored. With store,
// the blobs are written to the object store, ready for a commit.
//
// A file's mode is the one this Play wrote it with; failing that, its
// executable bit, or on Windows, which has none, its mode in tracked (as git
// does with core.fileMode false). So Executable gives the same hashes on every
// system.
func (p *player) snapshot(tracked files, store bool) (files, error) {
	ignore, err := p.ignorer()
	if err != nil {
		return nil, err
	}
	trackedDirs := map[string]bool{}
	for t := range tracked {
		for d := path.Dir(t); d != "."; d = path.Dir(d) {
			trackedDirs[d] = true
		}
	}
	out := files{}
	err = fs.WalkDir(p.root.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if name == "." {
			return nil
		}
		parts := strings.Split(name, "/")
		if d.IsDir() {
			if name == ".git" || name == runner.MetaDir {
				return fs.SkipDir
			}
			if _, err := p.root.Lstat(name + "/.git"); err == nil {
				return fs.SkipDir // a nested repository: not ours to add
			}
			if ignore.Match(parts, true) && !trackedDirs[name] {
				return fs.SkipDir
			}
			return nil
		}
		if _, ok := tracked[name]; !ok && ignore.Match(parts, false) {
			return nil
		}
		var data []byte
		var mode filemode.FileMode
		switch t := d.Type(); {
		case t.IsRegular():
			info, err := d.Info()
			if err != nil {
				return err
			}
			mode = filemode.Regular
			if m, ok := p.modes[name]; ok {
				mode = m
			} else if runtime.GOOS == "windows" {
				if e, ok := tracked[name]; ok && e.mode == filemode.Executable {
					mode = filemode.Executable
				}
			} else if info.Mode()&0o111 != 0 {
				mode = filemode.Executable
			}
			if data, err = p.root.ReadFile(name); err != nil {
				return err
			}
		case t&fs.ModeSymlink != 0:
			target, err := p.root.Readlink(name)
			if err != nil {
				return err
			}
			data, mode = []byte(target), filemode.Symlink
		default:
			return nil // sockets, devices and such are not git's business
		}
		h := plumbing.ComputeHash(plumbing.BlobObject, data)
		if store {
			if h, err = p.storeBlob(data); err != nil {
				return err
			}
		}
		out[name] = entry{hash: h, mode: mode}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the working tree: %w", err)
	}
	return out, nil
}

// readIndex flattens the index.
func (p *player) readIndex() (files, error) {
	idx, err := p.repo.Storer.Index()
	if err != nil {
		return nil, fmt.Errorf("reading the index: %w", err)
	}
	out := files{}
	for _, e := range idx.Entries {
		if e.Stage != 0 { // index.Merged is 1 in go-git, but an unconflicted entry is stage 0
			return nil, fmt.Errorf("the index has an unresolved conflict on %s", e.Name)
		}
		out[e.Name] = entry{hash: e.Hash, mode: e.Mode}
	}
	return out, nil
}

// writeIndex makes the index hold exactly f. A file whose working copy has the
// same content gets its stat data, so git does not hash it again; any other
// gets none, so git can never take it for unchanged.
func (p *player) writeIndex(f files) error {
	idx := &index.Index{Version: 2}
	for _, name := range slices.Sorted(maps.Keys(f)) {
		e := idx.Add(name)
		e.Hash, e.Mode = f[name].hash, f[name].mode
		info, err := p.root.Lstat(name)
		if err != nil {
			continue
		}
		var data []byte
		switch {
		case info.Mode().IsRegular():
			data, err = p.root.ReadFile(name)
		case info.Mode()&fs.ModeSymlink != 0:
			var target string
			target, err = p.root.Readlink(name)
			data = []byte(target)
		default:
			continue
		}
		if err != nil || plumbing.ComputeHash(plumbing.BlobObject, data) != e.Hash {
			continue
		}
		e.ModifiedAt = info.ModTime()
		e.Size = uint32(info.Size())
		fillStat(e, info)
	}
	if err := p.repo.Storer.SetIndex(idx); err != nil {
		return fmt.Errorf("writing the index: %w", err)
	}
	return nil
}

// writeFile puts content at a path of the working tree with a file mode,
// replacing what is there and making the folders it needs.
func (p *player) writeFile(name string, data []byte, mode filemode.FileMode) error {
	if dir := path.Dir(name); dir != "." {
		if err := p.root.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("cannot make folder %s for %s: %w", dir, name, unwrapPath(err))
		}
	}
	if info, err := p.root.Lstat(name); err == nil {
		if info.IsDir() {
			return fmt.Errorf("cannot write %s: a folder is in the way", name)
		}
		if !info.Mode().IsRegular() || mode == filemode.Symlink {
			if err := p.root.Remove(name); err != nil {
				return err
			}
		}
	}
	switch mode {
	case filemode.Symlink:
		return p.root.Symlink(string(data), name)
	case filemode.Regular, filemode.Executable, filemode.Deprecated:
	default:
		return fmt.Errorf("cannot write %s: unsupported file mode %s", name, mode)
	}
	perm := os.FileMode(0o644)
	if mode == filemode.Executable {
		perm = 0o755
	}
	if err := p.root.WriteFile(name, data, perm); err != nil {
		return fmt.Errorf("cannot write %s: %w", name, unwrapPath(err))
	}
	p.modes[name] = mode
	// WriteFile keeps an existing file's mode and applies the umask.
	return p.root.Chmod(name, perm)
}

// removeFile deletes a path of the working tree (a folder with everything in
// it) and then any folders it leaves empty.
func (p *player) removeFile(name string) error {
	if err := p.root.RemoveAll(name); err != nil {
		return fmt.Errorf("cannot delete %s: %w", name, unwrapPath(err))
	}
	for m := range p.modes {
		if m == name || strings.HasPrefix(m, name+"/") {
			delete(p.modes, m)
		}
	}
	for dir := path.Dir(name); dir != "."; dir = path.Dir(dir) {
		if p.root.Remove(dir) != nil {
			break // not empty, or gone
		}
	}
	return nil
}

// exists reports whether a path is in the working tree.
func (p *player) exists(name string) bool {
	_, err := p.root.Lstat(name)
	return err == nil
}

// checkout writes entry e of the object store to a path of the working tree.
func (p *player) checkout(name string, e entry) error {
	data, err := p.readBlob(e.hash)
	if err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	return p.writeFile(name, data, e.mode)
}

// moveTo changes the index and working tree from tree from (what HEAD has now)
// to tree to, the way `git switch` and `git merge` do: paths that differ
// between the two trees are rewritten and must have no uncommitted changes,
// and every other path keeps its uncommitted changes. With force, as in `git
// reset --hard`, uncommitted changes to tracked paths are discarded instead;
// untracked files in no tree are kept either way.
func (p *player) moveTo(from, to files, force bool) error {
	idx, err := p.readIndex()
	if err != nil {
		return err
	}
	tracked := maps.Clone(from)
	maps.Copy(tracked, idx)
	work, err := p.snapshot(tracked, false)
	if err != nil {
		return err
	}
	var changed, blocked []string
	for _, name := range union(from, to, idx) {
		if force {
			if !same(to, idx, name) || !same(to, work, name) || !same(to, from, name) {
				changed = append(changed, name)
			}
			continue
		}
		if same(from, to, name) {
			continue
		}
		changed = append(changed, name)
		if !same(idx, from, name) {
			blocked = append(blocked, name)
		} else if !same(work, from, name) && !same(work, to, name) {
			blocked = append(blocked, name)
		}
	}
	if len(blocked) > 0 {
		return fmt.Errorf("uncommitted changes to %s would be overwritten: commit them, or reset first", andList(blocked))
	}
	for _, name := range changed {
		if _, ok := to[name]; !ok {
			if _, ok := tracked[name]; ok {
				if err := p.removeFile(name); err != nil {
					return err
				}
			}
			delete(idx, name)
		}
	}
	for _, name := range changed {
		if e, ok := to[name]; ok {
			if !same(work, to, name) {
				if err := p.checkout(name, e); err != nil {
					return err
				}
			}
			idx[name] = e
		}
	}
	return p.writeIndex(idx)
}

// equalFiles reports whether two trees are the same.
func equalFiles(a, b files) bool { return maps.Equal(a, b) }

// unwrapPath drops the *fs.PathError wrapper, whose path is the os.Root's
// relative name and only repeats what the message says.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
