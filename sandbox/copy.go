package sandbox

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"time"
)

// tarInputs writes Files, then Inline, as a tar stream rooted at the work dir,
// owned by uid:gid. Only regular files and folders from Files are copied: a
// symlink or device in a learner's folder is skipped, so it cannot carry a host
// file into the sandbox.
func tarInputs(w io.Writer, files fs.FS, inline map[string][]byte, uid, gid int) error {
	tw := tar.NewWriter(w)
	now := time.Now()
	dirs := map[string]bool{}
	var mkdirs func(dir string) error
	mkdirs = func(dir string) error {
		if dir == "." || dirs[dir] {
			return nil
		}
		if err := mkdirs(path.Dir(dir)); err != nil {
			return err
		}
		dirs[dir] = true
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: dir + "/", Mode: 0o755, Uid: uid, Gid: gid, ModTime: now, Format: tar.FormatPAX})
	}
	file := func(name string, mode fs.FileMode, size int64, r io.Reader) error {
		if err := mkdirs(path.Dir(name)); err != nil {
			return err
		}
		perm := int64(0o644)
		if mode&0o111 != 0 {
			perm = 0o755
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: perm, Size: size, Uid: uid, Gid: gid, ModTime: now, Format: tar.FormatPAX}); err != nil {
			return err
		}
		_, err := io.CopyN(tw, r, size)
		return err
	}
	if files != nil {
		err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if p == "." {
				return nil
			}
			switch {
			case d.IsDir():
				return mkdirs(p)
			case !d.Type().IsRegular():
				return nil // links, devices, sockets: never followed, never copied
			}
			f, err := files.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			st, err := f.Stat()
			if err != nil {
				return err
			}
			if !st.Mode().IsRegular() { // swapped for something else since the walk
				return nil
			}
			return file(p, st.Mode(), st.Size(), f)
		})
		if err != nil {
			return fmt.Errorf("copy files in: %w", err)
		}
	}
	names := make([]string, 0, len(inline))
	for n := range inline {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c, err := cleanRel(n, false)
		if err != nil {
			return invalidf(fmt.Sprintf("inline file: %v", err))
		}
		if err := file(c, 0o644, int64(len(inline[n])), bytes.NewReader(inline[n])); err != nil {
			return fmt.Errorf("copy files in: %w", err)
		}
	}
	return tw.Close()
}

// extractOutputs reads the work dir's tar stream (as CopyFromContainer returns
// it for the work dir, entries under base/) and writes the entries that fall
// under a declared output into root. Links, devices and anything whose name is
// absolute or climbs out are refused and reported; writing goes through
// [os.Root], so nothing outside root is touched even if root holds a link.
// Only a broken stream or a failing host disk is an error.
func extractOutputs(r io.Reader, base string, outputs []string, root *os.Root, maxBytes int64) (copied []string, problems []OutputError, err error) {
	want := make([]string, 0, len(outputs))
	for _, o := range outputs {
		c, err := cleanRel(o, true)
		if err != nil {
			return nil, nil, invalidf(fmt.Sprintf("output: %v", err))
		}
		want = append(want, c)
	}
	found := map[string]bool{}
	written := map[string]bool{} // regular files written, for hard links to them
	links := map[string]string{} // link entry → reason, to explain a missing output below it
	var total int64
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return copied, problems, fmt.Errorf("copy outputs: read archive: %w", err)
		}
		name, ok := entryName(h.Name, base)
		if !ok {
			problems = append(problems, OutputError{Path: h.Name, Reason: "refused: the name leaves the work dir"})
			continue
		}
		out := matchOutput(name, want)
		if out == "" {
			if h.Typeflag == tar.TypeSymlink || h.Typeflag == tar.TypeLink {
				links[name] = "a link"
			}
			continue
		}
		found[out] = true
		switch h.Typeflag {
		case tar.TypeDir:
			if name != "." {
				if err := root.MkdirAll(name, 0o755); err != nil {
					return copied, problems, fmt.Errorf("copy outputs: %w", err)
				}
			}
			copied = append(copied, name)
		case tar.TypeReg:
			if total+h.Size > maxBytes {
				problems = append(problems, OutputError{Path: name, Reason: fmt.Sprintf("not copied: outputs passed %d bytes", maxBytes)})
				continue
			}
			total += h.Size
			if err := writeFile(root, name, tr, h.Size); err != nil {
				return copied, problems, fmt.Errorf("copy outputs: %w", err)
			}
			written[name] = true
			copied = append(copied, name)
		case tar.TypeSymlink:
			problems = append(problems, OutputError{Path: name, Reason: "refused: a symbolic link (to " + h.Linkname + "); only regular files are copied"})
		case tar.TypeLink:
			// A hard link to a file this archive already gave us is a plain
			// copy of it; any other is refused.
			target, ok := entryName(h.Linkname, base)
			if !ok || !written[target] {
				problems = append(problems, OutputError{Path: name, Reason: "refused: a hard link to a file that is not among the outputs"})
				continue
			}
			if err := copyWithin(root, target, name); err != nil {
				return copied, problems, fmt.Errorf("copy outputs: %w", err)
			}
			written[name] = true
			copied = append(copied, name)
		default:
			problems = append(problems, OutputError{Path: name, Reason: "refused: not a regular file or folder"})
		}
	}
	for _, o := range want {
		if found[o] {
			continue
		}
		reason := "missing: the command did not create it"
		for l := range links {
			if o == l || strings.HasPrefix(o, l+"/") {
				reason = "refused: " + l + " is a link; only regular files are copied"
			}
		}
		problems = append(problems, OutputError{Path: o, Reason: reason})
	}
	return copied, problems, nil
}

// entryName turns an archive entry name ("work/a/b") into a clean path relative
// to the work dir ("a/b"), refusing absolute names and any "..".
func entryName(name, base string) (string, bool) {
	if strings.HasPrefix(name, "/") || strings.Contains(name, "\\") {
		return "", false
	}
	for part := range strings.SplitSeq(strings.TrimSuffix(name, "/"), "/") {
		if part == ".." {
			return "", false
		}
	}
	c := path.Clean(name)
	if c == base {
		return ".", true
	}
	rest, ok := strings.CutPrefix(c, base+"/")
	if !ok {
		return "", false
	}
	return rest, true
}

// matchOutput returns the declared output that name is, or lies under.
func matchOutput(name string, want []string) string {
	for _, o := range want {
		if o == "." || name == o || strings.HasPrefix(name, o+"/") {
			return o
		}
	}
	return ""
}

// writeFile writes one regular file under root without following links out
// of it; its mode is plain 0644, never setuid or executable.
func writeFile(root *os.Root, name string, r io.Reader, size int64) error {
	if dir := path.Dir(name); dir != "." {
		if err := root.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = io.CopyN(f, r, size)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// copyWithin copies the file src, already written under root, to dst.
func copyWithin(root *os.Root, src, dst string) error {
	in, err := root.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	return writeFile(root, dst, in, st.Size())
}
