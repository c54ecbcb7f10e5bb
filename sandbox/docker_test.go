package sandbox

// Integration tests against the real Docker engine. They fail under CI=true
// when Docker or the test image is missing, and skip only on a developer's
// machine without them.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/backendroadmap/grader/fault"
)

// testImage is the public name the tests ask for; the repo's image map sends
// it to the local build (make images). GRADER_TEST_IMAGE overrides it.
func testImage() string {
	if s := os.Getenv("GRADER_TEST_IMAGE"); s != "" {
		return s
	}
	return "debian:bookworm"
}

// requireDocker returns an engine, failing the test under CI=true when Docker
// (or the test image) is unavailable and skipping it otherwise. It checks after
// the test that nothing this process labelled is left on the engine.
func requireDocker(t *testing.T) *Engine {
	t.Helper()
	return requireImage(t, testImage())
}

// requireImage is requireDocker for a run that needs image (a public name the
// repo's image map resolves).
func requireImage(t *testing.T, image string) *Engine {
	t.Helper()
	unavailable := func(format string, args ...any) {
		t.Helper()
		if os.Getenv("CI") != "" {
			t.Fatalf(format, args...)
		}
		t.Skipf(format+" (this fails under CI=true)", args...)
	}
	e, err := Connect(t.Context())
	if err != nil {
		unavailable("docker: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	m, err := LoadImageMap(func(k string) string {
		if k == ImageMapEnv {
			if v := os.Getenv(k); v != "" {
				return v
			}
			return filepath.Join("images", "imagemap.json")
		}
		return os.Getenv(k)
	})
	if err != nil {
		t.Fatalf("image map: %v", err)
	}
	e.Images = m
	if err := e.ensureImage(t.Context(), image, m.Resolve(image)); err != nil {
		unavailable("test image: %v", err)
	}
	t.Cleanup(func() { assertNoLeftovers(t, e) })
	return e
}

// assertNoLeftovers fails if any container or volume labelled with this
// engine's owner still exists.
func assertNoLeftovers(t *testing.T, e *Engine) {
	t.Helper()
	e.settle()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	f := make(client.Filters).Add("label", LabelOwner+"="+e.Owner())
	cs, err := e.api.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		t.Fatalf("list containers: %v", err)
	}
	for _, c := range cs.Items {
		t.Errorf("container left behind: %s %v (%s)", short(c.ID), c.Names, c.State)
	}
	vs, err := e.api.VolumeList(ctx, client.VolumeListOptions{Filters: f})
	if err != nil {
		t.Fatalf("list volumes: %v", err)
	}
	for _, v := range vs.Items {
		t.Errorf("volume left behind: %s", v.Name)
	}
	is, err := e.api.ImageList(ctx, client.ImageListOptions{Filters: f})
	if err != nil {
		t.Fatalf("list images: %v", err)
	}
	for _, im := range is.Items {
		t.Errorf("image left behind: %s %v", short(im.ID), im.RepoTags)
	}
}

func mustRun(t *testing.T, e *Engine, s Spec) *Result {
	t.Helper()
	if s.Image == "" {
		s.Image = testImage()
	}
	start := time.Now()
	res, err := e.Run(t.Context(), s)
	if err != nil {
		t.Fatalf("Run(%q): %v", s.Cmd, err)
	}
	t.Logf("%q: exit %d, limit %q, command %v, whole run %v, stdout %d bytes, stderr %q",
		s.Cmd, res.ExitCode, res.Limit, res.Duration.Round(time.Millisecond), time.Since(start).Round(time.Millisecond),
		len(res.Stdout), trim(res.Stderr, 200))
	return res
}

func trim(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}

func sh(script string) []string { return []string{"sh", "-c", script} }

