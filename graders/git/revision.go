package git

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/backendroadmap/grader/runner"
)

// rev is a revision parameter, checked when the spec is loaded so that a typo in
// a `:/` pattern is the author's error, not the learner's failure.
type rev struct {
	text string
	re   *regexp.Regexp // set for `:/REGEX`
}

// parseRev checks a revision parameter. It accepts what git rev-parse users
// write (a branch, tag, hash, HEAD~2, main^2) and `:/REGEX`.
func parseRev(field, s string) (rev, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return rev{}, &runner.ParamError{Field: field, Msg: "is required"}
	}
	if pat, ok := strings.CutPrefix(s, ":/"); ok {
		if pat == "" {
			return rev{}, &runner.ParamError{Field: field, Msg: "`:/` needs a pattern to search commit messages for"}
		}
		// Multi-line, like every pattern here: ^ and $ match at line ends, so
		// `:/^Add greeting$` finds a commit whose subject is exactly that.
		re, err := regexp.Compile("(?m)" + pat)
		if err != nil {
			return rev{}, &runner.ParamError{Field: field, Msg: fmt.Sprintf("bad pattern after `:/`: %v", err)}
		}
		return rev{text: s, re: re}, nil
	}
	if strings.ContainsAny(s, " \t\n") || strings.Contains(s, "..") {
		return rev{}, &runner.ParamError{Field: field, Msg: fmt.Sprintf("%q is not a single revision", s)}
	}
	return rev{text: s}, nil
}

// optRev is parseRev for an optional parameter: empty gives the zero rev.
func optRev(field, s string) (rev, error) {
	if strings.TrimSpace(s) == "" {
		return rev{}, nil
	}
	return parseRev(field, s)
}

func (v rev) set() bool { return v.text != "" }

// name is how messages and suggested commands refer to the revision: as the
// author wrote it, unless that is a `:/` search, which would be a mouthful in
// a command; then the commit's short hash.
func (v rev) name(c *object.Commit) string {
	if v.re != nil && c != nil {
		return short(c.Hash)
	}
	return v.text
}

// resolve finds the commit a revision names. A revision that names nothing is a
// failure marked missing.
func (r *repo) resolve(ctx context.Context, v rev) (*object.Commit, error) {
	if v.re != nil {
		return r.searchMessage(ctx, v, false)
	}
	base, steps, ok := splitRev(v.text)
	if !ok {
		// Rarer syntax (@{-1}, ^{/text}): go-git's own resolver.
		h, err := r.git.ResolveRevision(plumbing.Revision(v.text))
		if err != nil {
			return nil, notFound(v.text, err)
		}
		return r.commit(*h)
	}
	c, err := r.resolveName(base)
	if err != nil {
		return nil, err
	}
	for _, s := range steps {
		for range s.count {
			ps := r.parents(c)
			n := 0
			if s.op == '^' {
				n = s.nth - 1
			}
			if n >= len(ps) {
				return nil, &failure{out: runner.Failed("%s does not exist: %s has no parent there", v.text, describe(c)), missing: true}
			}
			if c, err = r.commit(ps[n]); err != nil {
				return nil, err
			}
		}
	}
	return c, nil
}

// step is one ~N or ^N suffix.
type step struct {
	op    byte // '~' or '^'
	count int  // how many times to step
	nth   int  // for '^': which parent
}

// splitRev splits NAME~2^2 into NAME and its steps. ok is false for syntax it
// leaves to go-git.
func splitRev(s string) (base string, steps []step, ok bool) {
	i := strings.IndexAny(s, "~^")
	if i < 0 {
		return s, nil, !special(s)
	}
	base, s = s[:i], s[i:]
	if base == "" || special(base) {
		return "", nil, false
	}
	for s != "" {
		op := s[0]
		j := 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		n := 1
		if j > 1 {
			var err error
			if n, err = strconv.Atoi(s[1:j]); err != nil {
				return "", nil, false
			}
		}
		switch op {
		case '~':
			steps = append(steps, step{op: '~', count: n})
		case '^':
			if n > 0 {
				steps = append(steps, step{op: '^', count: 1, nth: n})
			}
		default:
			return "", nil, false
		}
		s = s[j:]
	}
	return base, steps, true
}

