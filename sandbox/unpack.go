package sandbox

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// unpackMax is the largest archive of a run's files that goes in through
// its command's standard input (see [run.packForStdin]); a larger one is
// copied in by the engine. A learner's workspace is a few KiB.
const unpackMax = 4 << 20

// unpackFailed is the exit status of [unpackScript] when the files could
// not be unpacked; with the run's tag on stderr, it is the sandbox's
// failure and not the command's.
const unpackFailed = 125

// unpackScript runs as the command's user before the command, in the same
// exec: it reads exactly the archive's length from stdin (dd with
// fullblock never reads further, so what follows is the command's own
// stdin), extracts it into the work dir, and replaces itself with the
// command. On a slow engine (fuse-overlayfs) this saves the engine's archive
// call, which costs as much as a whole exec: 150-250 ms a run measured.
// No code of the run's exists in the container yet while it runs.
const unpackScript = `n=$1 dir=$2 tag=$3; shift 3
dd bs="$n" count=1 iflag=fullblock status=none | tar -x -f - -C "$dir" || { echo "$tag: could not unpack the files into $dir" >&2; exit 125; }
exec "$@"`

// errTooBig stops an archive that would not fit in [unpackMax].
var errTooBig = errors.New("archive too large for stdin")

// capped is a buffer that refuses to grow past max.
type capped struct {
	bytes.Buffer
	max int
}

func (c *capped) Write(p []byte) (int, error) {
	if c.Len()+len(p) > c.max {
		return 0, errTooBig
	}
	return c.Buffer.Write(p)
}

// packForStdin makes the run's files an archive its command's shell
// unpacks (see [unpackScript]), and reports false when they do not fit;
// the engine then copies them in.
func (r *run) packForStdin() (bool, error) {
	// tar writes as the command's user, under its file size limit.
	buf := &capped{max: int(min(unpackMax, r.lim.FileSize))}
	switch err := tarInputs(buf, r.s.Files, r.s.Inline, r.uid, r.gid); {
	case errors.Is(err, errTooBig):
		return false, nil
	case err != nil:
		return false, &Error{Msg: "pack the files for the sandbox", Err: err}
	}
	r.unpack = buf.Bytes()
	r.unpackTag = "grader-unpack-" + randomHex(8)
	return true, nil
}

// command is the exec's command line and stdin: the spec's own, behind
// [unpackScript] when the files go in through stdin.
func (r *run) command() ([]string, io.Reader) {
	if r.unpack == nil {
		return r.s.Cmd, r.s.Stdin
	}
	cmd := append([]string{"sh", "-c", unpackScript, "grader-unpack", strconv.Itoa(len(r.unpack)), r.s.workDir(), r.unpackTag}, r.s.Cmd...)
	stdin := io.Reader(bytes.NewReader(r.unpack))
	if r.s.Stdin != nil {
		stdin = io.MultiReader(stdin, r.s.Stdin)
	}
	return cmd, stdin
}

// unpackError is the sandbox's error when [unpackScript] failed before the
// command started; nil when it did not.
func (r *run) unpackError(res *Result) error {
	if r.unpack == nil || res.ExitCode != unpackFailed || !strings.Contains(string(res.Stderr), r.unpackTag+": ") {
		return nil
	}
	var why []string // what sh, dd and tar said, without the tag's line
	for _, line := range strings.Split(strings.TrimSpace(string(res.Stderr)), "\n") {
		if !strings.Contains(line, r.unpackTag) {
			why = append(why, line)
		}
	}
	return &Error{Msg: "copy files into the sandbox", Err: fmt.Errorf("unpacking them in %s failed: %s", r.s.workDir(), strings.Join(why, "; ")),
		Hint: "the files may not fit in the sandbox's work folder (the exercise's work limit), or its image lacks sh, dd or tar (use one built by `make images`)"}
}