func TestRunFilesEnvStdinAndExitCode(t *testing.T) {
	e := requireDocker(t)
	res := mustRun(t, e, Spec{
		Cmd: sh(`cat hello.txt; cat sub/dir/data.txt; cat hidden.txt; echo "$GREETING"; pwd; cat; echo err >&2; exit 3`),
		Env: []string{"GREETING=hi there"},
		Files: fstest.MapFS{
			"hello.txt":        {Data: []byte("hello\n")},
			"sub/dir/data.txt": {Data: []byte("data\n")},
		},
		Inline: map[string][]byte{"hidden.txt": []byte("hidden\n")},
		Stdin:  strings.NewReader("from stdin\n"),
	})
	want := "hello\ndata\nhidden\nhi there\n/work\nfrom stdin\n"
	if string(res.Stdout) != want || string(res.Stderr) != "err\n" || res.ExitCode != 3 || res.Limit != "" || res.Truncated {
		t.Errorf("got stdout %q stderr %q exit %d limit %q truncated %v; want stdout %q stderr \"err\\n\" exit 3",
			res.Stdout, res.Stderr, res.ExitCode, res.Limit, res.Truncated, want)
	}
}

// TestFilesTooLargeForStdinStillArrive: files go in through the command's
// stdin when they fit in unpackMax; past it, the engine copies them, and
// the command's own stdin is the same either way.
func TestFilesTooLargeForStdinStillArrive(t *testing.T) {
	e := requireDocker(t)
	big := bytes.Repeat([]byte("x"), unpackMax+1)
	for _, tc := range []struct {
		name  string
		files fstest.MapFS
	}{
		{"small", fstest.MapFS{"f.bin": {Data: big[:1000], Mode: 0o755}}},
		{"past unpackMax", fstest.MapFS{"f.bin": {Data: big, Mode: 0o755}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := mustRun(t, e, Spec{Cmd: sh(`wc -c < f.bin; test -x f.bin && echo executable; cat`), Files: tc.files,
				Stdin: strings.NewReader("stdin\n")})
			want := fmt.Sprintf("%d\nexecutable\nstdin\n", len(tc.files["f.bin"].Data))
			if string(res.Stdout) != want || res.ExitCode != 0 {
				t.Errorf("stdout %q exit %d, want %q and 0 (stderr %q)", res.Stdout, res.ExitCode, want, res.Stderr)
			}
		})
	}
}

// TestFilesThatCannotBeUnpackedAreTheSandboxsFault: files larger than the
// work dir cannot go in; that is an error of the sandbox's (exit 3), never a
// result the command's verdict would be read from.
func TestFilesThatCannotBeUnpackedAreTheSandboxsFault(t *testing.T) {
	e := requireDocker(t)
	res, err := e.Run(t.Context(), Spec{Image: testImage(), Cmd: sh(`echo ran`),
		Files:  fstest.MapFS{"f.bin": {Data: bytes.Repeat([]byte("x"), int(2*MiB))}},
		Limits: Limits{Work: 1 * MiB}})
	var se *Error
	if err == nil || !errors.As(err, &se) || se.Msg != "copy files into the sandbox" || se.Kind != fault.Infra {
		t.Fatalf("Run = %+v, %v; want the sandbox's error copying the files in", res, err)
	}
	if !strings.Contains(err.Error(), "tar: f.bin") || strings.Contains(err.Error(), "grader-unpack") || !strings.Contains(se.Hint, "work folder") {
		t.Errorf("error %q, hint %q: want the cause, and what to look at", err, se.Hint)
	}
}

func TestLearnerSymlinkInFilesIsNotFollowed(t *testing.T) {
	e := requireDocker(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ok.txt"), []byte("ok"), 0o644); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("host secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(dir, "steal")); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	res := mustRun(t, e, Spec{Cmd: sh(`ls -A; cat steal 2>&1 || true`), Files: root.FS()})
	if strings.Contains(string(res.Stdout), "host secret") || !strings.HasPrefix(string(res.Stdout), "ok.txt\n") {
		t.Errorf("stdout %q: want only ok.txt, and never the link's target", res.Stdout)
	}
}

