package classroom

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
)

// maxEntries caps the files and folders an upload may unpack to.
const maxEntries = 20000

// archiveError is an upload that cannot be unpacked: the learner's (or the
// uploader's) to fix, never retried.
type archiveError struct{ msg string }

func (e *archiveError) Error() string { return e.msg }

func archivef(format string, args ...any) error {
	return &archiveError{fmt.Sprintf(format, args...)}
}

// unpack writes the archive data (a .tar.gz, .tgz, .tar or .zip, told
// apart by its first bytes) into dir, which it creates. Only folders and
// regular files are written, through an [os.Root], so no name can leave
// dir: an absolute name, one that climbs out with .., a link or a device is
// refused and nothing is graded. Unpacked bytes are capped at limit, so a
// small archive cannot fill the disk.
func unpack(data []byte, dir string, limit int64) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	u := &unpacker{root: root, limit: limit}
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")) || bytes.HasPrefix(data, []byte("PK\x05\x06")):
		return u.zip(data)
	case bytes.HasPrefix(data, []byte{0x1f, 0x8b}):
		gz, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return archivef("the upload is not a readable gzip file: %v", err)
		}
		return u.tar(gz)
	case len(data) > 262 && string(data[257:262]) == "ustar":
		return u.tar(bytes.NewReader(data))
	}
	return archivef("the upload is not a .tar.gz, .tar or .zip archive: pack the folder with `tar czf work.tar.gz -C FOLDER .`")
}

type unpacker struct {
	root    *os.Root
	limit   int64
	total   int64
	entries int
}

// name checks an entry's name and returns it cleaned, "" for the top folder.
func (u *unpacker) name(raw string) (string, error) {
	u.entries++
	if u.entries > maxEntries {
		return "", archivef("the archive holds more than %d entries", maxEntries)
	}
	n := strings.TrimPrefix(strings.ReplaceAll(raw, "\\", "/"), "./")
	if n == "" || n == "." || n == "./" {
		return "", nil
	}
	if strings.HasPrefix(n, "/") || strings.Contains(n, ":") {
		return "", archivef("the archive names %q, an absolute path: pack the folder's contents with relative names", raw)
	}
	c := path.Clean(n)
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", archivef("the archive names %q, which leaves the folder it unpacks to", raw)
	}
	return c, nil
}

func (u *unpacker) dir(name string) error {
	if name == "" {
		return nil
	}
	return u.root.MkdirAll(name, 0o755)
}

func (u *unpacker) file(name string, mode fs.FileMode, r io.Reader) error {
	if name == "" {
		return archivef("the archive has a file with no name")
	}
	if d := path.Dir(name); d != "." {
		if err := u.root.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	perm := fs.FileMode(0o644)
	if mode&0o111 != 0 {
		perm = 0o755
	}
	f, err := u.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if errors.Is(err, fs.ErrExist) {
		return archivef("the archive holds %s twice", name)
	}
	if err != nil {
		return err
	}
	n, err := io.Copy(f, io.LimitReader(r, u.limit-u.total+1))
	u.total += n
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return archivef("cannot unpack %s: %v", name, err)
	}
	if u.total > u.limit {
		return archivef("the archive unpacks to more than %d bytes", u.limit)
	}
	return nil
}

func (u *unpacker) tar(r io.Reader) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return archivef("the archive is damaged: %v", err)
		}
		name, err := u.name(h.Name)
		if err != nil {
			return err
		}
		switch h.Typeflag {
		case tar.TypeDir:
			err = u.dir(name)
		case tar.TypeReg:
			err = u.file(name, fs.FileMode(h.Mode), tr)
		case tar.TypeXGlobalHeader:
		default:
			return archivef("the archive holds %s, a link or special file: only folders and regular files are accepted", h.Name)
		}
		if err != nil {
			return err
		}
	}
}

func (u *unpacker) zip(data []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return archivef("the archive is not a readable zip file: %v", err)
	}
	for _, f := range zr.File {
		name, err := u.name(f.Name)
		if err != nil {
			return err
		}
		m := f.Mode()
		switch {
		case m.IsDir():
			err = u.dir(name)
		case m.IsRegular():
			var rc io.ReadCloser
			if rc, err = f.Open(); err == nil {
				err = u.file(name, m, rc)
				_ = rc.Close()
			}
		default:
			return archivef("the archive holds %s, a link or special file: only folders and regular files are accepted", f.Name)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
