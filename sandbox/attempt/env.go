package attempt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/sync/errgroup"

	"github.com/backendroadmap/grader/sandbox"
	"github.com/backendroadmap/grader/sandbox/postgres"
)

// Memo is where an attempt's [Env] lives, shared by the attempt's checks and
// closed when they are done: *runner.Memo satisfies it. (This package does
// not import runner, which knows nothing of Docker.)
type Memo interface {
	Do(key any, f func() (any, error)) (any, error)
	Cleanup(f func())
}

// Provider makes attempts' environments from what the process has: the
// Docker engine and PostgreSQL servers, both set up on first use.
type Provider struct {
	// Engine returns the Docker engine.
	Engine func(ctx context.Context) (*sandbox.Engine, error)
	// Postgres returns a PostgreSQL server that runs in a container grader
	// started (the learner's warm one, or one for this process), for image:
	// the learner's server reaches its database over the attempt's network,
	// which only such a server can join.
	Postgres func(ctx context.Context, image string) (*postgres.Server, error)
	// Databases returns the server of the databases only grader's own
	// sessions use ([Env.Database]): it may be one given by URL, a CI
	// service. Nil uses Postgres.
	Databases func(ctx context.Context, image string) (*postgres.Server, error)
	// ProbeImage runs grader's probe; it needs python3. Default python:3.11.
	ProbeImage string
}

type envKey struct{}

// Env returns the attempt's environment, made on first use and closed when
// the attempt's checks are done (memo's cleanup). dir is the learner's
// folder, whose files the servers run.
func (p *Provider) Env(memo Memo, dir string) (*Env, error) {
	v, err := memo.Do(envKey{}, func() (any, error) {
		e := &Env{p: p, dir: dir}
		memo.Cleanup(e.Close)
		return e, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*Env), nil
}

// Env is one attempt's private world: a network holding the learner's
// server, its companions, the attempt's own database and Redis, and
// grader's probe. Nothing else is reachable from it (see [sandbox.Network]).
// Checks run one after the other, so it starts each piece when a check
// first needs it and keeps it for the next check.
type Env struct {
	p   *Provider
	dir string

	mu         sync.Mutex
	eng        *sandbox.Engine
	net        *sandbox.Network
	hooks      *sandbox.Probe // the first probe also receives webhooks
	dbURL      string
	pg         *postgres.Server  // the server of the attempt's database
	pgAttempt  *postgres.Attempt // the attempt's database, nil without one
	dbs        map[dbKey]*postgres.Attempt
	redisURL   string
	companions bool
	shared     *Server
	sharedErr  error
	browser    *sandbox.Browser // started by the first check that asks (browser.go)
	browserErr error
	closers    []func(context.Context)
	stoppers   []func(context.Context)
	closed     bool
}

// Server returns the learner's server as req describes it: the attempt's
// server, started by the first check that asks and kept for the next, or
// with req.Fresh restarted for the calling check (a new process on the
// attempt's same database and Redis, which the later checks then share). A
// server that does not come up is a *[StartError] (the learner's to fix);
// any other error is grader's.
func (e *Env) Server(ctx context.Context, req Request) (*Server, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, errors.New("the attempt's environment is closed")
	}
	if !req.Fresh && (e.shared != nil || e.sharedErr != nil) {
		return e.shared, e.sharedErr
	}
	if err := e.setup(ctx, req); err != nil {
		return nil, err
	}
	srv, err := e.startOrRestart(ctx, req)
	var se *StartError
	if err == nil || errors.As(err, &se) {
		e.shared, e.sharedErr = srv, err
	}
	return srv, err
}

// startOrRestart starts the attempt's server, or restarts the running one.
// A restart keeps the probe, and where it can the container: the server's
// processes are killed and its command run again.
func (e *Env) startOrRestart(ctx context.Context, req Request) (*Server, error) {
	if e.shared == nil {
		return e.start(ctx, req, nil)
	}
	probe := e.shared.probe
	if err := e.shared.app.Restart(ctx); err == nil {
		srv := &Server{app: e.shared.app, probe: probe, env: e, port: req.Server.Port}
		return srv, srv.waitReady(ctx, req.Server)
	}
	if err := e.shared.app.Stop(ctx); err != nil {
		return nil, err
	}
	return e.start(ctx, req, probe)
}

