package postgres

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/jackc/pgx/v5"
	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/backendroadmap/grader/sandbox"
)

// Labels this package adds to its containers, besides the sandbox's
// [sandbox.LabelManaged], [sandbox.LabelOwner] and [sandbox.LabelCreated]
// (so `grader gc` sweeps them like any other sandbox container).
const (
	// LabelService is [sandbox.LabelService], which names the service a
	// container runs ("postgres").
	LabelService = sandbox.LabelService
	// LabelWarm marks the learner's warm server ("1"), the one container that
	// is meant to outlive the process that started it.
	LabelWarm = "org.grader.warm"
	// LabelWarmKey says whose warm server it is: a hash of the user, the host
	// and the state folder, so users (and tests) sharing an engine never reuse
	// or replace each other's.
	LabelWarmKey = "org.grader.warm.key"
	// LabelConfig is a hash of the image ID and server settings the container
	// was started with: a warm server whose hash differs (a rebuilt image, a
	// new grader) is replaced rather than reused.
	LabelConfig = "org.grader.postgres.config"
)

// Defaults for a zero [Service].
const (
	// DefaultImage is the public image name asked for; an image map (see
	// [sandbox.ImageMap]) may send it to a local build.
	DefaultImage = "postgres:15"
	// DefaultIdleTimeout is how long a server runs with no grader session
	// open before it stops itself.
	DefaultIdleTimeout = 15 * time.Minute
	// DefaultStartTimeout bounds a cold start, initdb included.
	DefaultStartTimeout = 60 * time.Second
)

// serverArgs are the settings every container runs with: durability is
// pointless for databases thrown away after a check, and costs most of the
// time of CREATE DATABASE (which checkpoints). Data lives on a tmpfs too.
var serverArgs = []string{
	"-c", "fsync=off",
	"-c", "synchronous_commit=off",
	"-c", "full_page_writes=off",
}

const (
	adminUser  = "postgres"
	pgData     = "/var/lib/postgresql/data"
	stateName  = "postgres-warm.json"
	lockName   = "postgres-warm.lock"
	healthWait = 3 * time.Second
)

// Service starts and finds PostgreSQL containers through the sandbox's
// Docker engine ([sandbox.Engine.StartService]).
// Its zero value is ready to use; set the fields before the first call. It
// holds no connection itself, so a fresh Service in a new process finds the
// same warm server.
type Service struct {
	// Image is the public image name to run (default [DefaultImage]).
	Image string
	// Images redirects Image (a local build on an air-gapped machine).
	Images sandbox.ImageMap
	// IdleTimeout stops a container after this long with no grader session
	// open (default [DefaultIdleTimeout]).
	IdleTimeout time.Duration
	// StartTimeout bounds a cold start (default [DefaultStartTimeout]).
	StartTimeout time.Duration
	// StateDir holds the warm server's address and password (mode 0600) and
	// the lock that serializes starting it. Default: the user's cache folder
	// (os.UserCacheDir)/grader.
	StateDir string
	// Logf, if set, receives progress lines, for
	// stderr or a debug log; nil discards them.
	Logf func(format string, args ...any)
}

// dockerAPI is the part of the Docker SDK client this package calls.
type dockerAPI interface {
	ImageInspect(ctx context.Context, ref string, o ...client.ImageInspectOption) (client.ImageInspectResult, error)
	ImagePull(ctx context.Context, ref string, o client.ImagePullOptions) (client.ImagePullResponse, error)
	ContainerList(ctx context.Context, o client.ContainerListOptions) (client.ContainerListResult, error)
	ContainerInspect(ctx context.Context, id string, o client.ContainerInspectOptions) (client.ContainerInspectResult, error)
	ContainerLogs(ctx context.Context, id string, o client.ContainerLogsOptions) (client.ContainerLogsResult, error)
	ContainerRemove(ctx context.Context, id string, o client.ContainerRemoveOptions) (client.ContainerRemoveResult, error)
	Close() error
}

var _ dockerAPI = (*client.Client)(nil)

// engine is one call's view of Docker: the sandbox engine (pinged, so no
// Docker is [sandbox.ErrNoDocker]) and an SDK client of the same module.
type engine struct {
	owner string
	api   dockerAPI
	sb    *sandbox.Engine
}