func TestHardening(t *testing.T) {
	e := requireDocker(t)
	res := mustRun(t, e, Spec{Cmd: sh(`
echo "uid=$(id -u) gid=$(id -g)"
touch /etc/x 2>/dev/null && echo "rootfs=writable" || echo "rootfs=readonly"
echo "net=$(ls /sys/class/net | tr '\n' ' ')"
grep -E '^(CapEff|CapPrm|CapBnd|NoNewPrivs):' /proc/self/status | tr -d '\t' | tr ':' '='
echo "nofile=$(ulimit -n) core=$(ulimit -c) fsize=$(ulimit -f)"
cp /bin/true /tmp/t && /tmp/t && echo "tmpexec=ok"
echo x > /work/w && echo "workdir=writable"
echo "init=$(cat /proc/1/comm)"
`)})
	out := string(res.Stdout)
	for _, want := range []string{
		"uid=10001 gid=10001",
		"rootfs=readonly",
		"net=lo \n",
		"CapEff=0000000000000000",
		"CapPrm=0000000000000000",
		"CapBnd=0000000000000000",
		"NoNewPrivs=1",
		"nofile=1024 core=0 fsize=262144", // fsize in 512-byte blocks: 128 MiB
		"tmpexec=ok",
		"workdir=writable",
		"init=docker-init",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("want %q in:\n%s", want, out)
		}
	}
}

func TestTimeoutKillsAnInfiniteLoop(t *testing.T) {
	e := requireDocker(t)
	start := time.Now()
	res := mustRun(t, e, Spec{Cmd: sh(`echo started; while :; do :; done`), Limits: Limits{Timeout: 2 * time.Second}})
	took := time.Since(start)
	if res.Limit != LimitTimeout || res.ExitCode != -1 {
		t.Errorf("limit %q exit %d, want timeout and -1", res.Limit, res.ExitCode)
	}
	if string(res.Stdout) != "started\n" {
		t.Errorf("stdout %q: output before the kill must be kept", res.Stdout)
	}
	if res.Duration < 2*time.Second || took > 2*time.Second+5*time.Second {
		t.Errorf("command ran %v, whole run %v: want >= 2s and ended within deadline + 5s", res.Duration, took)
	}
}

func TestTimeoutKillsBackgroundProcessesToo(t *testing.T) {
	e := requireDocker(t)
	// The command exits at once but leaves a child holding stdout open.
	res := mustRun(t, e, Spec{Cmd: sh(`(sleep 60; echo late) & echo parent done`), Limits: Limits{Timeout: 10 * time.Second}})
	if res.ExitCode != 0 || res.Limit != "" || strings.Contains(string(res.Stdout), "late") {
		t.Errorf("exit %d limit %q stdout %q", res.ExitCode, res.Limit, res.Stdout)
	}
	if res.Duration > 5*time.Second {
		t.Errorf("took %v: a background child must not hold the run open", res.Duration)
	}
}

func TestMemoryLimitIsNamed(t *testing.T) {
	e := requireDocker(t)
	// dd allocates one 2 GiB buffer and fills it from /dev/zero.
	res := mustRun(t, e, Spec{Cmd: sh(`dd if=/dev/zero of=/dev/null bs=2G count=1; echo "dd=$?"`), Limits: Limits{Memory: 256 * MiB, Timeout: 20 * time.Second}})
	if res.Limit != LimitMemory {
		t.Errorf("limit %q, want memory", res.Limit)
	}
	if !strings.Contains(string(res.Stdout), "dd=137") {
		t.Errorf("stdout %q: want dd killed by SIGKILL (137)", res.Stdout)
	}
}

func TestMemoryLimitKillsTheCommand(t *testing.T) {
	e := requireDocker(t)
	res := mustRun(t, e, Spec{Cmd: []string{"dd", "if=/dev/zero", "of=/dev/null", "bs=2G", "count=1"}, Limits: Limits{Memory: 256 * MiB, Timeout: 20 * time.Second}})
	if res.Limit != LimitMemory || res.ExitCode != 137 {
		t.Errorf("limit %q exit %d, want memory and 137", res.Limit, res.ExitCode)
	}
}