// setup makes what every server of the attempt shares: the network, the
// database and Redis it asks for, and the companions.
func (e *Env) setup(ctx context.Context, req Request) error {
	if err := e.engine(ctx); err != nil {
		return err
	}
	if e.net == nil {
		n, err := e.eng.CreateNetwork(ctx)
		if err != nil {
			return err
		}
		e.net = n
		e.onClose(func(ctx context.Context) { _ = n.Remove(ctx) })
	}
	if req.Database != nil && e.dbURL == "" {
		if err := e.database(ctx, req.Database); err != nil {
			return err
		}
	}
	if req.Redis != nil && e.redisURL == "" {
		if err := e.redis(ctx, req.Redis); err != nil {
			return err
		}
	}
	return nil
}

// database clones the exercise's data for the attempt on a PostgreSQL
// server grader runs, and joins that server to the network as db.
func (e *Env) database(ctx context.Context, db *Database) error {
	if e.p.Postgres == nil {
		return errors.New("no PostgreSQL server is configured for the learner's server")
	}
	srv, err := e.p.Postgres(ctx, db.Image)
	if err != nil {
		return err
	}
	cid := srv.ContainerID()
	if cid == "" {
		return errors.New("the learner's server needs a PostgreSQL that grader runs in Docker, on the attempt's private network; a server given by URL (--postgres-url) cannot join it: run without it")
	}
	att, err := e.clone(ctx, srv, DatabaseSpec{Image: db.Image, Key: db.Key, Build: func(ctx context.Context, conn *pgx.Conn) error {
		for _, f := range db.Setup {
			if _, err := conn.PgConn().Exec(ctx, f.Text).ReadAll(); err != nil {
				return fmt.Errorf("exercise setup %s: %w", f.Name, err)
			}
		}
		return nil
	}})
	if err != nil {
		return err
	}
	// Before the learner's server opens its first session: the security
	// checks read what PostgreSQL received (see [Server.Statements]).
	if err := att.LogStatements(ctx); err != nil {
		return err
	}
	e.pg, e.pgAttempt = srv, att
	u, err := url.Parse(att.DSN)
	if err != nil || u.Scheme == "" {
		return fmt.Errorf("the attempt's database has no URL form")
	}
	u.Host = "db:5432"
	u.Scheme = "postgresql"
	u.RawQuery = ""
	if err := e.net.Connect(ctx, cid, "db"); err != nil {
		return err
	}
	e.onClose(func(ctx context.Context) { _ = e.net.Disconnect(ctx, cid) })
	e.dbURL = u.String()
	return nil
}

// engine connects to Docker on the attempt's first need of it.
func (e *Env) engine(ctx context.Context) error {
	if e.eng != nil {
		return nil
	}
	eng, err := e.p.Engine(ctx)
	if err != nil {
		return err
	}
	e.eng = eng
	return nil
}

// DatabaseSpec describes a copy of an exercise's data that grader's own
// session works on (the sql kinds run the learner's statements on it).
type DatabaseSpec struct {
	// Image is the PostgreSQL image; an image map may redirect it.
	Image string
	// Key names the data: the template that Build fills, once per server.
	Key string
	// Build fills the template database, as its owner.
	Build func(ctx context.Context, conn *pgx.Conn) error
	// Name tells copies of one data apart within the attempt: checks that
	// ask for the same Key and Name share one copy. "" is the attempt's
	// own; a reference solution runs on a copy of its own.
	Name string
}

type dbKey struct{ image, key, name string }

// Database returns the attempt's copy of spec's data, with a role of its
// own, cloned on first request and dropped when the attempt ends. It lives
// on [Provider.Databases]' server and needs no network: only grader's own
// sessions reach it. (The learner's programs get theirs with [Env.Server],
// on the attempt's network as db.)
func (e *Env) Database(ctx context.Context, spec DatabaseSpec) (*postgres.Attempt, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, errors.New("the attempt's environment is closed")
	}
	k := dbKey{spec.Image, spec.Key, spec.Name}
	if att := e.dbs[k]; att != nil {
		return att, nil
	}
	servers := e.p.Databases
	if servers == nil {
		servers = e.p.Postgres
	}
	if servers == nil {
		return nil, errors.New("no PostgreSQL server is configured for database checks")
	}
	srv, err := servers(ctx, spec.Image)
	if err != nil {
		return nil, err
	}
	att, err := e.clone(ctx, srv, spec)
	if err != nil {
		return nil, err
	}
	if e.dbs == nil {
		e.dbs = map[dbKey]*postgres.Attempt{}
	}
	e.dbs[k] = att
	return att, nil
}

