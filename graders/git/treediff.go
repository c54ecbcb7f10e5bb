package git

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// entry is a path's state in a tree: its blob (a submodule's commit) and mode.
// The zero entry means the path is not there.
type entry struct {
	hash plumbing.Hash
	mode filemode.FileMode
}

func (e entry) exists() bool { return !e.hash.IsZero() }

// maxCachedTrees bounds the tree cache; walks over long histories decode a new
// root tree per commit and must not keep them all.
const maxCachedTrees = 4096

// treeEntries returns a tree's entries by name; the zero hash is the empty
// tree. Trees are cached because consecutive commits share most subtrees.
func (r *repo) treeEntries(h plumbing.Hash) (map[string]entry, error) {
	if h.IsZero() {
		return nil, nil
	}
	r.mu.Lock()
	m, ok := r.trees[h]
	r.mu.Unlock()
	if ok {
		return m, nil
	}
	t, err := r.git.TreeObject(h)
	if err != nil {
		return nil, fmt.Errorf("tree %s: %w", short(h), err)
	}
	m = make(map[string]entry, len(t.Entries))
	for _, e := range t.Entries {
		m[e.Name] = entry{e.Hash, e.Mode}
	}
	r.mu.Lock()
	if len(r.trees) >= maxCachedTrees {
		clear(r.trees)
	}
	r.trees[h] = m
	r.mu.Unlock()
	return m, nil
}

// lookup returns the entry at a slash path in the tree h.
func (r *repo) lookup(h plumbing.Hash, path string) (entry, error) {
	parts := strings.Split(path, "/")
	for i, name := range parts {
		m, err := r.treeEntries(h)
		if err != nil {
			return entry{}, err
		}
		e, ok := m[name]
		switch {
		case !ok:
			return entry{}, nil
		case i == len(parts)-1:
			return e, nil
		case e.mode != filemode.Dir:
			return entry{}, nil
		}
		h = e.hash
	}
	return entry{}, nil
}

// diffTrees calls fn for every file whose entry differs between the trees a
// (before) and b (after). Equal subtrees are skipped by hash, so the cost is
// the size of the change, not of the tree. grader's own folder is left out.
func (r *repo) diffTrees(ctx context.Context, a, b plumbing.Hash, prefix string, fn func(path string, from, to entry)) error {
	if a == b {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	ma, err := r.treeEntries(a)
	if err != nil {
		return err
	}
	mb, err := r.treeEntries(b)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(ma)+len(mb))
	for n := range ma {
		names = append(names, n)
	}
	for n := range mb {
		if _, ok := ma[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		p := prefix + n
		if isGraderPath(p) {
			continue
		}
		x, y := ma[n], mb[n]
		if x == y {
			continue
		}
		xDir, yDir := x.mode == filemode.Dir, y.mode == filemode.Dir
		var xTree, yTree plumbing.Hash
		if xDir {
			xTree = x.hash
			x = entry{}
		}
		if yDir {
			yTree = y.hash
			y = entry{}
		}
		if xDir || yDir {
			if err := r.diffTrees(ctx, xTree, yTree, p+"/", fn); err != nil {
				return err
			}
		}
		if x != y {
			fn(p, x, y)
		}
	}
	return nil
}

// change is what a commit did: each path it touched and the entry it left
// there (zero for a deletion).
type change map[string]entry

// changeOf returns a commit's change relative to its first parent (to the empty
// tree for a root commit), the unit both cherry-pick and revert work in.
func (r *repo) changeOf(ctx context.Context, c *object.Commit) (change, error) {
	var parentTree plumbing.Hash
	if ps := r.parents(c); len(ps) > 0 {
		p, err := r.commit(ps[0])
		if err != nil {
			return nil, err
		}
		parentTree = p.TreeHash
	}
	ch := change{}
	err := r.diffTrees(ctx, parentTree, c.TreeHash, "", func(path string, _, to entry) { ch[path] = to })
	return ch, err
}

// equal reports whether two changes touch the same paths the same way.
func (ch change) equal(other change) bool {
	if len(ch) != len(other) {
		return false
	}
	for p, e := range ch {
		if o, ok := other[p]; !ok || o != e {
			return false
		}
	}
	return true
}

// samePaths reports whether two changes touch the same paths, however.
func (ch change) samePaths(other change) bool {
	if len(ch) != len(other) {
		return false
	}
	for p := range ch {
		if _, ok := other[p]; !ok {
			return false
		}
	}
	return true
}

// paths lists the paths a change touches, sorted.
func (ch change) paths() []string {
	out := make([]string, 0, len(ch))
	for p := range ch {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// isTree reports whether an entry is a folder.
func isTree(e entry) bool { return e.exists() && e.mode == filemode.Dir }
