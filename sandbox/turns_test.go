package sandbox

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/volume"
	"github.com/moby/moby/client"
)

// busyAPI plays an engine on which every command takes a while: containers
// are made at once; it records how many cores (NanoCPUs) the runs whose
// commands are starting at once ask for, then refuses the command, so the
// run ends and cleans up.
type busyAPI struct {
	fakeAPI
	mu         sync.Mutex
	cpus       map[string]float64 // container → the cores it asked for
	busy, most float64
	runs       int
	made       int // containers made
}

func (f *busyAPI) VolumeCreate(_ context.Context, o client.VolumeCreateOptions) (client.VolumeCreateResult, error) {
	return client.VolumeCreateResult{Volume: volume.Volume{Name: o.Name}}, nil
}

func (f *busyAPI) VolumeRemove(context.Context, string, client.VolumeRemoveOptions) (client.VolumeRemoveResult, error) {
	return client.VolumeRemoveResult{}, nil
}

func (f *busyAPI) ContainerCreate(_ context.Context, o client.ContainerCreateOptions) (client.ContainerCreateResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cpus == nil {
		f.cpus = map[string]float64{}
	}
	f.made++
	id := o.Name
	f.cpus[id] = float64(o.HostConfig.Resources.NanoCPUs) / 1e9
	return client.ContainerCreateResult{ID: id}, nil
}

func (f *busyAPI) ContainerStart(context.Context, string, client.ContainerStartOptions) (client.ContainerStartResult, error) {
	return client.ContainerStartResult{}, nil
}

func (f *busyAPI) ExecCreate(_ context.Context, id string, _ client.ExecCreateOptions) (client.ExecCreateResult, error) {
	f.mu.Lock()
	cpus := f.cpus[id]
	f.busy += cpus
	f.most = max(f.most, f.busy)
	f.runs++
	f.mu.Unlock()
	time.Sleep(100 * time.Millisecond)
	f.mu.Lock()
	f.busy -= cpus
	f.mu.Unlock()
	return client.ExecCreateResult{}, errors.New("busy engine: no command today")
}

func (f *busyAPI) ContainerKill(context.Context, string, client.ContainerKillOptions) (client.ContainerKillResult, error) {
	return client.ContainerKillResult{}, nil
}

func (f *busyAPI) ContainerUnpause(context.Context, string, client.ContainerUnpauseOptions) (client.ContainerUnpauseResult, error) {
	return client.ContainerUnpauseResult{}, nil
}

func (f *busyAPI) ContainerInspect(context.Context, string, client.ContainerInspectOptions) (client.ContainerInspectResult, error) {
	return client.ContainerInspectResult{}, nil
}

func (f *busyAPI) ContainerRemove(context.Context, string, client.ContainerRemoveOptions) (client.ContainerRemoveResult, error) {
	return client.ContainerRemoveResult{}, nil
}

// TestRunsTakeTurnsForTheCores: a batch graded with more jobs than cores
// queues its commands, never more CPU limits at work than Engine.Cores, so
// a correct solution is not starved by CPU-burning ones beside it; the
// queue still lets two 1-CPU runs share two cores.
func TestRunsTakeTurnsForTheCores(t *testing.T) {
	f := &busyAPI{}
	e := newEngine(f)
	defer e.Close()
	e.Cores = 2
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Go(func() {
			cpus := 1.0
			if i%3 == 0 {
				cpus = 2 // go vet and go build side by side
			}
			_, _ = e.Run(t.Context(), Spec{Image: "x", Cmd: []string{"true"}, Limits: Limits{CPUs: cpus}})
		})
	}
	wg.Wait()
	t.Logf("at most %g CPUs of runs at once on 2 cores", f.most)
	if f.runs != 12 {
		t.Fatalf("%d runs reached the engine, want 12", f.runs)
	}
	if f.most > 2 {
		t.Errorf("%g CPUs of runs at once on 2 cores", f.most)
	}
	if f.most < 2 {
		t.Errorf("runs went one at a time on 2 cores: the queue is too strict")
	}
}

