package runner

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"
)

// MetaDir is the folder inside a learner's workspace where grader keeps its
// own notes. It is grader's, not the learner's: [Attempt.ReadFile] refuses
// to read from it.
const MetaDir = ".grader"

// InMetaDir reports whether the slash path p (relative to the workspace) is
// MetaDir or lies inside it: grader's own, never the learner's work.
func InMetaDir(p string) bool {
	return p == MetaDir || strings.HasPrefix(p, MetaDir+"/")
}

// Reasons [Attempt.ReadFile] refuses a file, for [errors.Is]. A missing file
// is [fs.ErrNotExist].
var (
	// ErrNotRegular is a path that names a symbolic link, a folder, a named
	// pipe, a device or a socket rather than a regular file.
	ErrNotRegular = errors.New("not a regular file")
	// ErrTooLarge is a file larger than the caller allows.
	ErrTooLarge = errors.New("file too large")
	// ErrOutside is a path that does not name a learner's file: absolute,
	// with .. parts, or inside [MetaDir].
	ErrOutside = errors.New("not a learner's file")
)

// FileError is a learner's file that [Attempt.ReadFile] could not read. Its
// message is for the learner: it names the file and says what to do.
type FileError struct {
	// Name is the file's slash path, relative to the workspace.
	Name string
	// Err is why: [fs.ErrNotExist], [ErrNotRegular], [ErrTooLarge],
	// [ErrOutside], or the system's error.
	Err error
	msg string
}

func (e *FileError) Error() string { return e.msg }

func (e *FileError) Unwrap() error { return e.Err }

func fileErr(name string, err error, format string, args ...any) *FileError {
	return &FileError{Name: name, Err: err, msg: fmt.Sprintf(format, args...)}
}

// ReadFile reads the file at name, a slash path relative to a.Dir, and at
// most max bytes of it. Graders read a learner's file through it because
// the learner controls the folder, and in CI a submission is anyone's: a
// symbolic link to a host file would put that file's first line into a
// report, a named pipe would block the check past its deadline, a link to
// /dev/zero or a huge file would fill memory. So ReadFile reads through an
// [os.Root] (nothing leaves a.Dir), follows no link at all (not even one
// that stays inside), and reads only regular files of at most max bytes. It
// looks (Lstat) before it opens, and opens without blocking and looks again
// before it reads, so a file swapped for a pipe in between cannot block it.
//
// A *[FileError] is the learner's to fix, and errors.Is(err, fs.ErrNotExist)
// holds when the file is missing. Any other error is the infrastructure's:
// a.Dir itself could not be opened.
func (a Attempt) ReadFile(name string, max int64) ([]byte, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(a.Dir)
	if err != nil {
		// Not wrapped: fs.ErrNotExist must mean the learner's file is missing,
		// not the workspace.
		return nil, fmt.Errorf("open the workspace: %v", err)
	}
	defer root.Close()

	// The folders on the way, one at a time, so that a link to a folder
	// (to .grader, say) is refused like any other link.
	parts := strings.Split(name, "/")
	for i := 1; i < len(parts); i++ {
		dir := strings.Join(parts[:i], "/")
		fi, err := root.Lstat(dir)
		switch {
		case err != nil:
			return nil, statErr(name, err)
		case fi.Mode()&fs.ModeSymlink != 0:
			return nil, fileErr(name, ErrNotRegular, "%s is inside %s, a symbolic link: grader reads only regular files in your workspace; replace the link with the folder itself", name, dir)
		case !fi.IsDir():
			return nil, fileErr(name, fs.ErrNotExist, "%s is missing: %s is a file, not a folder; create the folder %s and put the file in it", name, dir, dir)
		}
	}
	fi, err := root.Lstat(name)
	if err != nil {
		return nil, statErr(name, err)
	}
	if err := regular(name, fi); err != nil {
		return nil, err
	}
	if fi.Size() > max {
		return nil, tooLarge(name, max)
	}

	// O_NONBLOCK: if the file became a named pipe since Lstat, opening it
	// returns at once instead of waiting for a writer; the mode of what was
	// opened is checked before reading.
	f, err := root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, statErr(name, err)
	}
	defer f.Close()
	opened, err := f.Stat()
	if err != nil {
		return nil, readErr(name, err)
	}
	if err := regular(name, opened); err != nil {
		return nil, err
	}
	if !os.SameFile(fi, opened) {
		return nil, fileErr(name, ErrNotRegular, "%s changed while grader was reading it: check again once your files are saved", name)
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, readErr(name, err)
	}
	if int64(len(data)) > max {
		return nil, tooLarge(name, max)
	}
	return data, nil
}

// checkName refuses a name that is not a learner's file. Exercises are
// validated so that their paths are clean; this is the last line.
func checkName(name string) error {
	if !fs.ValidPath(name) || name == "." {
		return fileErr(name, ErrOutside, "%q is not a file of your workspace: grader reads only paths inside it (no leading /, no .. parts)", name)
	}
	if first, _, _ := strings.Cut(name, "/"); strings.EqualFold(first, MetaDir) {
		return fileErr(name, ErrOutside, "%s is inside %s, grader's own folder: grader does not read your work from there", name, MetaDir)
	}
	return nil
}

// regular refuses anything but a regular file, naming what it is.
func regular(name string, fi fs.FileInfo) error {
	m := fi.Mode()
	if m.IsRegular() {
		return nil
	}
	const only = "grader reads only regular files in your workspace"
	switch {
	case m&fs.ModeSymlink != 0:
		return fileErr(name, ErrNotRegular, "%s is a symbolic link: %s; replace it with the file itself", name, only)
	case m.IsDir():
		return fileErr(name, ErrNotRegular, "%s is a folder: %s; remove the folder and write %s as a file", name, only, name)
	case m&fs.ModeNamedPipe != 0:
		return fileErr(name, ErrNotRegular, "%s is a named pipe (FIFO): %s; remove it and write %s as a file", name, only, name)
	case m&fs.ModeSocket != 0:
		return fileErr(name, ErrNotRegular, "%s is a socket: %s; remove it and write %s as a file", name, only, name)
	case m&fs.ModeDevice != 0:
		return fileErr(name, ErrNotRegular, "%s is a device: %s; remove it and write %s as a file", name, only, name)
	}
	return fileErr(name, ErrNotRegular, "%s is not a regular file: %s; replace it with an ordinary file", name, only)
}

func tooLarge(name string, max int64) error {
	return fileErr(name, ErrTooLarge, "%s is larger than %s: grader reads files up to %s; keep only what the exercise asks for in it", name, size(max), size(max))
}

// statErr is a failed look at name: missing, or unreadable.
func statErr(name string, err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return fileErr(name, fs.ErrNotExist, "%s is missing: create it in your workspace", name)
	}
	return readErr(name, err)
}

// readErr is a file grader may not or cannot read.
func readErr(name string, err error) error {
	if errors.Is(err, fs.ErrPermission) {
		return fileErr(name, err, "cannot read %s: permission denied; make it readable (chmod u+r %s)", name, name)
	}
	return fileErr(name, err, "cannot read %s: %v", name, pathless(err))
}

// pathless drops the host path a *fs.PathError puts in front of its cause:
// the message names the file by its workspace path already.
func pathless(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// size writes n bytes for people: 1 MiB, 64 KiB, 1000 bytes.
func size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	case n == 1:
		return "1 byte"
	}
	return fmt.Sprintf("%d bytes", n)
}
