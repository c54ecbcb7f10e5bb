package git

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/backendroadmap/grader/runner"
)

func TestKindsListsEveryKind(t *testing.T) {
	var got []string
	for name := range Kinds() {
		got = append(got, name)
	}
	slices.Sort(got)
	want := []string{
		"git.ancestor", "git.branch", "git.clean", "git.commits", "git.conflicts", "git.file",
		"git.head", "git.ignored", "git.in-progress", "git.merge", "git.picked", "git.remote",
		"git.reverted", "git.stash", "git.tag", "git.tree",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Kinds() = %v, want %v", got, want)
	}
}

// TestCompileRejectsBadParams checks that a malformed spec is the author's
// error at load time, pointing at the right parameter.
func TestCompileRejectsBadParams(t *testing.T) {
	cases := []struct {
		kind, with, field string
	}{
		{"git.head", "", "branch"},
		{"git.head", "branch: 'two words'", "branch"},
		{"git.head", "branch: -x", "branch"},
		{"git.branch", "absent: true", "branch"},
		{"git.branch", "{branch: f, min_ahead: 2}", "min_ahead"},
		{"git.branch", "{branch: f, max_ahead: 2}", "max_ahead"},
		{"git.branch", "{branch: f, ahead_of: main, min_ahead: -1}", "min_ahead"},
		{"git.branch", "{branch: f, ahead_of: main, min_ahead: 3, max_ahead: 2}", "max_ahead"},
		{"git.branch", "{branch: f, absent: true, contains: main}", "contains"},
		{"git.branch", "{branch: f, absent: true, ahead_of: main}", "ahead_of"},
		{"git.branch", "{branch: f, contains: ':/('}", "contains"},
		{"git.branch", "{branch: f, contains: ':/'}", "contains"},
		{"git.branch", "{branch: f, contains: 'main..f'}", "contains"},
		{"git.file", "content: x", "path"},
		{"git.file", "path: ../outside", "path"},
		{"git.file", "path: /etc/passwd", "path"},
		{"git.file", "path: .grader/state.json", "path"},
		{"git.file", "path: .git/config", "path"},
		{"git.file", "path: 'a\\b'", "path"},
		{"git.file", "{path: a, matches: '('}", "matches"},
		{"git.file", "{path: a, absent: true, content: x}", "content"},
		{"git.file", "{path: a, absent: true, executable: true}", "executable"},
		{"git.file", "{path: a, ref: ':/['}", "ref"},
		{"git.merge", "from: f", "into"},
		{"git.merge", "into: main", "from"},
		{"git.merge", "{into: main, from: f, message: '('}", "message"},
		{"git.ancestor", "of: main", "ancestor"},
		{"git.ancestor", "ancestor: main", "of"},
		{"git.tag", "annotated: true", "tag"},
		{"git.tag", "tag: 'bad..name'", "tag"},
		{"git.tag", "{tag: v1, annotated: false, message: x}", "message"},
		{"git.tag", "{tag: v1, absent: true, at: main}", "absent"},
		{"git.tag", "{tag: v1, message: '['}", "message"},
		{"git.tag", "{tag: v1, reveal: false}", "reveal"},
		{"git.commits", "ref: main", "count"},
		{"git.commits", "{count: 1, min: 1}", "count"},
		{"git.commits", "{min: 3, max: 2}", "max"},
		{"git.commits", "count: -1", "count"},
		{"git.commits", "subject: '('", "subject"},
		{"git.commits", "{count: 1, base: ':/('}", "base"},
		{"git.commits", "any_subject: '('", "any_subject"},
		{"git.commits", "author: '('", "author"},
		{"git.conflicts", "paths: ['[']", "paths"},
		{"git.remote", "url: x", "remote"},
		{"git.remote", "remote: 'a/b'", "remote"},
		{"git.remote", "{remote: origin, synced: true}", "synced"},
		{"git.remote", "{remote: origin, tracking: true}", "tracking"},
		{"git.remote", "{remote: origin, url: '('}", "url"},
		{"git.ignored", "", "paths"},
		{"git.ignored", "paths: [../x]", "paths"},
		{"git.stash", "{count: 1, min: 1}", "min"},
		{"git.stash", "count: -1", "count"},
		{"git.stash", "{count: 0, message: x}", "message"},
		{"git.stash", "message: '('", "message"},
		{"git.tree", "same_as: main", "ref"},
		{"git.tree", "ref: main", "same_as"},
		{"git.tree", "{ref: a, same_as: b, paths: [/x]}", "paths"},
		{"git.picked", "commit: x", "onto"},
		{"git.picked", "onto: main", "commit"},
		{"git.reverted", "commit: x", "branch"},
		{"git.reverted", "branch: main", "commit"},
	}
	for _, tc := range cases {
		t.Run(tc.kind+" "+tc.with, func(t *testing.T) {
			_, err := Kinds()[tc.kind].Compile(params(tc.with))
			var pe *runner.ParamError
			if !errors.As(err, &pe) {
				t.Fatalf("Compile(%q) error = %v, want a *runner.ParamError", tc.with, err)
			}
			if pe.Field != tc.field {
				t.Errorf("ParamError.Field = %q, want %q (%v)", pe.Field, tc.field, pe)
			}
			if pe.Msg == "" {
				t.Error("ParamError has no message")
			}
		})
	}
}

// TestCompileRejectsUnknownFields relies on the strict decoder: a typo in a
// parameter name must not silently weaken a check.
func TestCompileRejectsUnknownFields(t *testing.T) {
	for name, k := range Kinds() {
		t.Run(name, func(t *testing.T) {
			_, err := k.Compile(params("brnach: main"))
			if err == nil || !strings.Contains(err.Error(), "brnach") {
				t.Errorf("Compile with an unknown field: error = %v, want one naming it", err)
			}
		})
	}
}

// TestCompileWithoutParams covers checks written with no `with:` block.
func TestCompileWithoutParams(t *testing.T) {
	for _, name := range []string{"git.clean", "git.conflicts", "git.in-progress", "git.stash"} {
		if _, err := Kinds()[name].Compile(runner.Params{}); err != nil {
			t.Errorf("%s without params: %v", name, err)
		}
	}
}

func TestCompileAcceptsGoodParams(t *testing.T) {
	for _, tc := range []struct{ kind, with string }{
		{"git.head", "branch: refs/heads/feature/x"},
		{"git.branch", "{branch: f, contains: 'main~2^2', ahead_of: 'v1.0', min_ahead: 0, max_ahead: 0}"},
		{"git.file", "{path: ./docs//a.md, ref: worktree, content: '', executable: false}"},
		{"git.tag", "{tag: refs/tags/v1.0, annotated: true, at: ':/^Release', message: '^v1'}"},
		{"git.tag", "{tag: first-bad, at: ':/^Break', reveal: false}"},
		{"git.commits", "{ref: 'HEAD@{1}', count: 0}"},
		{"git.remote", "{remote: origin, url: '^git@', branch: main, synced: true, tracking: true}"},
	} {
		if _, err := Kinds()[tc.kind].Compile(params(tc.with)); err != nil {
			t.Errorf("%s %s: %v", tc.kind, tc.with, err)
		}
	}
}