// special reports syntax that splitRev leaves to go-git.
func special(s string) bool {
	return strings.Contains(s, "@{") || strings.ContainsAny(s, "{}:")
}

// resolveName resolves a name without suffixes. Refs win over hash prefixes, as
// in git, so a branch called "cafe" is the branch, not a commit starting cafe.
func (r *repo) resolveName(name string) (*object.Commit, error) {
	if name == "HEAD" || name == "@" {
		return r.headCommit()
	}
	for _, rule := range plumbing.RefRevParseRules {
		// go-git refuses to read a bare name outside refs/ (a path-traversal
		// guard); git only reads pseudo-refs (ORIG_HEAD) there anyway.
		if rule == "%s" && !strings.HasPrefix(name, "refs/") && !isPseudoRef(name) {
			continue
		}
		refName := plumbing.ReferenceName(fmt.Sprintf(rule, name))
		ref, err := r.git.Reference(refName, true)
		if errors.Is(err, plumbing.ErrReferenceNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", refName, err)
		}
		return r.peel(ref.Hash(), name)
	}
	if len(name) >= 4 && isHex(name) {
		h, err := r.git.ResolveRevision(plumbing.Revision(name))
		if err == nil {
			return r.commit(*h)
		}
	}
	if h, err := r.head(); err == nil && h.branch == name && h.commit == nil {
		return nil, noCommits(name)
	}
	return nil, notFound(name, nil)
}

// isPseudoRef reports names like ORIG_HEAD and FETCH_HEAD.
func isPseudoRef(s string) bool {
	for _, c := range s {
		if (c < 'A' || c > 'Z') && c != '_' {
			return false
		}
	}
	return strings.HasSuffix(s, "HEAD")
}

func isHex(s string) bool {
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}

// notFound is the failure for a revision that names nothing.
func notFound(text string, cause error) error {
	msg := fmt.Sprintf("%s does not name a branch, tag or commit in this repository", text)
	if cause != nil && !errors.Is(cause, plumbing.ErrReferenceNotFound) && !errors.Is(cause, plumbing.ErrObjectNotFound) {
		msg += fmt.Sprintf(" (%v)", cause)
	}
	return &failure{out: runner.Failed("%s", msg), missing: true}
}

// resolveOriginal is resolve for checks about copies of a commit (cherry-picks,
// reverts): there `:/` finds the oldest match, because the learner's copy
// repeats the original's message (and a revert quotes it), and git's "newest
// match" would find the copy.
func (r *repo) resolveOriginal(ctx context.Context, v rev) (*object.Commit, error) {
	if v.re != nil {
		return r.searchMessage(ctx, v, true)
	}
	return r.resolve(ctx, v)
}

// searchMessage implements `:/REGEX`: the newest commit reachable from any
// branch (or HEAD) whose message matches, as git's own `:/` does; or, with
// oldest, the oldest.
func (r *repo) searchMessage(ctx context.Context, v rev, oldest bool) (*object.Commit, error) {
	key := searchKey{v.re.String(), oldest}
	r.mu.Lock()
	found, ok := r.searches[key]
	r.mu.Unlock()
	if ok {
		return found, nil
	}
	tips, err := r.branchTips()
	if err != nil {
		return nil, err
	}
	err = r.walk(ctx, tips, nil, func(c *object.Commit) (bool, error) {
		if v.re.MatchString(c.Message) {
			found = c
			return !oldest, nil
		}
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.searches[key] = found
	r.mu.Unlock()
	if found == nil {
		return nil, &failure{
			out:     runner.Failed("no commit on any branch has a message matching %q", pattern(v.re)),
			missing: true,
		}
	}
	return found, nil
}