// clone copies spec's data on srv, building its template on the server's
// first use, and drops the copy when the attempt ends.
func (e *Env) clone(ctx context.Context, srv *postgres.Server, spec DatabaseSpec) (*postgres.Attempt, error) {
	tpl, err := srv.Template(ctx, spec.Key, spec.Build)
	if err != nil {
		return nil, err
	}
	att, err := srv.Clone(ctx, tpl)
	if err != nil {
		return nil, err
	}
	e.onClose(func(context.Context) { _ = att.Drop() })
	return att, nil
}

// StartService starts a service container for grader's own client (a Redis
// it seeds and reads), published on 127.0.0.1 and on no network of the
// attempt's. It is removed when the attempt ends, or before by its Remove.
func (e *Env) StartService(ctx context.Context, spec sandbox.ServiceSpec) (*sandbox.Service, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, errors.New("the attempt's environment is closed")
	}
	if err := e.engine(ctx); err != nil {
		return nil, err
	}
	svc, err := e.eng.StartService(ctx, spec)
	if err != nil {
		return nil, err
	}
	e.onStop(func(ctx context.Context) { _ = svc.Remove(ctx) })
	return svc, nil
}

// redisACL keeps the attempt's Redis from reaching anything: REPLICAOF,
// MIGRATE, CONFIG and the other administrative commands could make it
// connect to other hosts, and it sits on the default bridge too.
var redisACL = []string{"--user", "default", "on", "nopass", "~*", "&*", "+@all", "-@admin", "-migrate", "-module", "-debug"}

// redis starts a Redis of the attempt's own and joins it to the network.
func (e *Env) redis(ctx context.Context, cfg *RedisConfig) error {
	image := cfg.Image
	if image == "" {
		image = "redis:7"
	}
	svc, err := e.eng.StartService(ctx, sandbox.ServiceSpec{
		Service: "redis", Image: image, Port: 6379, Memory: 256 * sandbox.MiB,
		Cmd:   append([]string{"--maxmemory", "192mb"}, redisACL...),
		Tmpfs: map[string]string{"/tmp": "rw,nosuid,nodev,size=16m"},
	})
	if err != nil {
		return err
	}
	e.onStop(func(ctx context.Context) { _ = svc.Remove(ctx) })
	if err := e.net.Connect(ctx, svc.ID, "redis"); err != nil {
		return err
	}
	e.redisURL = "redis://redis:6379/0"
	return nil
}

// env is the variables every program of the learner gets.
func (e *Env) env(port int, extra []string) []string {
	env := []string{
		"PORT=" + strconv.Itoa(port),
		"HOOKS_URL=http://hooks:" + strconv.Itoa(sandbox.HooksPort),
		"HOME=/tmp",
		"PYTHONUNBUFFERED=1",
		"PYTHONDONTWRITEBYTECODE=1",
	}
	if e.dbURL != "" {
		env = append(env, "DATABASE_URL="+e.dbURL)
	}
	if e.redisURL != "" {
		env = append(env, "REDIS_URL="+e.redisURL)
	}
	return append(env, extra...)
}

// start starts a server (and, the first time, its companions) with a probe
// in front of it, and waits until it listens.
func (e *Env) start(ctx context.Context, req Request, probe *sandbox.Probe) (*Server, error) {
	const alias = "app"
	spec := req.Server
	files, err := sandbox.OpenWorkspace(e.dir, nil)
	if err != nil {
		return nil, err
	}
	defer files.Close()
	if why, err := files.TooBig(); err != nil || why != "" {
		if err != nil {
			return nil, err
		}
		return nil, &StartError{Msg: "Your server was not started: " + why + "."}
	}
	appSpec := func(cmd []string, env []string, aliases ...string) sandbox.AppSpec {
		return sandbox.AppSpec{
			Spec: sandbox.Spec{
				Image: spec.Image, Cmd: cmd, Env: env, Files: files, Network: e.net.Name,
				Limits: sandbox.Limits{Memory: spec.Memory, Pids: 256, CPUs: 1},
			},
			Aliases: aliases,
		}
	}
	if !e.companions {
		for _, c := range spec.Companions {
			app, err := e.eng.StartApp(ctx, appSpec(c.Cmd, e.env(c.Port, c.Env), c.Name))
			if err != nil {
				return nil, err
			}
			e.onStop(func(ctx context.Context) { _ = app.Stop(ctx) })
		}
		e.companions = true
	}
	env := slices.Clone(spec.Env)
	for _, c := range spec.Companions {
		env = append(env, URLVar(c.Name)+"=http://"+c.Name+":"+strconv.Itoa(c.Port))
	}
	var app *sandbox.App
	newProbe := probe == nil
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		var err error
		app, err = e.eng.StartApp(gctx, appSpec(spec.Cmd, e.env(spec.Port, env), alias, browserHost))
		return err
	})
	if newProbe {
		g.Go(func() error {
			var err error
			probe, err = e.eng.StartProbe(gctx, sandbox.ProbeSpec{
				Image: e.probeImage(), Network: e.net, Target: alias + ":" + strconv.Itoa(spec.Port), Hooks: true,
				Browser: sandbox.BrowserTarget,
			})
			return err
		})
	}
	err = g.Wait()
	if app != nil {
		e.onStop(func(ctx context.Context) { _ = app.Stop(ctx) })
	}
	if newProbe && probe != nil {
		e.onStop(func(ctx context.Context) { _ = probe.Remove(ctx) })
		e.hooks = probe
	}
	if err != nil {
		return nil, err
	}
	s := &Server{app: app, probe: probe, env: e, port: spec.Port}
	if err := s.waitReady(ctx, spec); err != nil {
		return s, err
	}
	for _, c := range spec.Companions {
		if err := s.waitCompanion(ctx, c, spec.ReadyTimeout); err != nil {
			return s, err
		}
	}
	return s, nil
}