func TestForkBombEndsAndMachineStaysFine(t *testing.T) {
	e := requireDocker(t)
	start := time.Now()
	// A low limit the bomb reaches in well under a second even when CI's
	// other Docker suites starve it of CPU (with 64, a loaded run once timed
	// out before reaching it, and "timeout" was then the honest verdict).
	res := mustRun(t, e, Spec{Cmd: sh(`f() { f | f & }; f; sleep 30`), Limits: Limits{Pids: 16, Timeout: 8 * time.Second}})
	if res.Limit != LimitPids {
		t.Errorf("limit %q, want pids", res.Limit)
	}
	if took := time.Since(start); took > 8*time.Second+10*time.Second {
		t.Errorf("fork bomb run took %v", took)
	}
	// The machine stays usable: the next run is quick and normal.
	again := mustRun(t, e, Spec{Cmd: sh(`echo ok`)})
	if string(again.Stdout) != "ok\n" {
		t.Errorf("run after the fork bomb: %q", again.Stdout)
	}
}

func TestOutputCap(t *testing.T) {
	e := requireDocker(t)
	res := mustRun(t, e, Spec{Cmd: sh(`head -c 100000000 /dev/zero; echo done >&2`)})
	if res.Limit != LimitOutput || !res.Truncated {
		t.Errorf("limit %q truncated %v, want output and true", res.Limit, res.Truncated)
	}
	if n := len(res.Stdout) + len(res.Stderr); n > int(DefaultOutput) || n == 0 {
		t.Errorf("captured %d bytes, want 1..%d", n, DefaultOutput)
	}
	if strings.Contains(string(res.Stderr), "done") {
		t.Error("the command went on after the output cap")
	}
}

func TestOutputUnderTheCapIsWhole(t *testing.T) {
	e := requireDocker(t)
	res := mustRun(t, e, Spec{Cmd: sh(`head -c 1048576 /dev/zero`)})
	if res.Limit != "" || res.Truncated || len(res.Stdout) != 1<<20 {
		t.Errorf("limit %q truncated %v len %d: exactly the cap must pass whole", res.Limit, res.Truncated, len(res.Stdout))
	}
}

func TestFileSizeLimit(t *testing.T) {
	e := requireDocker(t)
	res := mustRun(t, e, Spec{
		Cmd:    sh(`dd if=/dev/zero of=/tmp/big bs=1M count=1024 2>&1; echo "dd=$?"; echo "size=$(stat -c %s /tmp/big)"`),
		Limits: Limits{Tmp: 512 * MiB},
	})
	out := string(res.Stdout)
	if strings.Contains(out, "dd=0") || !strings.Contains(out, "size=134217728") {
		t.Errorf("want dd to fail at 128 MiB; got %q", out)
	}
}

func TestWorkDirIsBoundedTmpfs(t *testing.T) {
	e := requireDocker(t)
	res := mustRun(t, e, Spec{Cmd: sh(`dd if=/dev/zero of=/work/fill bs=1M count=100 2>&1; echo "dd=$?"; df -k /work | tail -1`), Limits: Limits{Work: 16 * MiB}})
	if !strings.Contains(string(res.Stdout), "No space left") || strings.Contains(string(res.Stdout), "dd=0") {
		t.Errorf("want the 16 MiB work dir to fill up; got %q", res.Stdout)
	}
}

