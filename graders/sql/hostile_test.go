//go:build unix

package sql

// Hostile submissions: a learner's .sql file that is a link to a host file,
// a named pipe, or huge. In CI a submission is anyone's, and a statement
// error quotes the statement's first line: reading a linked host file would
// put its first line into the report.

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/backendroadmap/grader/runner"
)

// hostSecret is the first line of a file outside the workspace. It is not
// SQL, so running it would fail with an error that quotes it.
const hostSecret = "root:x:0:0:host secret line"

// hostFile writes a file outside any workspace and returns its path.
func hostFile(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "passwd")
	if err := os.WriteFile(p, []byte(hostSecret+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// hostile makes query.sql something other than the learner's own file.
var hostile = []struct {
	name  string
	plant func(t *testing.T, query string)
	msg   string
	is    error
}{
	{"symbolic link to a host file", func(t *testing.T, query string) {
		if err := os.Symlink(hostFile(t), query); err != nil {
			t.Fatal(err)
		}
	}, "query.sql is a symbolic link: grader reads only regular files in your workspace; replace it with the file itself", runner.ErrNotRegular},
	{"relative symbolic link out of the workspace", func(t *testing.T, query string) {
		if err := os.Symlink("../../../../../../../../../.."+hostFile(t), query); err != nil {
			t.Fatal(err)
		}
	}, "query.sql is a symbolic link", runner.ErrNotRegular},
	{"symbolic link to /dev/zero", func(t *testing.T, query string) {
		if err := os.Symlink("/dev/zero", query); err != nil {
			t.Fatal(err)
		}
	}, "query.sql is a symbolic link", runner.ErrNotRegular},
	{"named pipe", func(t *testing.T, query string) {
		if err := syscall.Mkfifo(query, 0o644); err != nil {
			t.Fatal(err)
		}
	}, "query.sql is a named pipe (FIFO)", runner.ErrNotRegular},
	{"huge file", func(t *testing.T, query string) {
		f, err := os.Create(query)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteString(hostSecret + "\n"); err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(4 << 30); err != nil { // sparse: no disk used
			t.Fatal(err)
		}
	}, "query.sql is larger than 1 MiB", runner.ErrTooLarge},
	{"folder", func(t *testing.T, query string) {
		if err := os.Mkdir(query, 0o755); err != nil {
			t.Fatal(err)
		}
	}, "query.sql is a folder", runner.ErrNotRegular},
}

// TestReadScriptHostile: readScript refuses each hostile file with a
// message for the learner, promptly, and never with the host file's text.
func TestReadScriptHostile(t *testing.T) {
	for _, tt := range hostile {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.plant(t, filepath.Join(dir, "query.sql"))
			s, problem, err := readScriptWithin(t, runner.Attempt{Dir: dir}, "query.sql")
			if err != nil {
				t.Fatalf("readScript: an infrastructure error for the learner's file: %v", err)
			}
			if problem == nil {
				t.Fatalf("readScript read %q", clipForTest(s.text))
			}
			if !errors.Is(problem, tt.is) || !strings.Contains(problem.Error(), tt.msg) {
				t.Errorf("problem = %q, want %v and %q", problem, tt.is, tt.msg)
			}
			if strings.Contains(problem.Error(), hostSecret) || strings.Contains(s.text, hostSecret) {
				t.Errorf("the host file's text reached the learner: %q", problem)
			}
		})
	}
}

// TestReadScript: the learner's ordinary mistakes, and their file.
func TestReadScript(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string // the script's text, or
		msg   string // the problem's
	}{
		{"a query", map[string]string{"query.sql": "SELECT 1;\n"}, "SELECT 1;\n", ""},
		{"missing", nil, "", "query.sql is missing: create it in your workspace"},
		{"blank", map[string]string{"query.sql": "  -- nothing yet\n"}, "", "query.sql has no SQL in it yet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, problem, err := readScriptWithin(t, runner.Attempt{Dir: workspace(t, tt.files)}, "query.sql")
			if err != nil {
				t.Fatal(err)
			}
			if tt.msg == "" {
				if problem != nil || s.text != tt.want || s.name != "query.sql" {
					t.Fatalf("readScript = %+v, %v; want %q", s, problem, tt.want)
				}
				return
			}
			if problem == nil || problem.Error() != tt.msg {
				t.Fatalf("problem = %v, want %q", problem, tt.msg)
			}
			if tt.name == "missing" && !errors.Is(problem, fs.ErrNotExist) {
				t.Errorf("a missing file is not fs.ErrNotExist: %v", problem)
			}
		})
	}
}

// TestReadScriptNoWorkspace: a workspace folder that is not there is the
// infrastructure's error, not the learner's missing file.
func TestReadScriptNoWorkspace(t *testing.T) {
	_, problem, err := readScript(runner.Attempt{Dir: filepath.Join(t.TempDir(), "gone")}, "query.sql")
	if problem != nil || err == nil {
		t.Fatalf("readScript = %v, %v; want an infrastructure error", problem, err)
	}
}

func TestLearnerFileNotInGradersFolder(t *testing.T) {
	for _, name := range []string{".grader/query.sql", ".grader", "../query.sql", "/etc/passwd"} {
		if _, err := learnerFile("file", name); err == nil {
			t.Errorf("learnerFile(%q) accepted a path that is not the learner's", name)
		}
	}
	if got, err := learnerFile("file", "sql/./query.sql"); err != nil || got != "sql/query.sql" {
		t.Errorf("learnerFile(sql/./query.sql) = %q, %v", got, err)
	}
}

// TestHostileFilesFailTheCheck: through a real check on PostgreSQL, each
// hostile query.sql is the learner's failure, says why, and never shows the
// host file's first line.
func TestHostileFilesFailTheCheck(t *testing.T) {
	kinds := Kinds(provider(t))
	run := shop.compile(t, kinds, "sql.run", "file: query.sql\n")
	result := shop.compile(t, kinds, "sql.result", "file: query.sql\nreference: solution/query.sql\nordered: true\n")
	for _, tt := range hostile {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.plant(t, filepath.Join(dir, "query.sql"))
			for i, out := range check(t, dir, run, result) {
				if out.Status != runner.Fail || !strings.Contains(out.Message, tt.msg) {
					t.Errorf("check %d = %+v, want a failure saying %q", i, out, tt.msg)
				}
				if strings.Contains(out.Message+out.Expected+out.Actual, hostSecret) {
					t.Errorf("check %d shows the host file's text: %+v", i, out)
				}
			}
		})
	}
}

// readScriptWithin calls readScript and fails the test if it has not
// returned within 5 s: a named pipe must not block a check.
func readScriptWithin(t *testing.T, a runner.Attempt, file string) (script, error, error) {
	t.Helper()
	type result struct {
		s            script
		problem, err error
	}
	done := make(chan result, 1)
	go func() {
		s, problem, err := readScript(a, file)
		done <- result{s, problem, err}
	}()
	timer := time.NewTimer(5 * time.Second)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.s, r.problem, r.err
	case <-timer.C:
		t.Fatalf("readScript(%q) has not returned after 5 s", file)
		return script{}, nil, nil
	}
}

func clipForTest(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
