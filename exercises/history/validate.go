package history

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/backendroadmap/grader/runner"
)

// actionFields are the YAML names of a step's actions, in the order the format
// documents them.
var actionFields = []string{"commit", "branch", "switch", "merge", "tag", "reset", "write", "remote", "push"}

// modifiers says which modifier fields each action accepts. A modifier outside
// its action is a mistake in the spec (it would be silently ignored), so
// Validate reports it.
var modifiers = map[string][]string{
	"commit": {"files", "delete", "executable", "author", "date"},
	"branch": {"at", "stay"},
	"switch": {},
	"merge":  {"files", "delete", "executable", "message", "ff", "author", "date"},
	"tag":    {"at", "message", "author", "date"},
	"reset":  {"mode"},
	"write":  {"delete", "executable"},
	"remote": {"path", "branches"},
	"push":   {"to"},
}

// setActions returns the YAML names of the action fields s sets.
func (s Step) setActions() []string {
	var set []string
	for _, f := range actionFields {
		if _, ok := s.actionArg(f); ok {
			set = append(set, f)
		}
	}
	return set
}

// actionArg returns what an action field of s says (empty for write, whose
// argument is a map) and whether s sets it: the one place that knows which Go
// field each action is.
func (s Step) actionArg(field string) (string, bool) {
	switch field {
	case "commit":
		return s.Commit, s.Commit != ""
	case "branch":
		return s.Branch, s.Branch != ""
	case "switch":
		return s.Switch, s.Switch != ""
	case "merge":
		return s.Merge, s.Merge != ""
	case "tag":
		return s.Tag, s.Tag != ""
	case "reset":
		return s.Reset, s.Reset != ""
	case "write":
		return "", s.Write != nil
	case "remote":
		return s.Remote, s.Remote != ""
	case "push":
		return s.Push, s.Push != ""
	}
	return "", false
}

// setModifiers returns the YAML names of the modifier fields s sets.
func (s Step) setModifiers() []string {
	var set []string
	add := func(name string, ok bool) {
		if ok {
			set = append(set, name)
		}
	}
	add("files", s.Files != nil)
	add("delete", len(s.Delete) > 0)
	add("executable", len(s.Executable) > 0)
	add("message", s.Message != "")
	add("at", s.At != "")
	add("mode", s.Mode != "")
	add("ff", s.FF)
	add("stay", s.Stay)
	add("author", s.Author != "")
	add("date", s.Date != "")
	add("path", s.Path != "")
	add("branches", len(s.Branches) > 0)
	add("to", s.To != "")
	return set
}

// Validate reports the first problem with s as a *[runner.ParamError] whose
// Field is the YAML name of the field at fault, so a spec loader can point at
// its line. It checks everything that can be known without a repository: one
// action per step, modifiers that belong to it, names git accepts, dates,
// authors and paths that stay inside the working tree. [Play] validates every
// step before it changes anything.
func (s Step) Validate() error {
	set := s.setActions()
	mods := s.setModifiers()
	switch {
	case len(set) == 0:
		field := "commit"
		if len(mods) > 0 {
			field = mods[0]
		}
		return perr(field, "the step has no action: set one of %s", orList(actionFields))
	case len(set) > 1:
		return perr(set[1], "%s are all set, but a step does one thing: split it into %d steps", andList(set), len(set))
	}
	action := set[0]
	for _, m := range mods {
		if !slices.Contains(modifiers[action], m) {
			if len(modifiers[action]) == 0 {
				return perr(m, "%s takes no other fields", action)
			}
			return perr(m, "does not apply to %s, which takes %s", action, andList(modifiers[action]))
		}
	}

	switch action {
	case "commit":
		if cleanMessage(s.Commit) == "" {
			return perr("commit", "the commit message is empty")
		}
	case "branch":
		if s.Branch == "HEAD" {
			return perr("branch", "HEAD is git's name for the current commit, not a branch name")
		}
		if err := checkRefName("branch", plumbing.NewBranchReferenceName(s.Branch)); err != nil {
			return err
		}
	case "switch":
		if err := checkRefName("switch", plumbing.NewBranchReferenceName(s.Switch)); err != nil {
			return err
		}
	case "tag":
		if err := checkRefName("tag", plumbing.NewTagReferenceName(s.Tag)); err != nil {
			return err
		}
		if s.Message == "" {
			if s.Author != "" {
				return perr("author", "a lightweight tag has no author; set message to make an annotated tag")
			}
			if s.Date != "" {
				return perr("date", "a lightweight tag has no date; set message to make an annotated tag")
			}
		}
	case "reset":
		switch s.Mode {
		case "", "hard", "mixed", "soft":
		default:
			return perr("mode", "%q is not hard, mixed or soft", s.Mode)
		}
	case "write":
		if len(s.Write) == 0 && len(s.Delete) == 0 {
			return perr("write", "changes nothing: give paths and their content, or paths to delete in delete")
		}
	case "remote":
		if err := checkRefName("remote", plumbing.NewRemoteReferenceName(s.Remote, "x")); err != nil {
			return err
		}
		if s.Path != "" {
			if err := checkPath("path", s.Path); err != nil {
				return err
			}
		}
		for _, b := range s.Branches {
			if err := checkRefName("branches", plumbing.NewBranchReferenceName(b)); err != nil {
				return err
			}
		}
	case "push":
		if err := checkRefName("push", plumbing.NewBranchReferenceName(s.Push)); err != nil {
			return err
		}
		if s.To != "" {
			if err := checkRefName("to", plumbing.NewRemoteReferenceName(s.To, "x")); err != nil {
				return err
			}
		}
	}
	for _, field := range []string{"merge", "reset", "at"} {
		if rev := s.field(field); rev != "" && strings.ContainsAny(rev, " \t\n:") {
			return perr(field, "%q is not a revision: use a branch, tag or commit, optionally with ~N or ^N", rev)
		}
	}

	if s.Author != "" {
		if _, _, err := parseAuthor(s.Author); err != nil {
			return perr("author", "%v", err)
		}
	}
	if s.Date != "" {
		if _, err := parseDate(s.Date); err != nil {
			return perr("date", "%v", err)
		}
	}
	return s.validatePaths(action)
}

