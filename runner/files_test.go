//go:build unix

package runner

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// secret is what a host file outside the workspace holds: no message may
// ever show it.
const secret = "root:x:0:0:the host's first line"

func TestReadFile(t *testing.T) {
	host := filepath.Join(t.TempDir(), "passwd")
	mustWrite(t, host, secret+"\n")

	tests := []struct {
		name    string
		setup   func(t *testing.T, dir string)
		file    string
		max     int64
		want    string // the content, when the read succeeds
		wantErr error  // else: what errors.Is finds
		wantMsg string // and a part of the message
	}{
		{name: "regular file", file: "query.sql", max: 1 << 20,
			setup: func(t *testing.T, dir string) { mustWrite(t, filepath.Join(dir, "query.sql"), "SELECT 1;\n") },
			want:  "SELECT 1;\n"},
		{name: "empty file", file: "query.sql", max: 1 << 20,
			setup: func(t *testing.T, dir string) { mustWrite(t, filepath.Join(dir, "query.sql"), "") }},
		{name: "file in a sub-folder", file: "sql/query.sql", max: 1 << 20,
			setup: func(t *testing.T, dir string) { mustWrite(t, filepath.Join(dir, "sql", "query.sql"), "SELECT 2;") },
			want:  "SELECT 2;"},
		{name: "exactly max bytes", file: "query.sql", max: 4,
			setup: func(t *testing.T, dir string) { mustWrite(t, filepath.Join(dir, "query.sql"), "1234") },
			want:  "1234"},
		{name: "missing", file: "query.sql", max: 1 << 20,
			wantErr: fs.ErrNotExist, wantMsg: "query.sql is missing: create it in your workspace"},
		{name: "missing folder", file: "sql/query.sql", max: 1 << 20,
			wantErr: fs.ErrNotExist, wantMsg: "sql/query.sql is missing: create it in your workspace"},
		{name: "a file where a folder should be", file: "sql/query.sql", max: 1 << 20,
			setup:   func(t *testing.T, dir string) { mustWrite(t, filepath.Join(dir, "sql"), "") },
			wantErr: fs.ErrNotExist, wantMsg: "sql/query.sql is missing: sql is a file, not a folder"},
		{name: "symbolic link out of the folder", file: "query.sql", max: 1 << 20,
			setup:   func(t *testing.T, dir string) { mustSymlink(t, host, filepath.Join(dir, "query.sql")) },
			wantErr: ErrNotRegular, wantMsg: "query.sql is a symbolic link: grader reads only regular files in your workspace; replace it with the file itself"},
		{name: "relative symbolic link out of the folder", file: "query.sql", max: 1 << 20,
			setup: func(t *testing.T, dir string) {
				mustSymlink(t, "../../../../../../../../../.."+host, filepath.Join(dir, "query.sql"))
			},
			wantErr: ErrNotRegular, wantMsg: "query.sql is a symbolic link"},
		{name: "symbolic link inside the folder", file: "query.sql", max: 1 << 20,
			setup: func(t *testing.T, dir string) {
				mustWrite(t, filepath.Join(dir, "real.sql"), "SELECT 1;")
				mustSymlink(t, "real.sql", filepath.Join(dir, "query.sql"))
			},
			wantErr: ErrNotRegular, wantMsg: "query.sql is a symbolic link"},
		{name: "folder that is a symbolic link", file: "sql/passwd", max: 1 << 20,
			setup:   func(t *testing.T, dir string) { mustSymlink(t, filepath.Dir(host), filepath.Join(dir, "sql")) },
			wantErr: ErrNotRegular, wantMsg: "sql/passwd is inside sql, a symbolic link"},
		{name: "symbolic link to the .grader folder", file: "notes/workspace.json", max: 1 << 20,
			setup: func(t *testing.T, dir string) {
				mustWrite(t, filepath.Join(dir, MetaDir, "workspace.json"), "{}")
				mustSymlink(t, MetaDir, filepath.Join(dir, "notes"))
			},
			wantErr: ErrNotRegular, wantMsg: "a symbolic link"},
		{name: "link to a device", file: "query.sql", max: 1 << 20,
			setup:   func(t *testing.T, dir string) { mustSymlink(t, "/dev/zero", filepath.Join(dir, "query.sql")) },
			wantErr: ErrNotRegular, wantMsg: "query.sql is a symbolic link"},
		{name: "device", file: "zero", max: 1 << 20,
			setup: func(t *testing.T, dir string) {
				// mknod needs privileges: without them there is nothing to test.
				if err := syscall.Mknod(filepath.Join(dir, "zero"), syscall.S_IFCHR|0o666, 1<<8|5); err != nil {
					t.Skipf("cannot make a device node here: %v", err)
				}
			},
			wantErr: ErrNotRegular, wantMsg: "zero is a device"},
		{name: "named pipe", file: "query.sql", max: 1 << 20,
			setup: func(t *testing.T, dir string) {
				if err := syscall.Mkfifo(filepath.Join(dir, "query.sql"), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			wantErr: ErrNotRegular, wantMsg: "query.sql is a named pipe (FIFO)"},
		{name: "socket", file: "s", max: 1 << 20,
			setup: func(t *testing.T, dir string) {
				l, err := net.Listen("unix", filepath.Join(dir, "s"))
				if err != nil {
					t.Skipf("cannot make a socket here: %v", err)
				}
				t.Cleanup(func() { l.Close() })
			},
			wantErr: ErrNotRegular, wantMsg: "s is a socket"},
		{name: "folder", file: "query.sql", max: 1 << 20,
			setup:   func(t *testing.T, dir string) { mustWrite(t, filepath.Join(dir, "query.sql", "x"), "") },
			wantErr: ErrNotRegular, wantMsg: "query.sql is a folder"},
		{name: "larger than max", file: "query.sql", max: 1 << 20,
			setup: func(t *testing.T, dir string) {
				f, err := os.Create(filepath.Join(dir, "query.sql"))
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				if err := f.Truncate(1 << 30); err != nil { // sparse: no disk used
					t.Fatal(err)
				}
			},
			wantErr: ErrTooLarge, wantMsg: "query.sql is larger than 1 MiB"},
		{name: "one byte over max", file: "query.sql", max: 4,
			setup:   func(t *testing.T, dir string) { mustWrite(t, filepath.Join(dir, "query.sql"), "12345") },
			wantErr: ErrTooLarge, wantMsg: "query.sql is larger than 4 bytes"},
		{name: "dot dot", file: "..", max: 1 << 20, wantErr: ErrOutside, wantMsg: "not a file of your workspace"},
		{name: "dot dot inside", file: "../passwd", max: 1 << 20, wantErr: ErrOutside, wantMsg: "not a file of your workspace"},
		{name: "dot dot in the middle", file: "sql/../../passwd", max: 1 << 20, wantErr: ErrOutside, wantMsg: "no .. parts"},
		{name: "absolute", file: host, max: 1 << 20, wantErr: ErrOutside, wantMsg: "no leading /"},
		{name: "the workspace itself", file: ".", max: 1 << 20, wantErr: ErrOutside},
		{name: "empty name", file: "", max: 1 << 20, wantErr: ErrOutside},
		{name: "grader's folder", file: ".grader/workspace.json", max: 1 << 20,
			setup:   func(t *testing.T, dir string) { mustWrite(t, filepath.Join(dir, MetaDir, "workspace.json"), "{}") },
			wantErr: ErrOutside, wantMsg: ".grader/workspace.json is inside .grader, grader's own folder"},
		{name: "grader's folder in capitals", file: ".GRADER/x", max: 1 << 20, wantErr: ErrOutside},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			data, err := readWithin(t, Attempt{Dir: dir}, tt.file, tt.max)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("ReadFile(%q) = %v", tt.file, err)
				}
				if string(data) != tt.want {
					t.Fatalf("ReadFile(%q) = %q, want %q", tt.file, data, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("ReadFile(%q) = %q, want an error", tt.file, data)
			}
			if data != nil {
				t.Errorf("ReadFile(%q) returned data with its error: %q", tt.file, data)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("ReadFile(%q) = %v, want errors.Is %v", tt.file, err, tt.wantErr)
			}
			var fe *FileError
			if !errors.As(err, &fe) || fe.Name != tt.file {
				t.Errorf("ReadFile(%q) = %#v, want a *FileError naming the file", tt.file, err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("ReadFile(%q) = %q, want it to contain %q", tt.file, err, tt.wantMsg)
			}
			for _, leak := range []string{secret, dir} {
				if strings.Contains(err.Error(), leak) {
					t.Errorf("ReadFile(%q) = %q: shows %q", tt.file, err, leak)
				}
			}
			if tt.wantErr != fs.ErrNotExist && errors.Is(err, fs.ErrNotExist) {
				t.Errorf("ReadFile(%q) = %v: reads as missing", tt.file, err)
			}
		})
	}
}

func TestReadFileUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads a file whatever its mode")
	}
	dir := t.TempDir()
	mustWrite(t, filepath.Join(dir, "query.sql"), "SELECT 1;")
	if err := os.Chmod(filepath.Join(dir, "query.sql"), 0); err != nil {
		t.Fatal(err)
	}
	_, err := readWithin(t, Attempt{Dir: dir}, "query.sql", 1<<20)
	if !errors.Is(err, fs.ErrPermission) || !strings.Contains(err.Error(), "chmod u+r query.sql") {
		t.Fatalf("ReadFile = %v, want permission denied and how to fix it", err)
	}
}

