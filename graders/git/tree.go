package git

import (
	"context"
	"fmt"

	"github.com/backendroadmap/grader/runner"
)

type treeParams struct {
	Ref    string   `yaml:"ref"`
	SameAs string   `yaml:"same_as"`
	Paths  []string `yaml:"paths"`
}

// compileTree builds git.tree: two commits hold the same files. History
// rewriting exercises use it to check that a squash or rebase kept the work
// intact: the rewritten branch must end where the original did, even though
// every commit in it is new.
func compileTree(_ runner.Params, prm *treeParams) (runner.Checker, error) {
	ref, err := parseRev("ref", prm.Ref)
	if err != nil {
		return nil, err
	}
	same, err := parseRev("same_as", prm.SameAs)
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, raw := range prm.Paths {
		p, err := pathParam("paths", raw)
		if err != nil {
			return nil, err
		}
		paths = append(paths, p)
	}
	return check(func(ctx context.Context, r *repo) (runner.Outcome, error) {
		a, err := r.resolve(ctx, ref)
		if err != nil {
			return runner.Outcome{}, err
		}
		b, err := r.resolve(ctx, same)
		if err != nil {
			return runner.Outcome{}, err
		}
		var differ []string
		if len(paths) == 0 {
			err = r.diffTrees(ctx, b.TreeHash, a.TreeHash, "", func(p string, from, to entry) {
				differ = append(differ, describeDiff(p, from, to, ref.name(a)))
			})
			if err != nil {
				return runner.Outcome{}, err
			}
		} else {
			for _, p := range paths {
				// A path may name a folder: compare everything under it.
				from, err := r.lookup(b.TreeHash, p)
				if err != nil {
					return runner.Outcome{}, err
				}
				to, err := r.lookup(a.TreeHash, p)
				if err != nil {
					return runner.Outcome{}, err
				}
				if from == to {
					continue
				}
				if isTree(from) || isTree(to) {
					var ft, tt entry
					if isTree(from) {
						ft, from = from, entry{}
					}
					if isTree(to) {
						tt, to = to, entry{}
					}
					err := r.diffTrees(ctx, ft.hash, tt.hash, p+"/", func(p string, from, to entry) {
						differ = append(differ, describeDiff(p, from, to, ref.name(a)))
					})
					if err != nil {
						return runner.Outcome{}, err
					}
				}
				if from != to {
					differ = append(differ, describeDiff(p, from, to, ref.name(a)))
				}
			}
		}
		if len(differ) > 0 {
			return runner.Outcome{}, failed("same files as "+same.name(b), listSome(differ, 20),
				"%s does not have the same files as %s: %s. See the difference with `git diff %s %s`",
				ref.name(a), same.name(b), listSome(differ, 5), same.name(b), ref.name(a))
		}
		return runner.Passed(fmt.Sprintf("%s has the same files as %s", ref.name(a), same.name(b))), nil
	}), nil
}

// describeDiff says how one path differs, from the point of view of the
// commit under test.
func describeDiff(p string, from, to entry, name string) string {
	switch {
	case !from.exists():
		return p + " (only in " + name + ")"
	case !to.exists():
		return p + " (missing from " + name + ")"
	case from.hash == to.hash:
		return p + " (mode changed)"
	}
	return p + " (changed)"
}
