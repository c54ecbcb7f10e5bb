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
	// Reveal is false when finding the commit At names is the exercise (a
	// bisect's culprit): a failure then never names, describes or suggests
	// it, so `grader check` cannot be used to look the answer up.
	Reveal *bool `yaml:"reveal"`
}

// compileTag builds git.tag: a tag exists, is annotated (or lightweight), points
// at a commit, and carries a message. Release exercises use it; annotated is a
// pointer so that "either kind" stays the default.
//
// Where the tag points is judged before its kind, and every suggested command
// re-makes the tag on the commit it must mark (At, when the check knows it and
// may reveal it; else the commit the tag marks now), as the kind it must be: a
// fix that re-tagged HEAD, or kept a wrong commit the check knew about, would
// lead the learner from one failure into the next.
func compileTag(_ runner.Params, prm *tagParams) (runner.Checker, error) {
	name := strings.TrimPrefix(strings.TrimSpace(prm.Tag), "refs/tags/")
	if name == "" {
		return nil, paramErr("tag", "is required")
	}
	if err := plumbing.NewTagReferenceName(name).Validate(); err != nil {
		return nil, paramErr("tag", "%q is not a valid tag name", name)
	}
	at, err := optRev("at", prm.At)
	if err != nil {
		return nil, err
	}
	msgRe, err := regexpParam("message", prm.Message)
	if err != nil {
		return nil, err
	}
	if msgRe != nil && prm.Annotated != nil && !*prm.Annotated {
		return nil, paramErr("message", "only annotated tags have a message, but annotated is false")
	}
	if prm.Absent && (prm.Annotated != nil || at.set() || msgRe != nil) {
		return nil, paramErr("absent", "cannot be combined with annotated, at or message")
	}
	if prm.Reveal != nil && !at.set() {
		return nil, paramErr("reveal", "only applies with at")
	}
	reveal := prm.Reveal == nil || *prm.Reveal
	// A message can only be checked on an annotated tag.
	wantAnnotated := prm.Annotated != nil && *prm.Annotated || msgRe != nil
	wantLight := prm.Annotated != nil && !*prm.Annotated
	return check(func(ctx context.Context, r *repo) (runner.Outcome, error) {
		ref, err := r.git.Storer.Reference(plumbing.NewTagReferenceName(name))
		switch {
		case errors.Is(err, plumbing.ErrReferenceNotFound) && prm.Absent:
			return runner.Passed("no tag " + name), nil
		case errors.Is(err, plumbing.ErrReferenceNotFound):
			where, on := "", " on the right commit"
			if at.set() && reveal {
				want, err := r.resolve(ctx, at)
				if err != nil {
					return runner.Outcome{}, err
				}
				where, on = " "+at.name(want), ""
			}
			how := fmt.Sprintf("`git tag %s%s`", name, where)
			if wantAnnotated {
				how = fmt.Sprintf("`git tag -a %s -m \"...\"%s`", name, where)
			}
			return runner.Outcome{}, fail("tag %s does not exist: create it with %s%s", name, how, on)
		case err != nil:
			return runner.Outcome{}, fmt.Errorf("reading tag %s: %w", name, err)
		case prm.Absent:
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
		// remake is the command that makes the tag again, as the kind it
		// must be, on the commit named by where.
		makeAnnotated := wantAnnotated || annotated && !wantLight
		remake := func(where string) string {
			if makeAnnotated {
				return fmt.Sprintf("`git tag -a -f %s -m \"...\" %s`", name, where)
			}
			if annotated {
				return fmt.Sprintf("`git tag -d %s` and then `git tag %s %s`", name, name, where)
			}
			return fmt.Sprintf("`git tag -f %s %s`", name, where)
		}
		if at.set() {
			want, err := r.resolve(ctx, at)
			if err != nil {
				return runner.Outcome{}, err
			}
			switch {
			case want.Hash != target.Hash && !reveal:
				return runner.Outcome{}, failed("", describe(target),
					"tag %s points to %s, which is not the commit it must mark. Once you have found the right commit, move the tag there with %s",
					name, describe(target), remake("<hash>"))
			case want.Hash != target.Hash:
				return runner.Outcome{}, failed(describe(want), describe(target),
					"tag %s points to %s, not %s: move it with %s", name, describe(target), describe(want), remake(at.name(want)))
			}
		}
		// The tag is where it must be (or the check does not say where):
		// keep it on the commit it marks.
		here := short(target.Hash)
		switch {
		case wantAnnotated && !annotated:
			return runner.Outcome{}, failed("annotated", "lightweight",
				"tag %s is a lightweight tag on %s, but an annotated one (with a message) is needed: replace it with %s",
				name, describe(target), remake(here))
		case wantLight && annotated:
			return runner.Outcome{}, failed("lightweight", "annotated",
				"tag %s is an annotated tag on %s, but a lightweight one is needed: replace it with %s",
				name, describe(target), remake(here))
		}
		if msgRe != nil && !msgRe.MatchString(tagObj.Message) {
			return runner.Outcome{}, failed(pattern(msgRe), strings.TrimSpace(tagObj.Message),
				"the message of tag %s does not match %q: rewrite it with `git tag -a -f %s -m \"...\" %s`",
				name, pattern(msgRe), name, short(target.Hash))
		}
		return runner.Passed(fmt.Sprintf("%s tag %s at %s", kind[annotated], name, short(target.Hash))), nil
	}), nil
}