// open connects to Docker through the sandbox, which pings it: no Docker is
// [sandbox.ErrNoDocker] with advice.
func (s *Service) open(ctx context.Context) (*engine, error) {
	eng, err := sandbox.Connect(ctx)
	if err != nil {
		return nil, err
	}
	eng.Images = s.Images
	api, err := client.New(client.FromEnv)
	if err != nil {
		_ = eng.Close()
		return nil, &sandbox.Error{Kind: sandbox.ErrNoDocker, Msg: "cannot set up a Docker client", Err: err}
	}
	return &engine{owner: eng.Owner(), api: api, sb: eng}, nil
}

// close releases the engine's connections. The containers it started stay:
// this package removes them itself (see [Server.Close]).
func (e *engine) close() {
	_ = e.api.Close()
	_ = e.sb.Close()
}

func (s *Service) logf(format string, args ...any) {
	if s.Logf != nil {
		s.Logf(format, args...)
	}
}

func (s *Service) idle() time.Duration {
	if s.IdleTimeout > 0 {
		return s.IdleTimeout
	}
	return DefaultIdleTimeout
}

// image resolves the image through the image map and makes sure it is
// present, pulling it only when absent. It returns the reference to run and
// the image's ID.
func (s *Service) image(ctx context.Context, e *engine) (ref, id string, err error) {
	name := s.imageName()
	ref = s.Images.Resolve(name)
	ins, err := e.api.ImageInspect(ctx, ref)
	if err == nil {
		return ref, ins.ID, nil
	}
	if !cerrdefs.IsNotFound(err) {
		return "", "", engineErr("inspect image "+ref, err)
	}
	pctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	pullErr := func() error {
		resp, err := e.api.ImagePull(pctx, ref, client.ImagePullOptions{})
		if err != nil {
			return err
		}
		defer resp.Close()
		return resp.Wait(pctx)
	}()
	if pullErr == nil {
		if ins, err = e.api.ImageInspect(ctx, ref); err == nil {
			return ref, ins.ID, nil
		}
		pullErr = err
	}
	if ctx.Err() != nil {
		return "", "", ctx.Err()
	}
	what := fmt.Sprintf("image %q", ref)
	if ref != name {
		what = fmt.Sprintf("image %q (mapped from %q)", ref, name)
	}
	return "", "", &sandbox.Error{
		Kind: sandbox.ErrImageMissing,
		Msg:  what + " is not on this machine and pulling it failed",
		Err:  pullErr,
		Hint: fmt.Sprintf("build the local images with `make images`, then map %q to grader-local/postgres:15 with %s or in $XDG_CONFIG_HOME/grader/images.json, or use an existing server with --postgres-url / %s",
			name, sandbox.ImageMapEnv, URLEnv),
	}
}

