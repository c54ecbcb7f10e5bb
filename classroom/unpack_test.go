package classroom

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func rawTar(t *testing.T, gz bool, hs ...*tar.Header) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w = &buf
	var zw *gzip.Writer
	tw := tar.NewWriter(w)
	if gz {
		zw = gzip.NewWriter(w)
		tw = tar.NewWriter(zw)
	}
	for _, h := range hs {
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(h.Linkname))
		}
		body := h.Linkname
		if h.Typeflag == tar.TypeReg {
			h.Linkname = ""
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			_, _ = tw.Write([]byte(body))
		}
	}
	_ = tw.Close()
	if zw != nil {
		_ = zw.Close()
	}
	return buf.Bytes()
}

// file is a regular file entry; its body rides in Linkname until written.
func file(name, body string) *tar.Header {
	return &tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Linkname: body}
}

func TestUnpackWritesFoldersAndFiles(t *testing.T) {
	for _, gz := range []bool{true, false} {
		dir := filepath.Join(t.TempDir(), "out")
		data := rawTar(t, gz, &tar.Header{Name: "./", Typeflag: tar.TypeDir, Mode: 0o755}, file("./.git/HEAD", "ref: refs/heads/main\n"), file("src/a.py", "print(1)\n"))
		if err := unpack(data, dir, 1<<20); err != nil {
			t.Fatalf("gzip %v: %v", gz, err)
		}
		got, err := os.ReadFile(filepath.Join(dir, "src", "a.py"))
		if err != nil || string(got) != "print(1)\n" {
			t.Errorf("gzip %v: src/a.py = %q, %v", gz, got, err)
		}
		if _, err := os.Stat(filepath.Join(dir, ".git", "HEAD")); err != nil {
			t.Errorf("gzip %v: .git/HEAD: %v", gz, err)
		}
	}
	// A zip, as a learner's file manager makes it.
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("notes/todo.txt")
	_, _ = w.Write([]byte("done\n"))
	_ = zw.Close()
	dir := filepath.Join(t.TempDir(), "out")
	if err := unpack(buf.Bytes(), dir, 1<<20); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "notes", "todo.txt")); err != nil || string(got) != "done\n" {
		t.Errorf("zip: notes/todo.txt = %q, %v", got, err)
	}
}

func TestUnpackRefusesWhatLeavesTheFolder(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "outside")
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"climbs out", rawTar(t, true, file("../escaped.txt", "x")), "leaves the folder"},
		{"climbs out deep", rawTar(t, true, file("a/../../escaped.txt", "x")), "leaves the folder"},
		{"absolute", rawTar(t, true, file(outside, "x")), "absolute path"},
		{"symlink", rawTar(t, true, &tar.Header{Name: "link", Typeflag: tar.TypeSymlink, Linkname: outside}), "a link or special file"},
		{"symlink then write through it", rawTar(t, true, &tar.Header{Name: "d", Typeflag: tar.TypeSymlink, Linkname: filepath.Dir(outside)}, file("d/outside", "x")), "a link or special file"},
		{"hard link", rawTar(t, true, &tar.Header{Name: "h", Typeflag: tar.TypeLink, Linkname: "/etc/passwd"}), "a link or special file"},
		{"device", rawTar(t, true, &tar.Header{Name: "dev", Typeflag: tar.TypeChar}), "a link or special file"},
		{"too big unpacked", rawTar(t, true, file("big", strings.Repeat("x", 2048))), "more than 1024 bytes"},
		{"twice", rawTar(t, true, file("a", "1"), file("a", "2")), "holds a twice"},
		{"not an archive", []byte("hello, this is not an archive"), "not a .tar.gz, .tar or .zip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			err := unpack(tt.data, dir, 1024)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one saying %q", err, tt.want)
			}
			if _, err := os.Lstat(outside); err == nil {
				t.Errorf("%s was written outside the folder", outside)
			}
			if _, err := os.Lstat(filepath.Join(filepath.Dir(dir), "escaped.txt")); err == nil {
				t.Errorf("escaped.txt was written outside the folder")
			}
		})
	}
}
