package httpcheck

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/backendroadmap/grader/exercises"
	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox/attempt"
)

// localServers runs the learner's server as a process on this machine,
// outside any sandbox: for proving the catalog's own (trusted) solutions
// where Docker is not at hand.
type localServers struct{}

type sharedKey struct{}

func (localServers) Server(ctx context.Context, a runner.Attempt, req attempt.Request) (Target, error) {
	if req.Fresh {
		return startLocal(ctx, a, req.Server)
	}
	v, err := a.Memo.Do(sharedKey{}, func() (any, error) { return startLocal(ctx, a, req.Server) })
	if err != nil {
		return nil, err
	}
	return v.(Target), nil
}

// localTarget is a server process.
type localTarget struct {
	url  string
	out  *syncBuffer
	done chan struct{}
	err  error
}

func (t *localTarget) URL() string    { return t.url }
func (t *localTarget) Output() string { return t.out.String() }
func (t *localTarget) Exited(context.Context) string {
	select {
	case <-t.done:
		return fmt.Sprintf("exited (%v)", t.err)
	default:
		return ""
	}
}
func (t *localTarget) Hooks(context.Context) ([]attempt.Hook, error) { return nil, nil }

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startLocal(ctx context.Context, a runner.Attempt, spec *attempt.ServerSpec) (Target, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(spec.Cmd[0], spec.Cmd[1:]...)
	cmd.Dir = a.Dir
	cmd.Env = append(os.Environ(), fmt.Sprintf("PORT=%d", port))
	if spec.Cmd[0] == "go" {
		// As the golang image does: the standard library only.
		cmd.Env = append(cmd.Env, "GOPROXY=off", "GOFLAGS=-mod=mod")
		if _, err := os.Stat(filepath.Join(a.Dir, "go.mod")); err != nil {
			if err := os.WriteFile(filepath.Join(a.Dir, "go.mod"), []byte("module example.com/app\n\ngo 1.26\n"), 0o644); err != nil {
				return nil, err
			}
		}
	}
	t := &localTarget{url: fmt.Sprintf("http://127.0.0.1:%d", port), out: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = t.out, t.out
	// A process group of its own: `go run` starts the server as a child,
	// which must go with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() { t.err = cmd.Wait(); close(t.done) }()
	a.Memo.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); <-t.done })
	deadline := time.Now().Add(spec.ReadyTimeout)
	for {
		if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 100*time.Millisecond); err == nil {
			c.Close()
			return t, nil
		}
		if how := t.Exited(ctx); how != "" {
			return nil, &attempt.StartError{Msg: "Your server " + how + " before it listened.", Output: t.Output()}
		}
		if time.Now().After(deadline) {
			return nil, &attempt.StartError{Msg: "Your server did not listen.", Output: t.Output()}
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestCatalogProvenLocally proves the exercises of the apis catalog with
// the servers run as plain processes on this machine (python3 with Flask,
// and go): the starter fails, the solution passes every check, each
// known-wrong solution fails the checks it names. It is how these kinds
// meet the specs their authors wrote, without Docker. It runs the
// catalog's own solutions outside any sandbox and takes a minute or two,
// so only when GRADER_HTTP_LOCAL=1.
func TestCatalogProvenLocally(t *testing.T) {
	if os.Getenv("GRADER_HTTP_LOCAL") != "1" {
		t.Skip("set GRADER_HTTP_LOCAL=1 to prove the apis catalog with local processes")
	}
	python := exec.Command("python3", "-c", "import flask").Run() == nil
	dir := filepath.Join("..", "..", "exercises", "catalog", "apis")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Skipf("no apis catalog: %v", err)
	}
	root := os.DirFS(dir)
	for _, e := range entries {
		id := e.Name()
		spec, err := os.ReadFile(filepath.Join(dir, id, exercises.SpecFile))
		if err != nil || !python && strings.Contains(string(spec), "language: python") {
			continue
		}
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			sub, err := fs.Sub(root, id)
			if err != nil {
				t.Fatal(err)
			}
			cat, err := exercises.NewCatalog(sub, id, Kinds(localServers{}))
			if err != nil {
				t.Fatal(err)
			}
			ex, err := cat.Exercise(id)
			if err != nil {
				t.Fatalf("load %s:\n%v", id, err)
			}
			p, err := exercises.Prove(t.Context(), ex, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			if !p.OK() {
				for role, rep := range p.Reports {
					for _, c := range rep.Checks {
						if c.Status != runner.Pass && (role == "solution" || c.Status == runner.Error) {
							t.Logf("%s / %s: %s\n%s", role, c.ID, c.Status, c.Message)
						}
					}
				}
				t.Errorf("%s is not proven:\n%v", id, strings.Join(p.Problems, "\n"))
			}
		})
	}
}