// engineErr wraps an engine failure, turning a lost connection into
// [sandbox.ErrNoDocker].
func engineErr(what string, err error) error {
	if client.IsErrConnectionFailed(err) {
		return &sandbox.Error{Kind: sandbox.ErrNoDocker, Msg: what + ": lost the Docker engine", Err: err,
			Hint: "start Docker or set DOCKER_HOST to a running engine"}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// configHash identifies what a container was started with; settingsHash
// is the part that does not need the engine (the image's ID does).
func (s *Service) configHash(imageID string) string { return s.hash(imageID) }

func (s *Service) settingsHash() string { return s.hash("") }

func (s *Service) hash(imageID string) string {
	limit, step := watchdogArgs(s.idle())
	h := sha256.New()
	for _, part := range append([]string{imageID, limit, step, watchdogScript}, serverArgs...) {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func (s *Service) stateDir() (string, error) {
	dir := s.StateDir
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("find a folder for the warm server's state: %w (set XDG_CACHE_HOME or HOME)", err)
		}
		dir = filepath.Join(cache, "grader")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	return dir, nil
}

// warmKey identifies this user's warm server for state folder dir.
func warmKey(dir string) string {
	host, _ := os.Hostname()
	sum := sha256.Sum256([]byte(strconv.Itoa(os.Getuid()) + "@" + host + ":" + dir))
	return hex.EncodeToString(sum[:8])
}

// warmState is what a later process needs to use the warm server. The file is
// the only place its superuser password is kept (the container's environment
// holds only a bootstrap password, changed at start).
type warmState struct {
	ContainerID string    `json:"container_id"`
	Port        int       `json:"port"`
	Password    string    `json:"password"`
	Started     time.Time `json:"started"`
	// Image is the reference the server was started from, and Settings a
	// hash of its settings: the fast path of Acquire reuses the server only
	// when both still match what is asked.
	Image    string `json:"image"`
	Settings string `json:"settings"`
}

func readState(dir string) (*warmState, error) {
	data, err := os.ReadFile(filepath.Join(dir, stateName))
	if err != nil {
		return nil, err
	}
	var st warmState
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// writeState replaces the state file atomically; CreateTemp makes it 0600.
func writeState(dir string, st warmState) error {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+stateName+".*")
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), filepath.Join(dir, stateName)); err != nil {
		_ = os.Remove(f.Name())
		return err
	}
	return nil
}

// adminDSN is the superuser's connection string for a container's port.
func adminDSN(password string, port int) string {
	return fmt.Sprintf("postgres://%s:%s@127.0.0.1:%d/postgres?sslmode=disable", adminUser, password, port)
}

// Acquire returns the learner's warm server, starting it only when there is
// none: the second `grader check` of a database exercise skips the container
// start and initdb. The warm container is found by its labels; the state
// file in StateDir gives its port and password. One that is unhealthy,
// started with another image or settings, or not the one the state file names
// is removed and replaced. Starting is serialized across processes by a lock
// file. The warm server stops itself after IdleTimeout with no session open;
// `grader gc` and [Service.RemoveWarm] remove it too. Close the returned
// Server when the check ends; the container stays.
func (s *Service) Acquire(ctx context.Context) (*Server, error) {
	if srv := s.reuse(ctx); srv != nil {
		return srv, nil
	}
	e, err := s.open(ctx)
	if err != nil {
		return nil, err
	}
	defer e.close()
	ref, imageID, err := s.image(ctx, e)
	if err != nil {
		return nil, err
	}
	dir, err := s.stateDir()
	if err != nil {
		return nil, err
	}
	unlock, err := lockFile(ctx, filepath.Join(dir, lockName))
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", filepath.Join(dir, lockName), err)
	}
	defer unlock()

	key, cfg := warmKey(dir), s.configHash(imageID)
	found, err := e.listWarm(ctx, key)
	if err != nil {
		return nil, err
	}
	st, _ := readState(dir) // absent or unreadable: nothing to reuse
	var srv *Server
	for _, c := range found {
		if srv == nil && st != nil && c.ID == st.ContainerID && c.State == container.StateRunning && c.Labels[LabelConfig] == cfg {
			port := st.Port
			for _, p := range c.Ports {
				if p.PrivatePort == 5432 && p.PublicPort != 0 {
					port = int(p.PublicPort)
				}
			}
			hctx, cancel := context.WithTimeout(ctx, healthWait)
			srv, err = connect(hctx, adminDSN(st.Password, port))
			cancel()
			if err == nil {
				srv.ctr = &containerRef{id: c.ID, warm: true, rm: removeContainer}
				s.logf("postgres: reusing warm server %s on 127.0.0.1:%d", shortID(c.ID), port)
				continue
			}
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			s.logf("postgres: warm server %s is not healthy (%v); replacing it", shortID(c.ID), err)
		}
		if err := e.remove(ctx, c.ID); err != nil {
			return nil, err
		}
	}
	if srv == nil {
		labels := map[string]string{LabelWarm: "1", LabelWarmKey: key, LabelConfig: cfg}
		var password string
		var port int
		srv, password, port, err = s.start(ctx, e, ref, labels, "grader-postgres-warm-"+key)
		if err != nil {
			return nil, err
		}
		err = writeState(dir, warmState{ContainerID: srv.ctr.id, Port: port, Password: password, Started: time.Now(),
			Image: s.Images.Resolve(s.imageName()), Settings: s.settingsHash()})
		if err != nil {
			_ = srv.closeAndRemove()
			return nil, fmt.Errorf("record the warm server in %s: %w", dir, err)
		}
	}
	srv.sweep(ctx)
	register(srv)
	return srv, nil
}

// reuse is Acquire's fast path, which asks nothing of the Docker engine:
// when the state file names a server started from the same image name and
// settings, and a session with its password answers, that is the warm
// server. Anything else (no file, a stopped container, a port now someone
// else's, a rebuilt grader) falls through to the full check. An image
// rebuilt under the same name is noticed on the next cold start, or at once
// after `grader stop`.
func (s *Service) reuse(ctx context.Context) *Server {
	dir, err := s.stateDir()
	if err != nil {
		return nil
	}
	st, err := readState(dir)
	if err != nil || st.Image != s.Images.Resolve(s.imageName()) || st.Settings != s.settingsHash() || st.Port == 0 {
		return nil
	}
	hctx, cancel := context.WithTimeout(ctx, healthWait)
	defer cancel()
	srv, err := connect(hctx, adminDSN(st.Password, st.Port))
	if err != nil {
		return nil
	}
	srv.ctr = &containerRef{id: st.ContainerID, warm: true, rm: removeContainer}
	s.logf("postgres: reusing warm server %s on 127.0.0.1:%d", shortID(st.ContainerID), st.Port)
	srv.sweep(ctx)
	register(srv)
	return srv
}

