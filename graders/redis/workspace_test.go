//go:build unix

package redis

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/backendroadmap/grader/runner"
)

// TestReadLearnerCommands: the learner's command file is read safely. A
// link to a host file, a named pipe or a huge file is the learner's
// failure, promptly, and the host file's text never reaches the message.
func TestReadLearnerCommands(t *testing.T) {
	const secret = "SET host-secret root:x:0:0"
	host := filepath.Join(t.TempDir(), "secret.redis")
	if err := os.WriteFile(host, []byte(secret+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		plant func(t *testing.T, file string)
		want  runner.Status
		msg   string
	}{
		{"commands", func(t *testing.T, file string) {
			if err := os.WriteFile(file, []byte("SET a 1\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "", ""},
		{"missing", func(*testing.T, string) {}, runner.Fail, "cache.redis is not in your workspace: create it"},
		{"symbolic link to a host file", func(t *testing.T, file string) {
			if err := os.Symlink(host, file); err != nil {
				t.Fatal(err)
			}
		}, runner.Fail, "cache.redis is a symbolic link: grader reads only regular files in your workspace"},
		{"named pipe", func(t *testing.T, file string) {
			if err := syscall.Mkfifo(file, 0o644); err != nil {
				t.Fatal(err)
			}
		}, runner.Fail, "cache.redis is a named pipe (FIFO)"},
		{"huge file", func(t *testing.T, file string) {
			if err := os.WriteFile(file, []byte("SET a 1\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(file, 1<<30); err != nil {
				t.Fatal(err)
			}
		}, runner.Fail, "cache.redis is larger than 1 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.plant(t, filepath.Join(dir, "cache.redis"))
			type result struct {
				cmds []Command
				out  runner.Outcome
				ok   bool
			}
			done := make(chan result, 1)
			go func() {
				cmds, out, ok := readLearnerCommands(dir, "cache.redis")
				done <- result{cmds, out, ok}
			}()
			timer := time.NewTimer(5 * time.Second)
			defer timer.Stop()
			var r result
			select {
			case r = <-done:
			case <-timer.C:
				t.Fatal("readLearnerCommands has not returned after 5 s")
			}
			if tt.want == "" {
				if !r.ok || len(r.cmds) != 1 {
					t.Fatalf("readLearnerCommands = %v, %+v, %v", r.cmds, r.out, r.ok)
				}
				return
			}
			if r.ok || r.out.Status != tt.want || !strings.Contains(r.out.Message, tt.msg) {
				t.Fatalf("readLearnerCommands = %+v, want %s with %q", r.out, tt.want, tt.msg)
			}
			if strings.Contains(r.out.Message, secret) {
				t.Fatalf("the host file's text reached the learner: %q", r.out.Message)
			}
		})
	}
}

// A workspace that cannot be opened is the infrastructure's error, not
// the learner's missing file.
func TestReadLearnerCommandsNoWorkspace(t *testing.T) {
	_, out, ok := readLearnerCommands(filepath.Join(t.TempDir(), "gone"), "cache.redis")
	if ok || out.Status != runner.Error {
		t.Fatalf("readLearnerCommands = %+v, want an error outcome", out)
	}
}
