package sandbox

import (
	"fmt"
	"io"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"
)

// Spec is one command to run in a sandbox. Only Image and Cmd are required;
// every other field has a hardened default.
type Spec struct {
	// Image is the image as the exercise names it (python:3.12); the engine's
	// [ImageMap] may redirect it.
	Image string
	// Cmd is the command and its arguments, run without a shell.
	Cmd []string
	// Env adds "KEY=value" entries to the image's environment.
	Env []string
	// WorkDir is where Files are copied and the command starts: an absolute
	// path inside the container, on a private tmpfs. Default "/work".
	WorkDir string
	// Files are copied into WorkDir before the command starts. Only regular
	// files and folders are copied; links and devices are skipped, so a
	// learner's symlink cannot smuggle a host file in. Pass (*os.Root).FS()
	// for a folder on disk.
	Files fs.FS
	// Inline files, path relative to WorkDir → content, copied after Files
	// (so they win): hidden tests, a harness.
	Inline map[string][]byte
	// Stdin, if set, is the command's standard input; otherwise it reads EOF.
	Stdin io.Reader
	// Outputs are paths relative to WorkDir ("." for all of it) copied back
	// into OutputDir after the command ends. Only regular files and folders
	// come back; anything else is reported in [Result.OutputErrors].
	Outputs []string
	// OutputDir is the host folder that receives Outputs. Required with
	// Outputs; nothing is ever written outside it.
	OutputDir string
	// Network is "" or "none" (no network but loopback), or the name of a
	// private network that holds only this check's services. Host and the
	// default bridge are refused.
	Network string
	// User runs the command, as "uid:gid". Default "10001:10001". Root and
	// 65534 (the holder's user) are refused.
	User string
	// Limits bound the run; zero fields take the defaults.
	Limits Limits
}

// Limits bound one run. A zero field takes its default; a value above its cap
// is refused with [ErrInvalid], so an exercise cannot ask for the machine.
// The defaults and caps follow the field notes (Exercism, PrairieLearn, Piston,
// Judge0).
type Limits struct {
	// Timeout is the wall clock for the command, enforced from the host: at the
	// deadline every process is killed. Default 30 s, cap 10 min.
	Timeout time.Duration
	// Grace is how long to wait for the engine to confirm a kill before giving
	// up on the container (it is still force-removed). Default 5 s.
	Grace time.Duration
	// Memory in bytes, with swap equal to it (no swap). It also bounds the
	// tmpfs scratch space, whose pages count against it. Default 1 GiB, cap 4 GiB.
	Memory int64
	// Pids bounds processes and threads (Go's runtime threads count) in the
	// whole container, whose init and holder take two. Default 256, cap 4096.
	Pids int64
	// CPUs in cores. Default 1, cap 2 (this machine's size).
	CPUs float64
	// NoFile is the open-files ulimit. Default 1024, cap 65536.
	NoFile int64
	// FileSize is the largest file the command may write, in bytes (ulimit
	// fsize). Default 128 MiB, cap 1 GiB.
	FileSize int64
	// Output is how many bytes of stdout and stderr together are captured;
	// past it the run is killed and marked [LimitOutput]. Default 1 MiB, cap 16 MiB.
	Output int64
	// Tmp is the size of the /tmp tmpfs (exec allowed, for `go test`). Default
	// 64 MiB, cap 1 GiB.
	Tmp int64
	// Work is the size of the WorkDir tmpfs. Default 256 MiB, cap 2 GiB.
	Work int64
}

// Default and maximum limits. Exported so exercise validation can quote them.
const (
	MiB = int64(1) << 20
	GiB = int64(1) << 30

	DefaultTimeout  = 30 * time.Second
	MaxTimeout      = 10 * time.Minute
	DefaultGrace    = 5 * time.Second
	DefaultMemory   = 1 * GiB
	MaxMemory       = 4 * GiB
	DefaultPids     = 256
	MaxPids         = 4096
	DefaultCPUs     = 1.0
	MaxCPUs         = 2.0
	DefaultNoFile   = 1024
	MaxNoFile       = 65536
	DefaultFileSize = 128 * MiB
	MaxFileSize     = 1 * GiB
	DefaultOutput   = 1 * MiB
	MaxOutput       = 16 * MiB
	DefaultTmp      = 64 * MiB
	MaxTmp          = 1 * GiB
	DefaultWork     = 256 * MiB
	MaxWork         = 2 * GiB

	// DefaultUser is the fixed non-root user code runs as; the base image
	// names it "grader".
	DefaultUser = "10001:10001"
	// DefaultWorkDir is where files land and the command starts.
	DefaultWorkDir = "/work"

	// holderUser runs the container's main process (init + sleep). It must
	// differ from the command's user so the command cannot signal it.
	holderUser = "65534:65534"
)