func (e *Env) probeImage() string {
	if e.p.ProbeImage != "" {
		return e.p.ProbeImage
	}
	return "python:3.11"
}

// onClose registers f to run when the attempt ends, after the containers
// are stopped, last first: leaving the network, dropping the database,
// removing the network.
func (e *Env) onClose(f func(context.Context)) { e.closers = append(e.closers, f) }

// onStop registers f to run first when the attempt ends, at the same time
// as the others: stopping a container.
func (e *Env) onStop(f func(context.Context)) { e.stoppers = append(e.stoppers, f) }

// Close stops and removes everything the attempt started and drops its
// database. Containers go at once, in parallel; then what they used, last
// first. It is safe to call twice.
func (e *Env) Close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.closed = true
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for _, f := range e.stoppers {
		wg.Go(func() { f(ctx) })
	}
	wg.Wait()
	for i := len(e.closers) - 1; i >= 0; i-- {
		e.closers[i](ctx)
	}
	e.stoppers, e.closers = nil, nil
}

// Server is the learner's running server, as checks reach it.
type Server struct {
	app   *sandbox.App
	probe *sandbox.Probe
	env   *Env
	port  int
}

// URL is the base URL that reaches the server through grader's probe.
func (s *Server) URL() string { return s.probe.URL }

// Port is the port the server listens on inside its network ($PORT).
func (s *Server) Port() int { return s.port }

// Output returns the last lines the server printed, for a failing check.
func (s *Server) Output() string { return Tail(s.app.Output(), 30, 3000) }

// Exited says how the server died, or "" while it runs.
func (s *Server) Exited(ctx context.Context) string { return s.app.Exited(ctx) }

// Hooks returns the requests the attempt's programs sent to $HOOKS_URL.
func (s *Server) Hooks(ctx context.Context) ([]Hook, error) {
	raw, err := s.env.hooks.Hooks(ctx)
	if err != nil {
		return nil, err
	}
	var hs []Hook
	if err := json.Unmarshal(raw, &hs); err != nil {
		return nil, fmt.Errorf("read the webhooks grader received: %w", err)
	}
	return hs, nil
}

// readyPoll is how often readiness is asked.
const readyPoll = 25 * time.Millisecond

// waitReady waits until the server accepts a connection on its port from
// outside its container, and otherwise says why not. A server that listens,
// but not where it must (127.0.0.1 only, another port), is told so as soon
// as that has lasted a second, not at the end of the ready timeout.
func (s *Server) waitReady(ctx context.Context, spec *ServerSpec) error {
	start := time.Now()
	deadline := start.Add(spec.ReadyTimeout)
	nextLook, wrong := start.Add(time.Second), 0
	return sandbox.Poll(ctx, readyPoll, func() (bool, error) {
		ok, _, err := s.probe.Reachable(ctx)
		if err != nil || ok {
			return ok, err
		}
		if exited := s.app.Exited(ctx); exited != "" {
			return false, &StartError{Msg: fmt.Sprintf("Your server %s before it listened on port %d.", exited, spec.Port), Output: s.Output()}
		}
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		now := time.Now()
		if now.After(deadline) {
			return false, s.notListening(ctx, spec)
		}
		if now.After(nextLook) {
			nextLook = now.Add(time.Second)
			if ls, err := s.app.Listeners(ctx); err == nil && listensWrong(learnerListeners(ls), spec.Port) {
				if wrong++; wrong >= 2 {
					return false, s.notListening(ctx, spec)
				}
			} else {
				wrong = 0
			}
		}
		return false, nil
	})
}