func TestOutputsAreCopiedSafely(t *testing.T) {
	e := requireDocker(t)
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	res := mustRun(t, e, Spec{
		Cmd: sh(`
mkdir -p results/deep && echo report > results/report.json && echo deep > results/deep/x.txt
ln -s /etc/passwd results/passwd
ln -s /etc/passwd link
ln results/report.json hard
mkfifo fifo
ln -s /etc viadir
echo top > top.txt
`),
		Outputs:   []string{"results", "top.txt", "link", "hard", "fifo", "viadir/passwd", "missing.txt"},
		OutputDir: out,
	})
	if res.ExitCode != 0 {
		t.Fatalf("exit %d: %s", res.ExitCode, res.Stderr)
	}
	read := func(p string) string {
		b, err := os.ReadFile(filepath.Join(out, p))
		if err != nil {
			return "<" + err.Error() + ">"
		}
		return string(b)
	}
	if read("results/report.json") != "report\n" || read("results/deep/x.txt") != "deep\n" || read("top.txt") != "top\n" {
		t.Errorf("regular outputs not copied: %v", res.Outputs)
	}
	problems := map[string]string{}
	for _, p := range res.OutputErrors {
		problems[p.Path] = p.Reason
	}
	t.Logf("output problems: %v", res.OutputErrors)
	for _, p := range []string{"results/passwd", "link", "fifo", "viadir/passwd", "missing.txt"} {
		if problems[p] == "" {
			t.Errorf("%s: want a reported problem; got %v", p, res.OutputErrors)
		}
	}
	// "hard" and results/report.json are one file: both declared, both come
	// back as plain copies, whichever the archive lists first.
	if read("hard") != "report\n" {
		t.Errorf("hard link: %q, want a plain copy", read("hard"))
	}
	// Nothing else appeared: no link in the destination, nothing beside it.
	err := filepath.WalkDir(parent, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type()&os.ModeSymlink != 0 || (!d.IsDir() && !d.Type().IsRegular()) {
			t.Errorf("%s: not a regular file", p)
		}
		if !d.IsDir() && bytes.Contains([]byte(read(strings.TrimPrefix(p, out+"/"))), []byte("root:x:0:0")) {
			t.Errorf("%s holds /etc/passwd", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 1 {
		t.Errorf("wrote beside the output dir: %v", entries)
	}
}

func TestOutputPathsThatLeaveAreRefused(t *testing.T) {
	e := requireDocker(t)
	for _, o := range []string{"../x", "/etc/passwd", "a/../../x", ""} {
		_, err := e.Run(t.Context(), Spec{Image: testImage(), Cmd: sh("true"), Outputs: []string{o}, OutputDir: t.TempDir()})
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("output %q: err %v, want ErrInvalid", o, err)
		}
	}
}

func TestCancelRemovesTheContainer(t *testing.T) {
	e := requireDocker(t)
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		// Cancel once the command is running.
		for {
			time.Sleep(50 * time.Millisecond)
			cs, _ := e.api.ContainerList(context.Background(), client.ContainerListOptions{
				Filters: make(client.Filters).Add("label", LabelOwner+"="+e.Owner()),
			})
			if len(cs.Items) > 0 {
				time.Sleep(500 * time.Millisecond)
				cancel()
				return
			}
		}
	}()
	start := time.Now()
	_, err := e.Run(ctx, Spec{Image: testImage(), Cmd: sh("sleep 60")})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", err)
	}
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("cancelled run took %v", took)
	}
	// requireDocker's cleanup asserts that nothing is left.
}

// hungFreeze is an engine whose freeze never completes (a pause held up by a
// fork bomb or a loaded machine): ContainerPause blocks until its caller
// gives up.
type hungFreeze struct{ dockerAPI }

func (hungFreeze) ContainerPause(ctx context.Context, _ string, _ client.ContainerPauseOptions) (client.ContainerPauseResult, error) {
	<-ctx.Done()
	return client.ContainerPauseResult{}, ctx.Err()
}