// WithDefaults returns l with every zero field set to its default.
func (l Limits) WithDefaults() Limits {
	def := func(v *int64, d int64) {
		if *v == 0 {
			*v = d
		}
	}
	if l.Timeout == 0 {
		l.Timeout = DefaultTimeout
	}
	if l.Grace == 0 {
		l.Grace = DefaultGrace
	}
	if l.CPUs == 0 {
		l.CPUs = DefaultCPUs
	}
	def(&l.Memory, DefaultMemory)
	def(&l.Pids, DefaultPids)
	def(&l.NoFile, DefaultNoFile)
	def(&l.FileSize, DefaultFileSize)
	def(&l.Output, DefaultOutput)
	def(&l.Tmp, DefaultTmp)
	def(&l.Work, DefaultWork)
	return l
}

// Validate reports a limit that is negative or above its cap. Exercise
// loaders call it so a bad limit is found by `grader validate`, not at run time.
func (l Limits) Validate() error {
	type check struct {
		name     string
		v, max   int64
		unit     string
		duration bool
	}
	checks := []check{
		{"timeout", int64(l.Timeout), int64(MaxTimeout), "", true},
		{"grace", int64(l.Grace), int64(time.Minute), "", true},
		{"memory", l.Memory, MaxMemory, "bytes", false},
		{"pids", l.Pids, MaxPids, "", false},
		{"nofile", l.NoFile, MaxNoFile, "", false},
		{"file size", l.FileSize, MaxFileSize, "bytes", false},
		{"output", l.Output, MaxOutput, "bytes", false},
		{"tmp", l.Tmp, MaxTmp, "bytes", false},
		{"work", l.Work, MaxWork, "bytes", false},
	}
	for _, c := range checks {
		show := func(v int64) string {
			if c.duration {
				return time.Duration(v).String()
			}
			return strconv.FormatInt(v, 10) + strings.TrimSpace(" "+c.unit)
		}
		if c.v < 0 {
			return invalidf(fmt.Sprintf("limit %s is negative (%s)", c.name, show(c.v)))
		}
		if c.v > c.max {
			return invalidf(fmt.Sprintf("limit %s %s is above the cap %s", c.name, show(c.v), show(c.max)))
		}
	}
	if l.CPUs < 0 || l.CPUs > MaxCPUs {
		return invalidf(fmt.Sprintf("limit cpus %g is outside 0..%g", l.CPUs, MaxCPUs))
	}
	if l.Memory > 0 && l.Tmp > l.Memory {
		return invalidf(fmt.Sprintf("limit tmp (%d bytes) is above memory (%d bytes), which tmpfs pages count against", l.Tmp, l.Memory))
	}
	return nil
}

// Validate reports what is wrong with s before any container exists, wrapped
// in [ErrInvalid]. [Engine.Run] calls it; exercise loaders may call it early.
func (s *Spec) Validate() error {
	if strings.TrimSpace(s.Image) == "" {
		return invalidf("no image")
	}
	if len(s.Cmd) == 0 || s.Cmd[0] == "" {
		return invalidf("no command")
	}
	if s.WorkDir != "" && (!path.IsAbs(s.WorkDir) || path.Clean(s.WorkDir) != s.WorkDir || s.WorkDir == "/") {
		return invalidf(fmt.Sprintf("work dir %q must be a clean absolute path other than /", s.WorkDir))
	}
	for _, e := range s.Env {
		if k, _, ok := strings.Cut(e, "="); !ok || k == "" {
			return invalidf(fmt.Sprintf("env entry %q is not KEY=value", e))
		}
	}
	for p := range s.Inline {
		if _, err := cleanRel(p, false); err != nil {
			return invalidf(fmt.Sprintf("inline file: %v", err))
		}
	}
	for _, o := range s.Outputs {
		if _, err := cleanRel(o, true); err != nil {
			return invalidf(fmt.Sprintf("output: %v", err))
		}
	}
	if len(s.Outputs) > 0 && s.OutputDir == "" {
		return invalidf("outputs declared but no output dir")
	}
	switch s.Network {
	case "", "none":
	case "host", "bridge", "default":
		return invalidf(fmt.Sprintf("network %q is refused: use none or a private network of the check's services", s.Network))
	default:
		if strings.HasPrefix(s.Network, "container:") {
			return invalidf(fmt.Sprintf("network %q is refused: use none or a private network of the check's services", s.Network))
		}
	}
	if _, _, err := parseUser(s.user()); err != nil {
		return err
	}
	return s.Limits.Validate()
}