func (s *Service) imageName() string {
	if s.Image == "" {
		return DefaultImage
	}
	return s.Image
}

// Start starts a fresh throwaway server that Close removes: for a one-off
// check, or to measure a cold start. It stops itself after IdleTimeout with
// no session open, so even a crashed grader's container goes away.
func (s *Service) Start(ctx context.Context) (*Server, error) {
	e, err := s.open(ctx)
	if err != nil {
		return nil, err
	}
	defer e.close()
	ref, _, err := s.image(ctx, e)
	if err != nil {
		return nil, err
	}
	srv, _, _, err := s.start(ctx, e, ref, nil, "")
	if err != nil {
		return nil, err
	}
	register(srv)
	return srv, nil
}

// RemoveWarm removes this user's warm server (for this StateDir) and its state
// file, reporting whether there was one: for `grader postgres stop`-like
// commands and tests. Docker unreachable is [sandbox.ErrNoDocker].
func (s *Service) RemoveWarm(ctx context.Context) (bool, error) {
	e, err := s.open(ctx)
	if err != nil {
		return false, err
	}
	defer e.close()
	dir, err := s.stateDir()
	if err != nil {
		return false, err
	}
	unlock, err := lockFile(ctx, filepath.Join(dir, lockName))
	if err != nil {
		return false, err
	}
	defer unlock()
	found, err := e.listWarm(ctx, warmKey(dir))
	if err != nil {
		return false, err
	}
	var errs []error
	for _, c := range found {
		errs = append(errs, e.remove(ctx, c.ID))
	}
	if err := os.Remove(filepath.Join(dir, stateName)); err != nil && !errors.Is(err, os.ErrNotExist) {
		errs = append(errs, err)
	}
	return len(found) > 0, errors.Join(errs...)
}

// listWarm lists the warm containers for key, running or not.
func (e *engine) listWarm(ctx context.Context, key string) ([]container.Summary, error) {
	f := make(client.Filters).
		Add("label", LabelService+"=postgres").
		Add("label", LabelWarm+"=1").
		Add("label", LabelWarmKey+"="+key)
	res, err := e.api.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		return nil, engineErr("list warm PostgreSQL containers", err)
	}
	return res.Items, nil
}

func (e *engine) remove(ctx context.Context, id string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), dropTimeout)
	defer cancel()
	return removeWith(ctx, e.api, id)
}

// removeContainer removes a container with a client of its own: for Close,
// long after the call that started it.
func removeContainer(ctx context.Context, id string) error {
	api, err := client.New(client.FromEnv)
	if err != nil {
		return err
	}
	defer api.Close()
	return removeWith(ctx, api, id)
}

