package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/backendroadmap/grader/sandbox"
)

// URLEnv names the environment variable that points grader at an existing
// PostgreSQL server (as `--postgres-url` does), for example a CI service
// container, instead of a container of its own. See [FromURL].
const URLEnv = "GRADER_POSTGRES_URL"

// dropTimeout bounds a cleanup statement, run with a context that ignores the
// caller's cancellation, so Ctrl-C still drops what an attempt created.
const dropTimeout = 15 * time.Second

// staleAfter is how old an attempt's database must be before a sweep treats it
// as abandoned by a crashed process. Far above any check's run time.
const staleAfter = time.Hour

// Server is a PostgreSQL server on which this process builds templates and
// clones attempts: a container it started or reused ([Service.Acquire],
// [Service.Start]) or an existing server ([FromURL]). It is safe for concurrent
// use. Close it when grading ends.
type Server struct {
	pool  *pgxpool.Pool   // superuser sessions on the maintenance database
	admin *pgx.ConnConfig // the same, to copy for a session on another database
	dsn   string          // the superuser's connection string, to derive attempt DSNs from
	major int             // server major version

	ctr *containerRef // nil for FromURL

	ownerOnce sync.Mutex
	ownerOK   bool

	mu       sync.Mutex
	attempts map[*Attempt]struct{}
	closed   bool
}

// containerRef is the container behind a Server.
type containerRef struct {
	id   string
	warm bool
	svc  *sandbox.Service // removes it; nil for a warm server reused without Docker
	own  *sandbox.Engine  // an engine opened for this server alone, closed with it
}

// servers lets [CloseAll] reach every open Server from a signal path.
var (
	serversMu sync.Mutex
	servers   = map[*Server]struct{}{}
)

