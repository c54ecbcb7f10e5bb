package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

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
// It also keeps the statement log of the security track (logArgs).
var serverArgs = append([]string{
	"-c", "fsync=off",
	"-c", "synchronous_commit=off",
	"-c", "full_page_writes=off",
}, logArgs...)

const (
	adminUser  = "postgres"
	pgData     = "/var/lib/postgresql/data"
	stateName  = "postgres-warm.json"
	lockName   = "postgres-warm.lock"
	healthWait = 3 * time.Second
)

// Service starts and finds PostgreSQL containers through the sandbox's
// Docker engine ([sandbox.Engine.StartService], [sandbox.Engine.FindServices]),
// the only part of grader that talks to Docker.
// Its zero value is ready to use; set the fields before the first call. It
// holds no connection itself, so a fresh Service in a new process finds the
// same warm server.
type Service struct {
	// Engine, if set, returns the sandbox engine to use, connecting on first
	// use: the one the process's other checks share, which its caller closes
	// (after the servers). It is called only when Docker is needed, so
	// reusing the warm server still asks nothing of the engine. Nil: each
	// call that needs Docker connects an engine of its own (with Images as
	// its image map) and closes it when done; a throwaway server keeps its
	// engine until [Server.Close].
	Engine func(ctx context.Context) (*sandbox.Engine, error)
	// Image is the public image name to run (default [DefaultImage]).
	Image string
	// Images redirects Image (a local build on an air-gapped machine). With
	// Engine set, give it the engine's own map: the warm server's state file
	// records the reference the engine ran, and the no-Docker reuse compares
	// it with what Images resolves.
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

// engine returns the sandbox engine for one call: the caller's
// ([Service.Engine]), or one of its own (own is true) that the caller must
// close. No Docker is [sandbox.ErrNoDocker] with advice.
func (s *Service) engine(ctx context.Context) (e *sandbox.Engine, own bool, err error) {
	if s.Engine != nil {
		e, err = s.Engine(ctx)
		return e, false, err
	}
	e, err = sandbox.Connect(ctx)
	if err != nil {
		return nil, false, err
	}
	e.Images = s.Images
	return e, true, nil
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

// image makes sure the image is present ([sandbox.Engine.Image]), pulling
// it only when absent. It returns the reference to run and the image's ID.
// A missing image also says how to do without one.
func (s *Service) image(ctx context.Context, e *sandbox.Engine) (ref, id string, err error) {
	name := s.imageName()
	ref, id, err = e.Image(ctx, name)
	var se *sandbox.Error
	if errors.Is(err, sandbox.ErrImageMissing) && errors.As(err, &se) {
		se.Hint = fmt.Sprintf("build the local images with `make images`, then map %q to grader-local/postgres:15 with %s or in $XDG_CONFIG_HOME/grader/images.json, or use an existing server with --postgres-url / %s",
			name, sandbox.ImageMapEnv, URLEnv)
	}
	return ref, id, err
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
	e, own, err := s.engine(ctx)
	if err != nil {
		return nil, err
	}
	if own {
		defer e.Close()
	}
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
	found, err := listWarm(ctx, e, key)
	if err != nil {
		return nil, err
	}
	st, _ := readState(dir) // absent or unreadable: nothing to reuse
	var srv *Server
	for _, c := range found {
		if srv == nil && st != nil && c.ID == st.ContainerID && c.Running && c.Labels[LabelConfig] == cfg {
			port := st.Port
			if p := c.HostPorts[5432]; p != 0 {
				port = p
			}
			hctx, cancel := context.WithTimeout(ctx, healthWait)
			srv, err = connect(hctx, adminDSN(st.Password, port))
			cancel()
			if err == nil {
				srv.ctr = &containerRef{id: c.ID, warm: true, svc: c}
				s.logf("postgres: reusing warm server %s on 127.0.0.1:%d", shortID(c.ID), port)
				continue
			}
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			s.logf("postgres: warm server %s is not healthy (%v); replacing it", shortID(c.ID), err)
		}
		if err := c.Remove(ctx); err != nil {
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
			Image: ref, Settings: s.settingsHash()})
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
	srv.ctr = &containerRef{id: st.ContainerID, warm: true}
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
// check, or to measure a cold start. Closing its engine removes it too, and
// it stops itself after IdleTimeout with no session open, so even a crashed
// grader's container goes away.
func (s *Service) Start(ctx context.Context) (*Server, error) {
	e, own, err := s.engine(ctx)
	if err != nil {
		return nil, err
	}
	srv, err := func() (*Server, error) {
		ref, _, err := s.image(ctx, e)
		if err != nil {
			return nil, err
		}
		srv, _, _, err := s.start(ctx, e, ref, nil, "")
		return srv, err
	}()
	if err != nil {
		if own {
			_ = e.Close()
		}
		return nil, err
	}
	if own {
		srv.ctr.own = e
	}
	register(srv)
	return srv, nil
}

// RemoveWarm removes this user's warm server (for this StateDir) and its state
// file, reporting whether there was one: for `grader postgres stop`-like
// commands and tests. Docker unreachable is [sandbox.ErrNoDocker].
func (s *Service) RemoveWarm(ctx context.Context) (bool, error) {
	e, own, err := s.engine(ctx)
	if err != nil {
		return false, err
	}
	if own {
		defer e.Close()
	}
	dir, err := s.stateDir()
	if err != nil {
		return false, err
	}
	unlock, err := lockFile(ctx, filepath.Join(dir, lockName))
	if err != nil {
		return false, err
	}
	defer unlock()
	found, err := listWarm(ctx, e, warmKey(dir))
	if err != nil {
		return false, err
	}
	var errs []error
	for _, c := range found {
		errs = append(errs, c.Remove(ctx))
	}
	if err := os.Remove(filepath.Join(dir, stateName)); err != nil && !errors.Is(err, os.ErrNotExist) {
		errs = append(errs, err)
	}
	return len(found) > 0, errors.Join(errs...)
}

// listWarm lists the warm containers for key, running or not.
func listWarm(ctx context.Context, e *sandbox.Engine, key string) ([]*sandbox.Service, error) {
	return e.FindServices(ctx, "postgres", map[string]string{LabelWarm: "1", LabelWarmKey: key})
}

// start runs a new container and waits until it answers SELECT 1. extra
// labels mark a warm server, which outlives the engine; name, if set, names
// the container. It returns the server, its superuser password and its host
// port.
func (s *Service) start(ctx context.Context, e *sandbox.Engine, ref string, extra map[string]string, name string) (srv *Server, password string, port int, err error) {
	t0 := time.Now()
	boot := randomHex(18)
	labels := map[string]string{}
	for k, v := range extra {
		labels[k] = v
	}
	limit, step := watchdogArgs(s.idle())
	cmd := append([]string{"bash", "-c", watchdogScript, "grader-postgres", limit, step, "postgres"}, serverArgs...)
	warm := extra[LabelWarm] == "1"
	svc, err := e.StartService(ctx, sandbox.ServiceSpec{
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
		// A warm one outlives the process (its idle watchdog stops it); a
		// throwaway one goes at Server.Close, or with the engine.
		Keep: warm,
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
		_ = svc.Remove(ctx)
		return nil, "", 0, err
	}
	if err := s.waitReady(ctx, svc, adminDSN(boot, port)); err != nil {
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
	srv.ctr = &containerRef{id: id, warm: warm, svc: svc}
	s.logf("postgres: started %s (%s) on 127.0.0.1:%d in %v", shortID(id), ref, port, time.Since(t0).Round(time.Millisecond))
	return srv, password, port, nil
}

// waitReady waits for a real session and SELECT 1, with short retries: log
// lines are not enough (the entrypoint starts PostgreSQL twice) and the
// published port accepts connections before the server does.
func (s *Service) waitReady(ctx context.Context, svc *sandbox.Service, dsn string) error {
	timeout := s.StartTimeout
	if timeout <= 0 {
		timeout = DefaultStartTimeout
	}
	err := svc.Await(ctx, "PostgreSQL in container "+shortID(svc.ID), 50*time.Millisecond, timeout, func() error {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		conn, err := pgx.Connect(cctx, dsn)
		if err != nil {
			return err
		}
		defer conn.Close(cctx)
		_, err = conn.Exec(cctx, "SELECT 1")
		return err
	})
	var se *sandbox.StartError
	if errors.As(err, &se) {
		return &sandbox.Error{Msg: "PostgreSQL did not start", Err: err,
			Hint: "the image must honour POSTGRES_PASSWORD and `postgres -c` arguments like the official postgres image"}
	}
	return err
}

// secure replaces the bootstrap password (visible in the container's
// environment to anyone who can inspect it) with one kept only in the state
// file, and lets attempt roles connect to their own databases and nothing
// else.
func secure(ctx context.Context, bootDSN, password string) error {
	verifier, err := scramVerifier(password)
	if err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, bootDSN)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, `ALTER ROLE `+ident(adminUser)+` PASSWORD `+literal(verifier)+`;
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