// A workspace that is not there is not the learner's missing file.
func TestReadFileNoWorkspace(t *testing.T) {
	_, err := readWithin(t, Attempt{Dir: filepath.Join(t.TempDir(), "gone")}, "query.sql", 1<<20)
	var fe *FileError
	if err == nil || errors.As(err, &fe) || errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("ReadFile = %#v, want an infrastructure error that is not fs.ErrNotExist", err)
	}
}

func TestMetaDir(t *testing.T) {
	if MetaDir != ".grader" {
		t.Fatalf("MetaDir = %q: existing workspaces keep their notes in .grader", MetaDir)
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{1: "1 byte", 1000: "1000 bytes", 1 << 10: "1 KiB", 64 << 10: "64 KiB", 1 << 20: "1 MiB", 32 << 20: "32 MiB", 1<<20 + 1: "1048577 bytes"} {
		if got := size(n); got != want {
			t.Errorf("size(%d) = %q, want %q", n, got, want)
		}
	}
}

// readWithin calls ReadFile and fails the test if it has not returned
// within 5 s: a read that blocks (on a named pipe, say) must not hang the
// check it serves.
func readWithin(t *testing.T, a Attempt, name string, max int64) ([]byte, error) {
	t.Helper()
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		data, err := a.ReadFile(name, max)
		done <- result{data, err}
	}()
	timer := time.NewTimer(5 * time.Second)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.data, r.err
	case <-timer.C:
		t.Fatalf("ReadFile(%q) has not returned after 5 s", name)
		return nil, nil
	}
}

func mustWrite(t *testing.T, name, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustSymlink(t *testing.T, target, name string) {
	t.Helper()
	if err := os.Symlink(target, name); err != nil {
		t.Fatal(err)
	}
}