// Ctrl-C must not wait on a freeze: CI once left a paused container behind
// when a cancelled run's freeze outlasted the cleanup budget.
func TestCancelDoesNotWaitForAFreeze(t *testing.T) {
	e := requireDocker(t)
	e.api = hungFreeze{e.api}
	ctx, cancel := context.WithCancel(t.Context())
	out := t.TempDir()
	cancelled := make(chan time.Time, 1)
	go func() {
		for { // cancel once the command has written its file
			time.Sleep(50 * time.Millisecond)
			cs, _ := e.api.ContainerList(context.Background(), client.ContainerListOptions{
				Filters: make(client.Filters).Add("label", LabelOwner+"="+e.Owner()),
			})
			if len(cs.Items) > 0 {
				time.Sleep(time.Second)
				cancelled <- time.Now()
				cancel()
				return
			}
		}
	}()
	_, err := e.Run(ctx, Spec{Image: testImage(), Cmd: sh("echo hi > a.txt; sleep 60"), Outputs: []string{"a.txt"}, OutputDir: out})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	// Measured from the cancel, as a user pressing Ctrl-C would.
	if took := time.Since(<-cancelled); took >= freezeTimeout {
		t.Errorf("the cancelled run returned %v after the cancel: it waited for the freeze", took)
	}
}

// A freeze that never completes delays the verdict by its budget, no more,
// and the outputs are still judged.
func TestAHungFreezeStillCopiesOutputs(t *testing.T) {
	e := requireDocker(t)
	e.api = hungFreeze{e.api}
	out := t.TempDir()
	start := time.Now()
	res := mustRun(t, e, Spec{Cmd: sh("echo judged > a.txt"), Outputs: []string{"a.txt"}, OutputDir: out})
	if took := time.Since(start); took > freezeTimeout+cleanupTimeout {
		t.Errorf("run took %v with a hung freeze", took)
	}
	if res.ExitCode != 0 || res.Limit != "" {
		t.Errorf("exit %d, limit %q; want 0 and none", res.ExitCode, res.Limit)
	}
	if b, err := os.ReadFile(filepath.Join(out, "a.txt")); err != nil || string(b) != "judged\n" {
		t.Errorf("output a.txt = %q, %v; want it copied", b, err)
	}
}

// shakyFreeze is an engine that answers the first freeze "unable to freeze",
// as a loaded cgroup freezer does, and then manages.
type shakyFreeze struct {
	dockerAPI
	calls, froze atomic.Int32
}

func (s *shakyFreeze) ContainerPause(ctx context.Context, id string, o client.ContainerPauseOptions) (client.ContainerPauseResult, error) {
	if s.calls.Add(1) == 1 {
		return client.ContainerPauseResult{}, errors.New("OCI runtime pause failed: unable to freeze: unknown")
	}
	r, err := s.dockerAPI.ContainerPause(ctx, id, o)
	if err == nil {
		s.froze.Add(1)
	}
	return r, err
}

func TestAFreezeThatFailsOnceIsRetried(t *testing.T) {
	e := requireDocker(t)
	shaky := &shakyFreeze{dockerAPI: e.api}
	e.api = shaky
	mustRun(t, e, Spec{Cmd: sh("true")})
	if shaky.froze.Load() != 1 {
		t.Errorf("%d freezes took after %d tries; want the run frozen on a second try", shaky.froze.Load(), shaky.calls.Load())
	}
}

// unreadable is an unfreezable engine whose copy-out breaks, as it does
// when the run's processes keep filling the disk while it is read.
type unreadable struct{ hungFreeze }

func (unreadable) CopyFromContainer(context.Context, string, client.CopyFromContainerOptions) (client.CopyFromContainerResult, error) {
	return client.CopyFromContainerResult{}, errors.New("read archive: unexpected EOF")
}

// What a run that could not be frozen breaks while it is copied is the
// run's own doing: missing outputs the check reports, not a sandbox error.
func TestAnUnfrozenCopyThatBreaksIsMissingOutputs(t *testing.T) {
	e := requireDocker(t)
	e.api = unreadable{hungFreeze{e.api}}
	res := mustRun(t, e, Spec{Cmd: sh("echo judged > a.txt"), Outputs: []string{"a.txt"}, OutputDir: t.TempDir()})
	if len(res.Outputs) != 0 || len(res.OutputErrors) != 1 || !strings.Contains(res.OutputErrors[0].String(), "could not be copied") {
		t.Errorf("outputs %v, errors %v; want none copied and the reason", res.Outputs, res.OutputErrors)
	}
}

