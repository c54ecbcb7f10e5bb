package history

import (
	"errors"
	"strings"
	"testing"

	"github.com/backendroadmap/grader/runner"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	files := map[string]string{"a.txt": "a\n"}
	tests := []struct {
		name  string
		step  Step
		field string // "" when the step is valid
		msg   string // part of the message
	}{
		// Valid steps, one per action and with every modifier it takes.
		{"commit", Step{Commit: "Add a", Files: files, Delete: []string{"b.txt"}, Executable: []string{"a.txt"}, Author: "Grace Hopper <grace@example.com>", Date: "2026-02-01T10:00:00+01:00"}, "", ""},
		{"commit of earlier writes", Step{Commit: "Save"}, "", ""},
		{"branch", Step{Branch: "feature/login", At: "main~1", Stay: true}, "", ""},
		{"switch", Step{Switch: "main"}, "", ""},
		{"merge", Step{Merge: "feature", Message: "Merge it", FF: true, Files: files, Delete: []string{"b.txt"}, Executable: []string{"a.txt"}, Author: "A <a@b>", Date: "2026-01-01T00:00:00Z"}, "", ""},
		{"lightweight tag", Step{Tag: "v1.0", At: "HEAD^"}, "", ""},
		{"annotated tag", Step{Tag: "v1.0", Message: "Release", Author: "A <a@b>", Date: "2026-01-01T00:00:00Z"}, "", ""},
		{"reset", Step{Reset: "HEAD~2", Mode: "soft"}, "", ""},
		{"write", Step{Write: files, Executable: []string{"a.txt"}}, "", ""},
		{"write that only deletes", Step{Write: map[string]string{}, Delete: []string{"a.txt"}}, "", ""},
		{"write of an empty file", Step{Write: map[string]string{"empty": ""}}, "", ""},
		{"remote", Step{Remote: "upstream", Path: ".grader/up.git", Branches: []string{"main"}}, "", ""},
		{"push", Step{Push: "main", To: "upstream"}, "", ""},

		// One action per step.
		{"no action", Step{}, "commit", "no action"},
		{"no action but files", Step{Files: files}, "files", "no action"},
		{"two actions", Step{Commit: "x", Merge: "feature"}, "merge", "commit and merge are all set"},
		{"three actions", Step{Branch: "b", Tag: "t", Push: "main"}, "tag", "branch, tag and push"},
		{"empty write map counts", Step{Commit: "x", Write: map[string]string{}}, "write", "commit and write"},

		// Modifiers that do not belong.
		{"mode without reset", Step{Commit: "x", Mode: "hard"}, "mode", "does not apply to commit"},
		{"ff without merge", Step{Commit: "x", FF: true}, "ff", "does not apply to commit"},
		{"stay without branch", Step{Switch: "main", Stay: true}, "stay", "switch takes no other fields"},
		{"message on commit", Step{Commit: "x", Message: "y"}, "message", "does not apply"},
		{"files on write", Step{Write: files, Files: files}, "files", "does not apply to write"},
		{"at on merge", Step{Merge: "x", At: "main"}, "at", "does not apply"},
		{"to on remote", Step{Remote: "origin", To: "x"}, "to", "does not apply"},
		{"author on lightweight tag", Step{Tag: "v1", Author: "A <a@b>"}, "author", "lightweight"},
		{"date on lightweight tag", Step{Tag: "v1", Date: "2026-01-01T00:00:00Z"}, "date", "lightweight"},

		// Values.
		{"bad mode", Step{Reset: "HEAD~1", Mode: "keep"}, "mode", `"keep" is not hard, mixed or soft`},
		{"bad date", Step{Commit: "x", Date: "2026-01-05 09:00"}, "date", "RFC 3339"},
		{"date without zone", Step{Commit: "x", Date: "2026-01-05T09:00:00"}, "date", "RFC 3339"},
		{"date before 1970", Step{Commit: "x", Date: "1969-12-31T23:59:59Z"}, "date", "1970"},
		{"author without email", Step{Commit: "x", Author: "Ada"}, "author", "Name <email>"},
		{"author without name", Step{Commit: "x", Author: "<ada@example.com>"}, "author", "Name <email>"},
		{"author unclosed", Step{Commit: "x", Author: "Ada <ada@example.com"}, "author", "Name <email>"},
		{"author with space in email", Step{Commit: "x", Author: "Ada <ada @example.com>"}, "author", "Name <email>"},
		{"blank commit message", Step{Commit: " \n\t"}, "commit", "empty"},
		{"write that changes nothing", Step{Write: map[string]string{}}, "write", "changes nothing"},
		{"branch with space", Step{Branch: "my branch"}, "branch", "not a name git accepts"},
		{"branch HEAD", Step{Branch: "HEAD"}, "branch", "HEAD"},
		{"branch starting with dash", Step{Branch: "-f"}, "branch", "not a name git accepts"},
		{"switch to bad name", Step{Switch: "a..b"}, "switch", "not a name git accepts"},
		{"tag ending in .lock", Step{Tag: "v1.lock"}, "tag", "not a name git accepts"},
		{"remote with colon", Step{Remote: "a:b"}, "remote", "not a name git accepts"},
		{"remote branch bad", Step{Remote: "origin", Branches: []string{"a b"}}, "branches", "not a name git accepts"},
		{"push to bad remote", Step{Push: "main", To: "o rigin"}, "to", "not a name git accepts"},
		{"merge of a path", Step{Merge: "HEAD:a.txt"}, "merge", "not a revision"},

		// Paths.
		{"absolute file", Step{Commit: "x", Files: map[string]string{"/etc/passwd": ""}}, "files", "absolute"},
		{"dot-dot file", Step{Commit: "x", Files: map[string]string{"a/../../b": ""}}, "files", "leaves the repository"},
		{"file in .git", Step{Commit: "x", Files: map[string]string{".git/hooks/pre-commit": ""}}, "files", ".git"},
		{"file in nested .GIT", Step{Write: map[string]string{"sub/.GIT/config": ""}}, "write", ".git"},
		{"file in .grader", Step{Write: map[string]string{".grader/workspace.json": ""}}, "write", ".grader"},
		{"empty path", Step{Commit: "x", Files: map[string]string{"": ""}}, "files", "empty"},
		{"trailing slash", Step{Commit: "x", Files: map[string]string{"dir/": ""}}, "files", "not a clean path"},
		{"dot part", Step{Commit: "x", Files: map[string]string{"./a": ""}}, "files", "not a clean path"},
		{"backslash", Step{Commit: "x", Files: map[string]string{`a\b`: ""}}, "files", "backslash"},
		{"newline in path", Step{Commit: "x", Files: map[string]string{"a\nb": ""}}, "files", "control character"},
		{"dot-dot delete", Step{Commit: "x", Delete: []string{"../x"}}, "delete", "leaves the repository"},
		{"absolute remote path", Step{Remote: "origin", Path: "/srv/origin.git"}, "path", "absolute"},
		{"remote path is .grader", Step{Remote: "origin", Path: ".grader"}, "path", "grader's own folder"},
		{"remote path in .git", Step{Remote: "origin", Path: ".git/origin"}, "path", ".git"},
		{"written and deleted", Step{Commit: "x", Files: files, Delete: []string{"a.txt"}}, "delete", "either written or deleted"},
		{"file and folder", Step{Commit: "x", Files: map[string]string{"a": "", "a/b": ""}}, "files", `"a" is a file`},
		{"executable not written", Step{Commit: "x", Files: files, Executable: []string{"run.sh"}}, "executable", `"run.sh" is not in files`},
		{"executable not in write", Step{Write: files, Executable: []string{"run.sh"}}, "executable", `"run.sh" is not in write`},
		{"executable without files", Step{Commit: "x", Executable: []string{"run.sh"}}, "executable", "not in files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.step.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var pe *runner.ParamError
			if !errors.As(err, &pe) {
				t.Fatalf("Validate() = %v (%T), want a *runner.ParamError", err, err)
			}
			if pe.Field != tt.field || !strings.Contains(pe.Msg, tt.msg) {
				t.Errorf("Validate() = %q, want field %q and a message containing %q", err, tt.field, tt.msg)
			}
		})
	}
}

func TestCleanMessage(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Add notes", "Add notes\n"},
		{"Add notes\n", "Add notes\n"},
		{"\n\nTitle  \n\n\n\nBody line \t\n\n", "Title\n\nBody line\n"},
		{"Title\r\n\r\nBody", "Title\n\nBody\n"},
		{"  \n ", ""},
	}
	for _, tt := range tests {
		if got := cleanMessage(tt.in); got != tt.want {
			t.Errorf("cleanMessage(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
