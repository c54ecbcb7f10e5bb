package git

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/backendroadmap/grader/runner"
)

type tagParams struct {
	Tag       string `yaml:"tag"`
	Annotated *bool  `yaml:"annotated"`
	At        string `yaml:"at"`
	Message   string `yaml:"message"`
	Absent    bool   `yaml:"absent"`
}

// compileTag builds git.tag: a tag exists, is annotated (or lightweight), points
// at a commit, and carries a message. Release exercises use it; annotated is a
// pointer so that "either kind" stays the default.
func compileTag(p runner.Params) (runner.Checker, error) {
	var ps tagParams
	if err := decode(p, &ps); err != nil {
		return nil, err
	}
	name := strings.TrimPrefix(strings.TrimSpace(ps.Tag), "refs/tags/")
	if name == "" {
		return nil, paramErr("tag", "is required")
	}
	if err := plumbing.NewTagReferenceName(name).Validate(); err != nil {
		return nil, paramErr("tag", "%q is not a valid tag name", name)
	}
	at, err := optRev("at", ps.At)
	if err != nil {
		return nil, err
	}
	msgRe, err := regexpParam("message", ps.Message)
	if err != nil {
		return nil, err
	}
	if msgRe != nil && ps.Annotated != nil && !*ps.Annotated {
		return nil, paramErr("message", "only annotated tags have a message, but annotated is false")
	}
	if ps.Absent && (ps.Annotated != nil || at.set() || msgRe != nil) {
		return nil, paramErr("absent", "cannot be combined with annotated, at or message")
	}
	// A message can only be checked on an annotated tag.
	wantAnnotated := ps.Annotated != nil && *ps.Annotated || msgRe != nil
	wantLight := ps.Annotated != nil && !*ps.Annotated
	return check(func(ctx context.Context, r *repo) (runner.Outcome, error) {
		ref, err := r.git.Storer.Reference(plumbing.NewTagReferenceName(name))
		switch {
		case errors.Is(err, plumbing.ErrReferenceNotFound) && ps.Absent:
			return runner.Passed("no tag " + name), nil
		case errors.Is(err, plumbing.ErrReferenceNotFound):
			how := fmt.Sprintf("`git tag %s`", name)
			if wantAnnotated {
				how = fmt.Sprintf("`git tag -a %s -m \"...\"`", name)
			}
			return runner.Outcome{}, fail("tag %s does not exist: create it with %s on the right commit", name, how)
		case err != nil:
			return runner.Outcome{}, fmt.Errorf("reading tag %s: %w", name, err)
		case ps.Absent:
			return runner.Outcome{}, fail("tag %s still exists: delete it with `git tag -d %s`", name, name)
		}
		tagObj, err := r.git.TagObject(ref.Hash())
		annotated := err == nil
		if err != nil && !errors.Is(err, plumbing.ErrObjectNotFound) && !errors.Is(err, object.ErrUnsupportedObject) {
			return runner.Outcome{}, fmt.Errorf("reading tag %s: %w", name, err)
		}
		kind := map[bool]string{true: "annotated", false: "lightweight"}
		target, err := r.peel(ref.Hash(), "tag "+name)
		if err != nil {
			return runner.Outcome{}, err
		}
		switch {
		case wantAnnotated && !annotated:
			return runner.Outcome{}, failed("annotated", "lightweight",
				"tag %s is a lightweight tag, but an annotated one (with a message) is needed: replace it with `git tag -a -f %s -m \"...\" %s`",
				name, name, short(target.Hash))
		case wantLight && annotated:
			return runner.Outcome{}, failed("lightweight", "annotated",
				"tag %s is an annotated tag, but a lightweight one is needed: replace it with `git tag -d %s` and then `git tag %s %s`",
				name, name, name, short(target.Hash))
		}
		if at.set() {
			want, err := r.resolve(ctx, at)
			if err != nil {
				return runner.Outcome{}, err
			}
			if want.Hash != target.Hash {
				how := fmt.Sprintf("`git tag -f %s %s`", name, at.name(want))
				if annotated {
					how = fmt.Sprintf("`git tag -a -f %s -m \"...\" %s`", name, at.name(want))
				}
				return runner.Outcome{}, failed(describe(want), describe(target),
					"tag %s points to %s, not %s: move it with %s", name, describe(target), describe(want), how)
			}
		}
		if msgRe != nil && !msgRe.MatchString(tagObj.Message) {
			return runner.Outcome{}, failed(pattern(msgRe), strings.TrimSpace(tagObj.Message),
				"the message of tag %s does not match %q: rewrite it with `git tag -a -f %s -m \"...\" %s`",
				name, pattern(msgRe), name, short(target.Hash))
		}
		return runner.Passed(fmt.Sprintf("%s tag %s at %s", kind[annotated], name, short(target.Hash))), nil
	}), nil
}