func TestCloseRemovesAFrozenContainer(t *testing.T) {
	e := requireDocker(t)
	ctx := t.Context()
	c, err := e.api.ContainerCreate(ctx, client.ContainerCreateOptions{
		Config: &container.Config{Image: e.Images.Resolve(testImage()), Cmd: []string{"sleep", "infinity"}, Labels: e.labels()},
	})
	if err != nil {
		t.Fatal(err)
	}
	e.track("container", c.ID)
	if _, err := e.api.ContainerStart(ctx, c.ID, client.ContainerStartOptions{}); err != nil {
		t.Fatal(err)
	}
	fctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := e.freeze(fctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.api.ContainerInspect(ctx, c.ID, client.ContainerInspectOptions{}); err == nil {
		t.Error("frozen container survived Close")
	}
}

func TestCloseRemovesWhatARunLeft(t *testing.T) {
	e := requireDocker(t)
	ctx := t.Context()
	c, err := e.api.ContainerCreate(ctx, client.ContainerCreateOptions{
		Config: &container.Config{Image: e.Images.Resolve(testImage()), Cmd: []string{"true"}, Labels: e.labels()},
	})
	if err != nil {
		t.Fatal(err)
	}
	e.track("container", c.ID)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.api.ContainerInspect(ctx, c.ID, client.ContainerInspectOptions{}); err == nil {
		t.Error("container survived Close")
	}
}

func TestGCRemovesLabelledLeftoversOnly(t *testing.T) {
	e := requireDocker(t)
	ctx := t.Context()
	img := e.Images.Resolve(testImage())
	old := e.labels()
	old[LabelOwner] = "1@crashed-host"
	old[LabelCreated] = "1000000000" // 2001: older than any cutoff
	leftover, err := e.api.ContainerCreate(ctx, client.ContainerCreateOptions{Config: &container.Config{Image: img, Cmd: []string{"true"}, Labels: old}})
	if err != nil {
		t.Fatal(err)
	}
	vol, err := e.api.VolumeCreate(ctx, client.VolumeCreateOptions{Name: "grader-test-leftover-" + randomHex(4), Labels: old})
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := e.api.ContainerCreate(ctx, client.ContainerCreateOptions{Config: &container.Config{Image: img, Cmd: []string{"true"}, Labels: e.labels()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = e.api.ContainerRemove(context.Background(), fresh.ID, client.ContainerRemoveOptions{Force: true})
	})
	// As old as the leftover, but its owner is a process running here.
	owner := exec.Command("sleep", "60")
	if err := owner.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = owner.Process.Kill(); _ = owner.Wait() })
	host, _ := os.Hostname()
	running := e.labels()
	running[LabelOwner] = strconv.Itoa(owner.Process.Pid) + "@" + host
	running[LabelCreated] = "1000000000"
	inUse, err := e.api.ContainerCreate(ctx, client.ContainerCreateOptions{Config: &container.Config{Image: img, Cmd: []string{"true"}, Labels: running}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = e.api.ContainerRemove(context.Background(), inUse.ID, client.ContainerRemoveOptions{Force: true})
	})
	unlabelled, err := e.api.ContainerCreate(ctx, client.ContainerCreateOptions{Config: &container.Config{Image: img, Cmd: []string{"true"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = e.api.ContainerRemove(context.Background(), unlabelled.ID, client.ContainerRemoveOptions{Force: true})
	})

	// A sweep of everything older than an hour: the leftover and its volume
	// go, a fresh labelled container of a live run stays, an old one whose
	// owner still runs here stays and is listed as in use, unlabelled ones
	// stay.
	removed, kept, err := e.GC(ctx, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(kept, func(r Resource) bool { return r.ID == inUse.ID && r.InUse }) {
		t.Errorf("GC kept %v; want the container whose owner runs here listed as in use", kept)
	}
	if _, err := e.api.ContainerInspect(ctx, inUse.ID, client.ContainerInspectOptions{}); err != nil {
		t.Errorf("the container of a running owner is gone: %v", err)
	}
	got := map[string]bool{}
	for _, r := range removed {
		got[r.ID] = true
		t.Logf("removed %s", r)
	}
	if !got[leftover.ID] || !got[vol.Volume.Name] {
		t.Errorf("GC removed %v; want the leftover container and volume", removed)
	}
	if got[fresh.ID] || got[unlabelled.ID] {
		t.Errorf("GC removed a fresh or unlabelled container: %v", removed)
	}
	if _, err := e.api.ContainerInspect(ctx, unlabelled.ID, client.ContainerInspectOptions{}); err != nil {
		t.Errorf("unlabelled container is gone: %v", err)
	}
	if _, err := e.api.ContainerInspect(ctx, leftover.ID, client.ContainerInspectOptions{}); err == nil {
		t.Error("leftover container still exists")
	}
}

func TestTrivialRunCost(t *testing.T) {
	e := requireDocker(t)
	const n = 3
	var total, command time.Duration
	for range n {
		start := time.Now()
		res := mustRun(t, e, Spec{Cmd: []string{"true"}})
		total += time.Since(start)
		command += res.Duration
		if res.ExitCode != 0 {
			t.Fatalf("exit %d", res.ExitCode)
		}
	}
	t.Logf("trivial run: %v per run on average (command itself %v)", (total / n).Round(time.Millisecond), (command / n).Round(time.Millisecond))
}

func TestConcurrentRuns(t *testing.T) {
	e := requireDocker(t)
	const n = 4
	errs := make(chan error, n)
	start := time.Now()
	for i := range n {
		go func() {
			res, err := e.Run(t.Context(), Spec{Image: testImage(), Cmd: sh(fmt.Sprintf("echo run %d", i))})
			if err == nil && string(res.Stdout) != fmt.Sprintf("run %d\n", i) {
				err = fmt.Errorf("run %d: stdout %q", i, res.Stdout)
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	t.Logf("%d runs at once: %v", n, time.Since(start).Round(time.Millisecond))
}

func TestGoTestRunsInTheBaseImage(t *testing.T) {
	const image = "golang:1.26"
	e := requireImage(t, image)
	res := mustRun(t, e, Spec{
		Image: image,
		Cmd:   []string{"go", "test", "-count=1", "./..."},
		Inline: map[string][]byte{
			"go.mod":      []byte("module example.com/m\n\ngo 1.22\n"),
			"add.go":      []byte("package m\n\nfunc Add(a, b int) int { return a + b }\n"),
			"add_test.go": []byte("package m\n\nimport \"testing\"\n\nfunc TestAdd(t *testing.T) {\n\tif Add(2, 2) != 4 {\n\t\tt.Fatal(\"bad\")\n\t}\n}\n"),
		},
		Limits: Limits{Timeout: 60 * time.Second, Tmp: 256 * MiB},
	})
	if res.ExitCode != 0 || !strings.Contains(string(res.Stdout), "ok") {
		t.Errorf("go test: exit %d\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
}

func TestClosingStdoutDoesNotEndTheRun(t *testing.T) {
	e := requireDocker(t)
	res := mustRun(t, e, Spec{Cmd: sh(`echo bye; exec >&- 2>&-; sleep 60`), Limits: Limits{Timeout: 3 * time.Second}})
	if res.Limit != LimitTimeout || string(res.Stdout) != "bye\n" {
		t.Errorf("limit %q stdout %q: a command that closes its output still runs until the deadline", res.Limit, res.Stdout)
	}
}

func TestPidsLimitHitThenExitIsNamed(t *testing.T) {
	e := requireDocker(t)
	res := mustRun(t, e, Spec{Cmd: sh(`for i in $(seq 40); do sleep 30 & done 2>/dev/null; exit 1`), Limits: Limits{Pids: 20}})
	// dash gives up with status 2 when a fork fails.
	if res.ExitCode <= 0 || res.Limit != LimitPids {
		t.Errorf("exit %d limit %q, want a failed exit and pids", res.ExitCode, res.Limit)
	}
}