func (s *Spec) user() string {
	if s.User == "" {
		return DefaultUser
	}
	return s.User
}

func (s *Spec) workDir() string {
	if s.WorkDir == "" {
		return DefaultWorkDir
	}
	return s.WorkDir
}

func (s *Spec) network() string {
	if s.Network == "" {
		return "none"
	}
	return s.Network
}

// parseUser accepts only numeric "uid:gid" (or "uid", gid = uid): a name would
// need the image's /etc/passwd, and the tar headers and tmpfs owner need numbers.
func parseUser(u string) (uid, gid int, err error) {
	us, gs, ok := strings.Cut(u, ":")
	if !ok {
		gs = us
	}
	uid, err1 := strconv.Atoi(us)
	gid, err2 := strconv.Atoi(gs)
	if err1 != nil || err2 != nil || uid < 0 || gid < 0 {
		return 0, 0, invalidf(fmt.Sprintf("user %q must be numeric uid:gid", u))
	}
	if uid == 0 || gid == 0 {
		return 0, 0, invalidf(fmt.Sprintf("user %q is root: code runs as a fixed non-root user", u))
	}
	if uid == 65534 {
		return 0, 0, invalidf(fmt.Sprintf("user %q is the holder's user (nobody)", u))
	}
	return uid, gid, nil
}

// cleanRel checks that p is a relative slash path that stays inside its base
// and returns it cleaned. dotOK allows "." (the whole base).
func cleanRel(p string, dotOK bool) (string, error) {
	if p == "" {
		return "", fmt.Errorf("empty path")
	}
	if strings.Contains(p, "\\") || strings.ContainsRune(p, 0) {
		return "", fmt.Errorf("%q: backslashes and NUL are not allowed", p)
	}
	if path.IsAbs(p) {
		return "", fmt.Errorf("%q is absolute: paths are relative to the work dir", p)
	}
	c := path.Clean(p)
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("%q leaves the work dir", p)
	}
	for part := range strings.SplitSeq(p, "/") {
		if part == ".." {
			return "", fmt.Errorf("%q has a parent-folder (..) component", p)
		}
	}
	if c == "." && !dotOK {
		return "", fmt.Errorf("%q names the work dir itself", p)
	}
	return c, nil
}

// Limit names what ended a run. It is part of the results contract: never
// rename one.
type Limit string

// The limits a run can end on. An empty Limit means the command exited by
// itself (with any exit code).
const (
	// LimitTimeout: the host's wall-clock timer fired and the run was killed.
	LimitTimeout Limit = "timeout"
	// LimitMemory: the kernel's OOM killer acted in the container (the
	// engine's OOMKilled flag).
	LimitMemory Limit = "memory"
	// LimitOutput: stdout and stderr passed the output cap and the run was killed.
	LimitOutput Limit = "output"
	// LimitPids: forks failed at the pids limit (the container's pids cgroup
	// counts them when the engine is local; else its stats show it full when
	// the run stopped).
	LimitPids Limit = "pids"
)

// Result is what a run did. A run ended by a limit is a result (the learner's
// failed check), not an error.
type Result struct {
	// ExitCode is the command's exit status, 128+N for a signal, or -1 when
	// the sandbox killed it (see Limit).
	ExitCode int
	// Stdout and Stderr are captured up to the output cap, together.
	Stdout, Stderr []byte
	// Truncated is set when output passed the cap and was cut.
	Truncated bool
	// Limit names the limit that ended the run, or "".
	Limit Limit
	// Duration is the command's wall-clock time, from start to stop.
	Duration time.Duration
	// Outputs lists the files and folders copied into OutputDir, as slash
	// paths relative to it.
	Outputs []string
	// OutputErrors lists declared outputs (or entries in them) that were not
	// copied: missing, a link, a device, too large. The learner can act on
	// these; they are not errors of the sandbox.
	OutputErrors []OutputError
}

// OutputError says why one output path was not copied back.
type OutputError struct {
	Path   string // slash path relative to the work dir
	Reason string
}

// String formats e as "path: reason" for a learner-facing message.
func (e OutputError) String() string { return e.Path + ": " + e.Reason }
