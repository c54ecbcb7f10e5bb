package exercises

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/backendroadmap/grader/runner"
)

// Catalog is a set of exercises in a folder tree. It indexes folders when made
// and parses a spec only when its exercise is asked for, so `grader check` reads
// one spec, not the whole catalog.
type Catalog struct {
	// Name says where the catalog came from, for messages and reports:
	// "embedded", a folder, or a git URL with the commit it was pinned to.
	Name string
	// Origin identifies the catalog across its versions, so a learner's
	// progress follows the catalog and not a bare id that another catalog
	// may reuse: empty for the embedded catalog, else the folder's absolute
	// path or the git URL (without the commit a clone was pinned to).
	Origin string
	fsys   fs.FS
	dirs   map[string]string // id → folder
	rank   map[string]int    // id → place in catalog.yaml's order, from 1
	kinds  runner.Kinds
}

// ProgressKey is the key of exercise id's record in a learner's progress:
// the bare id in the embedded catalog (as every earlier grader stored it),
// else the id qualified by the catalog's [Catalog.Origin].
func (c *Catalog) ProgressKey(id string) string {
	if c.Origin == "" {
		return id
	}
	return c.Origin + "#" + id
}

// NewCatalog indexes the exercises in fsys. kinds are the check kinds specs may
// use. Two folders with the same name are an error, since the name is the id.
// An exercise folder is not searched further: its starter, solution and
// wrong solutions hold no exercises, and reading them would cost every
// `grader check` a walk of the whole catalog.
func NewCatalog(fsys fs.FS, name string, kinds runner.Kinds) (*Catalog, error) {
	c := &Catalog{Name: name, fsys: fsys, dirs: map[string]string{}, kinds: kinds}
	var problems []Problem
	var index func(dir string) error
	index = func(dir string) error {
		entries, err := fs.ReadDir(fsys, dir)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(entries, func(d fs.DirEntry) bool { return !d.IsDir() && d.Name() == SpecFile }) {
			id := path.Base(dir)
			if dir == "." {
				// A catalog that is a single exercise's folder: fs.FS does not
				// know the folder's name, so the spec's own id names it.
				id = rootID(fsys)
			}
			if prev, dup := c.dirs[id]; dup {
				problems = append(problems, Problem{File: path.Join(dir, SpecFile), Msg: fmt.Sprintf("exercise folder name %q is also used by %s; folder names are ids and must be unique", id, prev)})
				return nil
			}
			c.dirs[id] = dir
			return nil
		}
		for _, d := range entries {
			if d.IsDir() && !strings.HasPrefix(d.Name(), ".") {
				if err := index(path.Join(dir, d.Name())); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := index("."); err != nil {
		return nil, fmt.Errorf("reading catalog %s: %w", name, err)
	}
	rank, orderProblems, err := readOrder(fsys, c.dirs)
	if err != nil {
		return nil, fmt.Errorf("reading catalog %s: %w", name, err)
	}
	c.rank = rank
	problems = append(problems, orderProblems...)
	if len(problems) > 0 {
		return nil, &SpecError{Problems: problems}
	}
	if len(c.dirs) == 0 {
		return nil, fmt.Errorf("catalog %s holds no exercises: each exercise is a folder with an %s", name, SpecFile)
	}
	return c, nil
}

// IDs returns every exercise id in the catalog's order ([CatalogFile]):
// the listed ones first, as listed, then the rest alphabetically.
func (c *Catalog) IDs() []string {
	ids := make([]string, 0, len(c.dirs))
	for id := range c.dirs {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int {
		ra, rb := c.rank[a], c.rank[b]
		switch {
		case ra != rb && ra > 0 && rb > 0:
			return ra - rb
		case ra > 0 && rb == 0:
			return -1
		case ra == 0 && rb > 0:
			return 1
		}
		return strings.Compare(a, b)
	})
	return ids
}

// Exercise loads and validates one exercise. An unknown id is an
// [*UnknownError] with the nearest ids; a broken spec is a [*SpecError].
func (c *Catalog) Exercise(id string) (*Exercise, error) {
	dir, ok := c.dirs[id]
	if !ok {
		return nil, &UnknownError{ID: id, Catalog: c.Name, Near: Nearest(id, c.IDs(), 3)}
	}
	file := path.Join(dir, SpecFile)
	data, err := fs.ReadFile(c.fsys, file)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", file, err)
	}
	sub, err := fs.Sub(c.fsys, dir)
	if err != nil {
		return nil, err
	}
	folder := id
	if dir == "." {
		folder = ""
	}
	return parse(data, file, sub, folder, c.kinds)
}

// All loads every exercise, in id order. Problems from every broken spec are
// reported together in one [*SpecError].
func (c *Catalog) All() ([]*Exercise, error) {
	var all []*Exercise
	var problems []Problem
	for _, id := range c.IDs() {
		ex, err := c.Exercise(id)
		if se, ok := err.(*SpecError); ok {
			problems = append(problems, se.Problems...)
			continue
		}
		if err != nil {
			return nil, err
		}
		all = append(all, ex)
	}
	if len(problems) > 0 {
		return all, &SpecError{Problems: problems}
	}
	return all, nil
}

// rootID reads just the id of a spec at the root of fsys.
func rootID(fsys fs.FS) string {
	var head struct {
		ID string `yaml:"id"`
	}
	if data, err := fs.ReadFile(fsys, SpecFile); err == nil {
		_ = yaml.Unmarshal(data, &head) // a broken spec is reported in full when loaded
	}
	if head.ID == "" {
		return "."
	}
	return head.ID
}