// removeWith kills and removes a container (its data is a tmpfs: nothing to
// flush). Already gone, or already being removed, counts as removed.
func removeWith(ctx context.Context, api dockerAPI, id string) error {
	_, err := api.ContainerRemove(ctx, id, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
	if err == nil || cerrdefs.IsNotFound(err) || (cerrdefs.IsConflict(err) && strings.Contains(err.Error(), "already in progress")) {
		return nil
	}
	return engineErr("remove PostgreSQL container "+shortID(id), err)
}

// start runs a new container and waits until it answers SELECT 1. extra
// labels mark a warm server; name, if set, names the container. It returns the
// server, its superuser password and its host port.
func (s *Service) start(ctx context.Context, e *engine, ref string, extra map[string]string, name string) (srv *Server, password string, port int, err error) {
	t0 := time.Now()
	boot := randomHex(18)
	labels := map[string]string{}
	for k, v := range extra {
		labels[k] = v
	}
	limit, step := watchdogArgs(s.idle())
	cmd := append([]string{"bash", "-c", watchdogScript, "grader-postgres", limit, step, "postgres"}, serverArgs...)
	svc, err := e.sb.StartService(ctx, sandbox.ServiceSpec{
		Service: "postgres",
		Image:   ref,
		Cmd:     cmd,
		Env:     []string{"POSTGRES_USER=" + adminUser, "POSTGRES_PASSWORD=" + boot, "POSTGRES_DB=postgres"},
		// Root only long enough for the entrypoint to own the tmpfs (whatever
		// the image's postgres uid is); it then drops to postgres for good.
		User: "0",
		Port: 5432,
		// initdb and all data on a tmpfs: nothing to sync, gone with the container.
		Tmpfs:   map[string]string{pgData: "rw,nosuid,nodev,size=1g,mode=0700"},
		ShmSize: 256 << 20,
		Memory:  2 * sandbox.GiB,
		Labels:  labels,
		Name:    name,
		// This package removes its containers itself: a warm one outlives the
		// process, a throwaway one goes at Server.Close (or its idle watchdog).
		Keep: true,
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, "", 0, ctx.Err()
		}
		var se *sandbox.Error
		if errors.As(err, &se) {
			return nil, "", 0, err
		}
		return nil, "", 0, &sandbox.Error{Msg: "cannot start a PostgreSQL container from " + ref, Err: err,
			Hint: "check `docker info` and that the image runs: docker run --rm -e POSTGRES_PASSWORD=x " + ref}
	}
	id, port := svc.ID, svc.HostPort
	fail := func(err error) (*Server, string, int, error) {
		_ = e.remove(ctx, id)
		return nil, "", 0, err
	}
	if err := s.waitReady(ctx, e, id, adminDSN(boot, port)); err != nil {
		return fail(err)
	}
	password = randomHex(24)
	if err := secure(ctx, adminDSN(boot, port), password); err != nil {
		return fail(fmt.Errorf("set up PostgreSQL in container %s: %w", shortID(id), err))
	}
	srv, err = connect(ctx, adminDSN(password, port))
	if err != nil {
		return fail(fmt.Errorf("connect to PostgreSQL in container %s: %w", shortID(id), err))
	}
	srv.ctr = &containerRef{id: id, warm: extra[LabelWarm] == "1", rm: removeContainer}
	s.logf("postgres: started %s (%s) on 127.0.0.1:%d in %v", shortID(id), ref, port, time.Since(t0).Round(time.Millisecond))
	return srv, password, port, nil
}

// waitReady waits for a real session and SELECT 1, with short retries: log
// lines are not enough (the entrypoint starts PostgreSQL twice) and the
// published port accepts connections before the server does.
func (s *Service) waitReady(ctx context.Context, e *engine, id, dsn string) error {
	timeout := s.StartTimeout
	if timeout <= 0 {
		timeout = DefaultStartTimeout
	}
	deadline := time.Now().Add(timeout)
	var last error
	for i := 0; ; i++ {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		conn, err := pgx.Connect(cctx, dsn)
		if err == nil {
			_, err = conn.Exec(cctx, "SELECT 1")
			_ = conn.Close(cctx)
		}
		cancel()
		if err == nil {
			return nil
		}
		last = err
		if ctx.Err() != nil {
			return ctx.Err()
		}
		exited := false
		if i%10 == 9 {
			if ins, ierr := e.api.ContainerInspect(ctx, id, client.ContainerInspectOptions{}); ierr == nil && ins.Container.State != nil && !ins.Container.State.Running {
				exited = true
			}
		}
		if exited || time.Now().After(deadline) {
			what := fmt.Sprintf("PostgreSQL in container %s did not accept connections within %v", shortID(id), timeout)
			if exited {
				what = fmt.Sprintf("PostgreSQL container %s exited while starting", shortID(id))
			}
			return &sandbox.Error{Msg: what, Err: fmt.Errorf("%w; last lines of its log:\n%s", last, e.logTail(id)),
				Hint: "the image must honour POSTGRES_PASSWORD and `postgres -c` arguments like the official postgres image"}
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// logTail returns the last lines a container printed, for an error message.
func (e *engine) logTail(id string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rc, err := e.api.ContainerLogs(ctx, id, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true, Tail: "20"})
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	defer rc.Close()
	var out bytes.Buffer
	if _, err := stdcopy.StdCopy(&out, &out, io.LimitReader(rc, 64<<10)); err != nil && out.Len() == 0 {
		return "(no log: " + err.Error() + ")"
	}
	return strings.TrimSpace(out.String())
}

// secure replaces the bootstrap password (visible in the container's
// environment to anyone who can inspect it) with one kept only in the state
// file, and lets attempt roles connect to their own databases and nothing
// else.
func secure(ctx context.Context, bootDSN, password string) error {
	conn, err := pgx.Connect(ctx, bootDSN)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, `ALTER ROLE `+ident(adminUser)+` PASSWORD `+literal(password)+`;
		REVOKE ALL ON DATABASE postgres FROM PUBLIC;
		REVOKE ALL ON DATABASE template1 FROM PUBLIC`)
	return err
}

// closeAndRemove closes srv and removes its container, warm or not.
func (s *Server) closeAndRemove() error {
	if s.ctr != nil {
		s.ctr.warm = false
	}
	return s.Close()
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