// listensWrong reports a server that listens, but on none of the addresses
// where it can be reached at port.
func listensWrong(ls []sandbox.Listener, port int) bool {
	for _, l := range ls {
		if int(l.Port()) == port && !l.Addr().IsLoopback() {
			return false
		}
	}
	return len(ls) > 0
}

// learnerListeners leaves out Docker's embedded DNS server, which listens
// in every container on a user-defined network.
func learnerListeners(ls []sandbox.Listener) []sandbox.Listener {
	var out []sandbox.Listener
	for _, l := range ls {
		if l.Addr() != dockerDNS {
			out = append(out, l)
		}
	}
	return out
}

// notListening explains a server that runs but cannot be reached: it
// listens on 127.0.0.1 only, on another port, or on nothing.
func (s *Server) notListening(ctx context.Context, spec *ServerSpec) error {
	ls, err := s.app.Listeners(ctx)
	if err != nil {
		return err
	}
	var loopback, others []string
	for _, l := range learnerListeners(ls) {
		switch {
		case int(l.Port()) == spec.Port && l.Addr().IsLoopback():
			loopback = append(loopback, l.String())
		case int(l.Port()) != spec.Port:
			others = append(others, l.String())
		}
	}
	var msg string
	switch {
	case len(loopback) > 0:
		msg = fmt.Sprintf("Your server listens on %s only: that address is reachable from inside its own container and nowhere else, so no client (grader included) can connect. "+
			"Listen on every address, 0.0.0.0, port $PORT: %s", strings.Join(loopback, ", "), bindHint(spec))
	case len(others) > 0:
		msg = fmt.Sprintf("Your server listens on %s, but it must listen on port %d, the port grader gives it in the PORT environment variable: %s",
			strings.Join(others, ", "), spec.Port, bindHint(spec))
	default:
		msg = fmt.Sprintf("Your server did not listen on port %d within %s. Start it yourself (PORT=%d, then `curl -i http://localhost:%d/`) and see what it prints.",
			spec.Port, spec.ReadyTimeout, spec.Port, spec.Port)
	}
	return &StartError{Msg: msg, Output: s.Output()}
}

// dockerDNS is where Docker's embedded DNS listens in every container on a
// user-defined network.
var dockerDNS = netip.MustParseAddr("127.0.0.11")

// bindHint shows how to listen on 0.0.0.0:$PORT in the server's language.
func bindHint(spec *ServerSpec) string {
	img := spec.Image
	switch {
	case strings.HasPrefix(img, "golang"):
		return `in Go, http.ListenAndServe(":"+os.Getenv("PORT"), mux).`
	case strings.HasPrefix(img, "node"):
		return `in Express, app.listen(Number(process.env.PORT), "0.0.0.0").`
	default:
		return `in Flask, app.run(host="0.0.0.0", port=int(os.environ["PORT"])); with uvicorn, uvicorn.run(app, host="0.0.0.0", port=int(os.environ["PORT"])).`
	}
}

// waitCompanion waits until a companion listens too.
func (s *Server) waitCompanion(ctx context.Context, c CompanionSpec, timeout time.Duration) error {
	target := c.Name + ":" + strconv.Itoa(c.Port)
	deadline := time.Now().Add(timeout)
	return sandbox.Poll(ctx, readyPoll, func() (bool, error) {
		ok, _, err := s.probe.ReachableAt(ctx, target)
		if err != nil || ok {
			return ok, err
		}
		if time.Now().After(deadline) {
			return false, &StartError{Msg: fmt.Sprintf("Your %s service (`%s`) did not listen on port %d within %s: it must listen on 0.0.0.0 and the port in $PORT.",
				c.Name, strings.Join(c.Cmd, " "), c.Port, timeout)}
		}
		return false, nil
	})
}

// Tail returns the last lines of out, at most maxLines and maxBytes.
func Tail(out []byte, maxLines, maxBytes int) string {
	s := strings.TrimRight(string(out), "\n")
	if len(s) > maxBytes {
		s = s[len(s)-maxBytes:]
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			s = s[i+1:]
		}
	}
	lines := strings.Split(s, "\n")
	if len(lines) > maxLines {
		lines = lines[len(lines)-maxLines:]
	}
	return strings.Join(lines, "\n")
}