// field returns the value of a string field by YAML name.
func (s Step) field(name string) string {
	switch name {
	case "merge":
		return s.Merge
	case "reset":
		return s.Reset
	case "at":
		return s.At
	}
	return ""
}

// validatePaths checks Files, Write, Delete and Executable: every path stays in
// the working tree, no path is both written and deleted, no file is also a
// folder of another, and every executable path is one the step writes.
func (s Step) validatePaths(action string) error {
	content, contentField := s.Files, "files"
	if action == "write" {
		content, contentField = s.Write, "write"
	}
	for _, p := range sortedKeys(content) {
		if err := checkPath(contentField, p); err != nil {
			return err
		}
	}
	for _, p := range s.Delete {
		if err := checkPath("delete", p); err != nil {
			return err
		}
		if _, ok := content[p]; ok {
			return perr("delete", "%q is also in %s: a path is either written or deleted", p, contentField)
		}
	}
	keys := sortedKeys(content)
	for i := 1; i < len(keys); i++ {
		if strings.HasPrefix(keys[i], keys[i-1]+"/") {
			return perr(contentField, "%q is a file, so %q cannot be inside it", keys[i-1], keys[i])
		}
	}
	for _, p := range s.Executable {
		if _, ok := content[p]; !ok {
			return perr("executable", "%q is not in %s: list only paths this step writes", p, contentField)
		}
	}
	return nil
}

// checkPath reports a path that could leave the working tree or reach git's
// own files: absolute paths, "..", ".git" at any depth (case-insensitively,
// for case-insensitive file systems), and grader's .grader folder.
func checkPath(field, p string) error {
	switch {
	case p == "":
		return perr(field, "a path is empty")
	case strings.HasPrefix(p, "/") || filepath.IsAbs(p) || filepath.VolumeName(p) != "":
		return perr(field, "%q is absolute: paths are relative to the repository's top folder", p)
	case strings.Contains(p, `\`):
		return perr(field, "%q contains a backslash: separate folders with /", p)
	case strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return perr(field, "%q contains a control character", p)
	}
	parts := strings.Split(p, "/")
	for _, part := range parts {
		switch {
		case part == "" || part == ".":
			return perr(field, "%q is not a clean path: no empty or . parts, no trailing /", p)
		case part == "..":
			return perr(field, "%q leaves the repository", p)
		case strings.EqualFold(part, ".git"):
			return perr(field, "%q is inside .git, which is git's own", p)
		}
	}
	switch {
	case field != "path" && parts[0] == runner.MetaDir:
		return perr(field, "%q is inside %s, which is grader's own", p, runner.MetaDir)
	case field == "path" && p == runner.MetaDir:
		return perr(field, "%q is grader's own folder: put the remote inside it, like %s/origin.git", p, runner.MetaDir)
	}
	return nil
}

func checkRefName(field string, name plumbing.ReferenceName) error {
	if err := name.Validate(); err != nil {
		return perr(field, "%q is not a name git accepts (no spaces, ~ ^ : ? * [ \\ .., no leading - or .)", name.Short())
	}
	return nil
}

// Compiled on first use, not in package init, which every grader start pays.
var authorPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([^<>\n]*[^<>\s])\s*<([^<>\s]+)>$`) })

// parseAuthor splits "Name <email>".
func parseAuthor(s string) (name, email string, err error) {
	m := authorPattern().FindStringSubmatch(s)
	if m == nil {
		return "", "", fmt.Errorf("%q is not in the form Name <email>", s)
	}
	return strings.TrimSpace(m[1]), m[2], nil
}

// parseDate reads an RFC 3339 date, keeping its offset: git records the
// author's time zone in the commit, so it is part of the hash.
func parseDate(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 date like 2026-01-05T09:00:00Z", s)
	}
	if t.Unix() < 0 {
		return time.Time{}, fmt.Errorf("%q is before 1970, which git cannot record", s)
	}
	return t, nil
}

func perr(field, format string, args ...any) error {
	return &runner.ParamError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

func andList(xs []string) string { return joinList(xs, "and") }
func orList(xs []string) string  { return joinList(xs, "or") }

func joinList(xs []string, word string) string {
	switch len(xs) {
	case 0:
		return "nothing"
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " " + word + " " + xs[len(xs)-1]
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