// TestWaitingForATurnEndsWithTheContext: a run queued behind others gives up
// when its caller does (Ctrl-C), leaving nothing, and with no cores set
// nothing queues.
func TestWaitingForATurnEndsWithTheContext(t *testing.T) {
	f := &busyAPI{}
	e := newEngine(f)
	defer e.Close()
	e.Cores = 1
	release, err := e.takeTurn(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := e.Run(ctx, Spec{Image: "x", Cmd: []string{"true"}}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Run while every core is taken = %v; want it to wait, then the context's error", err)
	}
	// The wait is for the command: the container was made meanwhile (a
	// batch's next submission is ready when a core frees), and removed.
	if f.made != 1 || f.runs != 0 {
		t.Errorf("%d containers made and %d commands started while waiting; want 1 and 0", f.made, f.runs)
	}
	if len(e.live) != 0 {
		t.Errorf("left tracked after the wait ended: %v", e.live)
	}
	release()

	free := newEngine(&busyAPI{})
	defer free.Close()
	free.Cores = 0
	for range 3 {
		if _, err := free.takeTurn(t.Context(), 2); err != nil { // never released: no queue
			t.Fatal(err)
		}
	}
}

// frozenAPI plays an engine whose commands end at once, and where copying
// the first run's outputs out waits until a second run's command has
// started, or a second has passed.
type frozenAPI struct {
	busyAPI
	execs      atomic.Int32
	second     chan struct{} // closed when the second command starts
	overlapped atomic.Bool   // the first copy-out saw the second command start
	copies     atomic.Int32
}

func (f *frozenAPI) ExecCreate(_ context.Context, id string, _ client.ExecCreateOptions) (client.ExecCreateResult, error) {
	if f.execs.Add(1) == 2 {
		close(f.second)
	}
	return client.ExecCreateResult{ID: "exec-" + id}, nil
}

func (f *frozenAPI) ExecAttach(context.Context, string, client.ExecAttachOptions) (client.ExecAttachResult, error) {
	conn, peer := net.Pipe()
	peer.Close() // the command wrote nothing and exited
	return client.ExecAttachResult{HijackedResponse: client.HijackedResponse{Conn: conn, Reader: bufio.NewReader(conn)}}, nil
}

func (f *frozenAPI) ExecInspect(context.Context, string, client.ExecInspectOptions) (client.ExecInspectResult, error) {
	return client.ExecInspectResult{Running: false, ExitCode: 0}, nil
}

func (f *frozenAPI) ContainerPause(context.Context, string, client.ContainerPauseOptions) (client.ContainerPauseResult, error) {
	return client.ContainerPauseResult{}, nil
}

func (f *frozenAPI) ContainerWait(context.Context, string, client.ContainerWaitOptions) client.ContainerWaitResult {
	done := make(chan container.WaitResponse, 1)
	done <- container.WaitResponse{}
	return client.ContainerWaitResult{Result: done}
}

func (f *frozenAPI) CopyFromContainer(context.Context, string, client.CopyFromContainerOptions) (client.CopyFromContainerResult, error) {
	if f.copies.Add(1) == 1 {
		select {
		case <-f.second:
			f.overlapped.Store(true)
		case <-time.After(time.Second):
		}
	}
	var empty bytes.Buffer
	_ = tar.NewWriter(&empty).Close()
	return client.CopyFromContainerResult{Content: io.NopCloser(&empty)}, nil
}

// TestAFrozenRunGivesBackItsTurn: once a run's processes are frozen they
// use no core, so on one core the next run's command starts while the
// first run's outputs are still being copied out.
func TestAFrozenRunGivesBackItsTurn(t *testing.T) {
	f := &frozenAPI{second: make(chan struct{})}
	e := newEngine(f)
	defer e.Close()
	e.Cores = 1
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if _, err := e.Run(t.Context(), Spec{Image: "x", Cmd: []string{"true"}, Outputs: []string{"out.txt"}, OutputDir: t.TempDir()}); err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	wg.Wait()
	if f.execs.Load() != 2 {
		t.Fatalf("%d commands started, want 2", f.execs.Load())
	}
	if !f.overlapped.Load() {
		t.Errorf("the second command waited for the first run's copy-out: a frozen run kept its turn")
	}
}