// FromURL uses an existing server (`--postgres-url`, [URLEnv]) instead of a
// container: a CI service container, or a developer's own PostgreSQL. The URL's
// role must be a superuser (it creates a role and a database per attempt and
// makes the roles members of grader_owner); everything it creates is named grader_..., so it never
// touches other databases there. It also drops attempts that crashed graders
// left behind more than an hour ago. PostgreSQL 13 or later.
func FromURL(ctx context.Context, url string) (*Server, error) {
	s, err := connect(ctx, url)
	if err != nil {
		return nil, &sandbox.Error{Msg: "cannot use the PostgreSQL server at " + redact(url), Err: err,
			Hint: "check --postgres-url / " + URLEnv + ": it must name a running PostgreSQL 13+ server and a superuser role"}
	}
	var super bool
	if err := s.pool.QueryRow(ctx, `SELECT rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&super); err != nil {
		s.pool.Close()
		return nil, fmt.Errorf("check the role of %s: %w", redact(url), err)
	}
	if !super {
		s.pool.Close()
		return nil, &sandbox.Error{Msg: "the role in the PostgreSQL URL " + redact(url) + " is not a superuser",
			Hint: "use a superuser role (the POSTGRES_USER of a postgres service container is one): grader creates a role and a database per attempt"}
	}
	s.sweep(ctx)
	register(s)
	return s, nil
}

// connect opens a pool of superuser sessions on dsn and checks that it works.
func connect(ctx context.Context, dsn string) (*Server, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	cfg.MaxConns = 4
	cfg.MinConns = 0
	// The admin sessions run each statement once or twice in a process:
	// one round trip each (no prepare, then execute), over a published
	// port whose round trips a warm check counts.
	cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeExec
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	// The server says its version when a session starts: a first session
	// proves the server works, and no query is needed.
	conn, err := pool.Acquire(ctx)
	if err != nil {
		pool.Close()
		return nil, err
	}
	major, err := majorVersion(conn.Conn().PgConn().ParameterStatus("server_version"))
	conn.Release()
	if err != nil {
		pool.Close()
		return nil, err
	}
	if major < 13 {
		pool.Close()
		return nil, fmt.Errorf("PostgreSQL %d is too old: grader needs 13 or later", major)
	}
	return &Server{pool: pool, admin: cfg.ConnConfig, dsn: dsn, major: major, attempts: map[*Attempt]struct{}{}}, nil
}

// majorVersion reads the major version from the server_version a server
// reports ("15.8 (Debian 15.8-1.pgdg120+1)", "9.6.24").
func majorVersion(v string) (int, error) {
	digits := v
	if i := strings.IndexFunc(v, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		digits = v[:i]
	}
	major, err := strconv.Atoi(digits)
	if err != nil {
		return 0, fmt.Errorf("cannot read the server's version %q", v)
	}
	return major, nil
}

func register(s *Server) {
	serversMu.Lock()
	servers[s] = struct{}{}
	serversMu.Unlock()
}

// AdminURL returns the superuser connection string of the server: for tests
// and diagnostics only. It holds a password; never hand it to a learner's code.
func (s *Server) AdminURL() string { return s.dsn }

// ContainerID returns the ID of the container behind the server, or "" for a
// server from [FromURL].
func (s *Server) ContainerID() string {
	if s.ctr == nil {
		return ""
	}
	return s.ctr.id
}

// Warm reports whether the server is the learner's warm container, which
// outlives this process (see [Service.Acquire]).
func (s *Server) Warm() bool { return s.ctr != nil && s.ctr.warm }

// Template is a template database: an exercise's schema and seed, built once
// per server by [Server.Template] and copied for every attempt by
// [Server.Clone].
type Template struct {
	// Name is the template database, grader_tpl_<hash of the key>.
	Name string
}

// Template returns the template database for key, building it with build the
// first time any process asks for that key on this server. Concurrent callers,
// in this process or another, wait for one build (an advisory lock) instead of
// building twice. key must change whenever what build does changes (include a
// hash of the schema and seed files), because an existing template is reused
// as is.
//
// build runs in a session on the new database as the role grader_owner (SET
// ROLE), which then owns what it creates; every attempt's role is a member of
// grader_owner, so the learner's SQL can alter and drop those tables in its
// own copy (and nowhere else: it can connect to no other copy). A build that
// needs a superuser (an untrusted extension) may RESET ROLE; objects it then
// creates stay the superuser's. An error from build, or a build cut short,
// leaves no template behind.
func (s *Server) Template(ctx context.Context, key string, build func(ctx context.Context, conn *pgx.Conn) error) (Template, error) {
	t := Template{Name: templateName(key)}
	if err := s.usable(); err != nil {
		return t, err
	}
	// A first look without the lock: the common case, a template already
	// built, needs no lock at all. Whether it exists is read again under it.
	_, ready, err := s.templateState(ctx, s.pool, t.Name)
	if err != nil {
		return t, fmt.Errorf("template %s: %w", t.Name, err)
	}
	if ready {
		return t, nil
	}
	if err := s.ensureOwnerRole(ctx); err != nil {
		return t, err
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return t, fmt.Errorf("template %s: %w", t.Name, err)
	}
	lock := templateLockKey(t.Name)
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, lock); err != nil {
		conn.Release()
		return t, fmt.Errorf("template %s: wait for the build lock: %w", t.Name, err)
	}
	defer func() {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), dropTimeout)
		defer cancel()
		if _, err := conn.Exec(uctx, `SELECT pg_advisory_unlock($1)`, lock); err != nil {
			// Ending the session releases the lock for sure.
			_ = conn.Conn().Close(uctx)
		}
		conn.Release()
	}()

	exists, ready, err := s.templateState(ctx, conn, t.Name)
	if err != nil {
		return t, fmt.Errorf("template %s: %w", t.Name, err)
	}
	if ready {
		return t, nil // another process built it while we waited
	}
	if exists { // a build that crashed half way
		if _, err := conn.Exec(ctx, `DROP DATABASE `+ident(t.Name)+` WITH (FORCE)`); err != nil {
			return t, fmt.Errorf("template %s: drop an unfinished build: %w", t.Name, err)
		}
	}
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+ident(t.Name)+` TEMPLATE template0`); err != nil {
		return t, fmt.Errorf("template %s: %w", t.Name, err)
	}
	if err := s.buildTemplate(ctx, t.Name, build); err != nil {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), dropTimeout)
		defer cancel()
		_, _ = conn.Exec(dctx, `DROP DATABASE IF EXISTS `+ident(t.Name)+` WITH (FORCE)`)
		return t, err
	}
	// No one can connect to a template (so it cannot change); only a
	// superuser can copy it.
	if _, err := conn.Exec(ctx, `REVOKE ALL ON DATABASE `+ident(t.Name)+` FROM PUBLIC`); err != nil {
		return t, fmt.Errorf("template %s: %w", t.Name, err)
	}
	if _, err := conn.Exec(ctx, `ALTER DATABASE `+ident(t.Name)+` WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`); err != nil {
		return t, fmt.Errorf("template %s: %w", t.Name, err)
	}
	return t, nil
}

// querier is what templateState needs of a pool or a pooled session.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// templateState reports whether database name exists and whether it is a
// finished template (marked as one only once its build succeeded).
func (s *Server) templateState(ctx context.Context, q querier, name string) (exists, ready bool, err error) {
	err = q.QueryRow(ctx, `SELECT datistemplate FROM pg_database WHERE datname = $1`, name).Scan(&ready)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, false, nil
	}
	if err != nil {
		return false, false, err
	}
	return true, ready, nil
}

// buildTemplate runs build in a session on the new template database.
func (s *Server) buildTemplate(ctx context.Context, name string, build func(context.Context, *pgx.Conn) error) error {
	cfg := s.admin.Copy()
	cfg.Database = name
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("template %s: connect: %w", name, err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), dropTimeout)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	setup := `GRANT ALL ON SCHEMA public TO ` + ident(ownerRole) + `;
		GRANT CREATE ON DATABASE ` + ident(name) + ` TO ` + ident(ownerRole) + `;
		SET ROLE ` + ident(ownerRole)
	if _, err := conn.Exec(ctx, setup); err != nil {
		return fmt.Errorf("template %s: %w", name, err)
	}
	if err := build(ctx, conn); err != nil {
		return fmt.Errorf("build template %s: %w", name, err)
	}
	return nil
}

// ensureOwnerRole creates the role that owns templates' objects, once per
// server; a concurrent creator elsewhere is fine.
func (s *Server) ensureOwnerRole(ctx context.Context) error {
	s.ownerOnce.Lock()
	defer s.ownerOnce.Unlock()
	if s.ownerOK {
		return nil
	}
	_, err := s.pool.Exec(ctx, `DO $$ BEGIN
		CREATE ROLE `+ident(ownerRole)+` NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
	EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
	END $$`)
	if err != nil {
		return fmt.Errorf("create role %s: %w", ownerRole, err)
	}
	s.ownerOK = true
	return nil
}

// Attempt is one learner attempt's own database: a fresh copy of a template,
// owned by a login role of its own that is not a superuser, cannot create
// databases or roles, and can connect to no other attempt's database nor to a
// template (on a container server, to no other database at all; on a shared
// server from [FromURL], databases open to PUBLIC stay open to it). The role is a member of grader_owner, which owns the template's
// tables, so it can alter and drop them; whatever the learner's SQL does
// (DROP TABLE, TRUNCATE) harms only this copy. Drop it when the check ends.
type Attempt struct {
	// Database is the attempt's database, grader_att_<time>_<random>.
	Database string
	// Role is the attempt's login role, named like its database.
	Role string
	// DSN connects to Database as Role (a postgres:// URL, or keyword=value
	// pairs if the server's own URL was given that way).
	DSN string

	srv  *Server
	once sync.Once
	err  error
}

// Clone creates an attempt: a copy of template t (CREATE DATABASE ... TEMPLATE,
// STRATEGY FILE_COPY on PostgreSQL 15+, tens of milliseconds for a small
// schema) and a role that owns it. Anything it created is removed again if a
// step fails.
func (s *Server) Clone(ctx context.Context, t Template) (a *Attempt, err error) {
	if err := s.usable(); err != nil {
		return nil, err
	}
	if !strings.HasPrefix(t.Name, templatePrefix) {
		return nil, fmt.Errorf("clone: %q is not a template made by Server.Template", t.Name)
	}
	name := attemptName(time.Now())
	password := randomHex(18)
	a = &Attempt{Database: name, Role: name, srv: s}
	a.DSN, err = s.attemptDSN(name, password)
	if err != nil {
		return nil, err
	}
	verifier, err := scramVerifier(password)
	if err != nil {
		return nil, err
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("clone %s: %w", t.Name, err)
	}
	defer conn.Release()
	defer func() {
		if err != nil {
			_ = a.drop(ctx)
		}
	}()
	// The owner role exists wherever a template was built; it is created
	// (once per server, a DO block of its own) only when it turns out to be
	// missing, so a warm check does not pay for it.
	createRole := `CREATE ROLE ` + ident(name) + ` LOGIN PASSWORD ` + literal(verifier) +
		` NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 32 IN ROLE ` + ident(ownerRole)
	_, err = conn.Exec(ctx, createRole)
	if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) && pgErr.Code == "42704" { // undefined_object: no grader_owner
		if err = s.ensureOwnerRole(ctx); err == nil {
			_, err = conn.Exec(ctx, createRole)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("clone %s: create role: %w", t.Name, err)
	}
	create := `CREATE DATABASE ` + ident(name) + ` OWNER ` + ident(name) + ` TEMPLATE ` + ident(t.Name)
	if s.major >= 15 {
		create += ` STRATEGY FILE_COPY`
	}
	if _, err := conn.Exec(ctx, create); err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "3D000" { // invalid_catalog_name
			return nil, fmt.Errorf("clone: template %s does not exist on this server (build it with Server.Template first): %w", t.Name, err)
		}
		return nil, fmt.Errorf("clone %s: %w", t.Name, err)
	}
	// Only the attempt's own role (and a superuser) may connect to it.
	if _, err := conn.Exec(ctx, `REVOKE ALL ON DATABASE `+ident(name)+` FROM PUBLIC`); err != nil {
		return nil, fmt.Errorf("clone %s: %w", t.Name, err)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, errClosed
	}
	s.attempts[a] = struct{}{}
	s.mu.Unlock()
	return a, nil
}

// attemptDSN builds the attempt's connection string from the server's.
func (s *Server) attemptDSN(name, password string) (string, error) {
	return withCredentials(s.dsn, name, password, name)
}

// Connect opens a session on the attempt's database as its own role.
func (a *Attempt) Connect(ctx context.Context) (*pgx.Conn, error) {
	return pgx.Connect(ctx, a.DSN)
}

// Drop removes the attempt's database (ending its sessions) and role. It runs
// with a fresh context so it still works after the caller's was cancelled;
// calling it again returns the first result.
func (a *Attempt) Drop() error {
	a.once.Do(func() {
		a.err = a.drop(context.Background())
		a.srv.mu.Lock()
		delete(a.srv.attempts, a)
		a.srv.mu.Unlock()
	})
	return a.err
}

func (a *Attempt) drop(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), dropTimeout)
	defer cancel()
	return a.srv.dropAttempt(ctx, a.Database)
}

// dropAttempt drops an attempt's database and role, either of which may
// already be gone.
func (s *Server) dropAttempt(ctx context.Context, name string) error {
	if _, err := s.pool.Exec(ctx, `DROP DATABASE IF EXISTS `+ident(name)+` WITH (FORCE)`); err != nil {
		return fmt.Errorf("drop attempt database %s: %w", name, err)
	}
	if _, err := s.pool.Exec(ctx, `DROP ROLE IF EXISTS `+ident(name)); err != nil {
		return fmt.Errorf("drop attempt role %s: %w", name, err)
	}
	return nil
}

// sweep drops attempts older than staleAfter: what a grader that crashed
// between Clone and Drop left. Best effort; a failure only leaves them.
func (s *Server) sweep(ctx context.Context) {
	rows, err := s.pool.Query(ctx, `SELECT datname FROM pg_database WHERE starts_with(datname, $1)
		UNION SELECT rolname FROM pg_roles WHERE starts_with(rolname, $1)`, attemptPrefix)
	if err != nil {
		return
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return
	}
	for _, n := range names {
		if created, ok := attemptCreated(n); ok && time.Since(created) > staleAfter {
			_ = s.dropAttempt(ctx, n)
		}
	}
}

// errClosed is returned by a Server used after Close.
var errClosed = errors.New("postgres: server is closed")

func (s *Server) usable() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed
	}
	return nil
}

// Close drops the attempts this Server cloned and did not drop yet, closes its
// sessions, and removes its container unless it is the warm one (which stays
// for the next `grader check` and stops itself when idle). It is safe to call
// twice; it uses fresh contexts, so it works on a signal path.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	var live []*Attempt
	for a := range s.attempts {
		live = append(live, a)
	}
	s.mu.Unlock()
	var errs []error
	for _, a := range live {
		errs = append(errs, a.Drop())
	}
	s.pool.Close()
	if s.ctr != nil && !s.ctr.warm && s.ctr.svc != nil {
		errs = append(errs, s.ctr.svc.Remove(context.Background()))
	}
	if s.ctr != nil && s.ctr.own != nil {
		errs = append(errs, s.ctr.own.Close())
	}
	serversMu.Lock()
	delete(servers, s)
	serversMu.Unlock()
	return errors.Join(errs...)
}

// CloseAll closes every Server this process opened: for a signal handler that
// holds none of them (call it before [sandbox.CloseAll]). Errors are joined.
func CloseAll() error {
	serversMu.Lock()
	var ss []*Server
	for s := range servers {
		ss = append(ss, s)
	}
	serversMu.Unlock()
	var errs []error
	for _, s := range ss {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}
