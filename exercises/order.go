package exercises

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"

	"go.yaml.in/yaml/v3"
)

// CatalogFile is the optional file at a catalog's root that gives the order
// a learner takes its exercises in. Without it a phase lists its exercises
// alphabetically, which puts git-amend before git-basics; with it the author
// decides, as Rustlings' info.toml and Exercism's config.json do.
const CatalogFile = "catalog.yaml"

// catalogSpec mirrors catalog.yaml.
type catalogSpec struct {
	Format int `yaml:"format"`
	// Order lists exercise ids in the order a learner should take them.
	// The roadmap keeps skills and phases apart, so one list serves all:
	// an exercise's place counts only among those of its skill and phase.
	// Exercises left out come after the listed ones, alphabetically.
	Order []string `yaml:"order"`
}

// readOrder reads catalog.yaml, if there is one, into a rank per id, and
// reports ids that name no exercise or are listed twice, each at its line.
// It reads the file through the spec parser, which finds a problem's line
// (and parses the YAML tree for it) only when there is a problem: every
// `grader check` opens the catalog.
func readOrder(fsys fs.FS, known map[string]string) (map[string]int, []Problem, error) {
	data, err := fs.ReadFile(fsys, CatalogFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	p := &parser{file: CatalogFile, data: data}
	var spec catalogSpec
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&spec); err != nil {
		p.yamlError(err)
		return nil, p.problems, nil
	}
	if spec.Format != 1 {
		p.add("format", "must be 1")
		return nil, p.problems, nil
	}
	rank := map[string]int{}
	for i, id := range spec.Order {
		field := fmt.Sprintf("order[%d]", i)
		switch _, ok := known[id]; {
		case !ok:
			msg := fmt.Sprintf("no exercise %q in this catalog", id)
			ids := make([]string, 0, len(known))
			for k := range known {
				ids = append(ids, k)
			}
			if near := Nearest(id, ids, 1); len(near) > 0 {
				msg += fmt.Sprintf("; did you mean %s?", near[0])
			}
			p.add(field, "%s", msg)
		case rank[id] > 0:
			p.add(field, "%s is listed twice; keep one place for it", id)
		default:
			rank[id] = i + 1
		}
	}
	return rank, p.problems, nil
}
