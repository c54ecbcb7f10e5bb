package httpcheck

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox/attempt"
)

// Target is the learner's running server as the checks reach it.
type Target interface {
	URL() string                                       // base URL, no trailing slash
	Output() string                                    // tail of the server's stdout+stderr
	Exited(ctx context.Context) string                 // "" while it runs; else how it died
	Hooks(ctx context.Context) ([]attempt.Hook, error) // requests it sent to $HOOKS_URL so far
}

// Servers gives the checks the attempt's server.
type Servers interface {
	Server(ctx context.Context, a runner.Attempt, req attempt.Request) (Target, error)
}

// Kinds returns the HTTP kinds of check, keyed by the name an exercise spec
// uses. servers starts (or shares) the learner's server; it is called only
// when a check runs, so loading a catalog needs no Docker and servers may
// be nil for a caller that only compiles.
func Kinds(servers Servers) runner.Kinds {
	k := &kinds{servers: servers}
	return runner.Kinds{
		"http.starts":   runner.DecodesItself[startsParams](k.compileStarts),
		"http.requests": runner.DecodesItself[requestsParams](k.compileRequests),
		"http.openapi":  runner.DecodesItself[openapiParams](k.compileOpenAPI),
	}
}

// kinds is what the kinds of one [Kinds] call share.
type kinds struct {
	servers Servers
}

// server is what a check asks of the attempt: the request for its server,
// and how a learner starts that server by hand (for the curl lines).
type server struct {
	req attempt.Request
	// port is the port the learner's server listens on ($PORT), which a
	// learner's own run uses too: the curl lines name it.
	port int
	// command is how the learner starts the server by hand, like
	// `PORT=8080 python3 app.py`.
	command string
}

// services are an exercise's service blocks as a check decoded them.
type services struct {
	server          attempt.ServerConfig
	db              attempt.DatabaseConfig
	redis           attempt.RedisConfig
	hasDB, hasRedis bool
}

// loadServices decodes the exercise's services: server (required),
// postgres and redis (optional). A nil p.Service (a caller without an
// exercise) is an exercise whose blocks are all empty.
func loadServices(p runner.Params) (*services, error) {
	s := &services{}
	if p.Service == nil {
		s.server.Language = "python" // no exercise: any valid block will do
		return s, nil
	}
	if err := p.Service("server", &s.server); err != nil {
		return nil, err
	}
	return s, nil
}

// loadOptional decodes the postgres and redis blocks, if the exercise
// declares them.
func (s *services) loadOptional(p runner.Params) error {
	if p.Service == nil {
		return nil
	}
	switch err := p.Service("postgres", &s.db); {
	case err == nil:
		s.hasDB = true
	case !errors.Is(err, runner.ErrNoService):
		return err
	}
	switch err := p.Service("redis", &s.redis); {
	case err == nil:
		s.hasRedis = true
	case !errors.Is(err, runner.ErrNoService):
		return err
	}
	return nil
}

// What the quoted command gives a learner's own run for the database and
// Redis: the containers the exercises' instructions start.
const (
	localDatabaseURL = "postgresql://postgres:pw@localhost:5432/postgres"
	localRedisURL    = "redis://localhost:6379/0"
)

// shellWord is s as one word of a POSIX shell command: as it is when it
// needs no quoting.
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.,/:@%+=") == "" {
		return s
	}
	return shellQuote(s)
}

// resolve applies the blocks' defaults and reads the database's setup
// files from the exercise folder.
func (ss *services) resolve(files fs.FS) (*server, error) {
	spec, err := ss.server.Resolve()
	if err != nil {
		return nil, serviceErr("server", err)
	}
	s := &server{req: attempt.Request{Server: spec}, port: spec.Port}
	// The variables the exercise gives its server, so the command the
	// messages quote starts the server the checks talked to.
	vars := []string{fmt.Sprintf("PORT=%d", spec.Port)}
	if ss.hasDB {
		vars = append(vars, "DATABASE_URL="+localDatabaseURL)
	}
	if ss.hasRedis {
		vars = append(vars, "REDIS_URL="+localRedisURL)
	}
	for _, kv := range spec.Env {
		k, v, _ := strings.Cut(kv, "=")
		vars = append(vars, k+"="+shellWord(v))
	}
	s.command = strings.Join(append(vars, spec.Cmd...), " ")
	if ss.hasDB {
		db, err := attempt.LoadDatabase(files, ss.db)
		if err != nil {
			return nil, serviceErr("postgres", err)
		}
		s.req.Database = db
	}
	if ss.hasRedis {
		r := ss.redis
		s.req.Redis = &r
	}
	return s, nil
}

// compileServer decodes the services and the check's parameters into v,
// in the order the schema generator needs: it learns the server block
// from the first Service call, and stops a kind at its first Decode (the
// postgres and redis blocks it learns from the sql and redis kinds, which
// declare them with runner.WithServices). The second, strict decode of
// decodeParams is why the kinds that use it are runner.DecodesItself, not
// runner.ParamsKind, which decodes once, leniently about nested fields.
func compileServer(p runner.Params, v any) (*server, error) {
	ss, err := loadServices(p)
	if err != nil {
		return nil, err
	}
	if err := decodeParams(p, v); err != nil {
		return nil, err
	}
	if err := ss.loadOptional(p); err != nil {
		return nil, err
	}
	return ss.resolve(p.Files)
}

// serviceErr makes a services block's *attempt.ConfigError the loader's
// *runner.ServiceError, so `grader validate` points at the block's field.
func serviceErr(service string, err error) error {
	var ce *attempt.ConfigError
	if errors.As(err, &ce) {
		return &runner.ServiceError{Service: service, Field: ce.Field, Msg: ce.Msg}
	}
	return &runner.ServiceError{Service: service, Msg: err.Error()}
}

// targetKey names, in an attempt's memo, the server one check's Setup got,
// so its Run uses that very server (a fresh one, with `fresh: true`). It is
// not zero-sized: each check's key must be a distinct pointer.
type targetKey struct{ fresh bool }

// checker makes a check whose Setup gets the server before the check's
// deadline starts (a container start and a compile are not the learner's
// time) and whose Run judges it with run.
func (k *kinds) checker(s *server, fresh bool, run func(ctx context.Context, a runner.Attempt, t Target) runner.Outcome) runner.Checker {
	return runner.Using(k.target(s, fresh), run)
}

// target returns what gets a check's server, once per check (a fresh one
// with fresh): a server that does not come up is a [runner.Failure] with
// its message and the tail of what it printed; anything else is grader's.
func (k *kinds) target(s *server, fresh bool) func(ctx context.Context, a runner.Attempt) (Target, error) {
	key := &targetKey{fresh: fresh}
	req := s.req
	req.Fresh = fresh
	return func(ctx context.Context, a runner.Attempt) (Target, error) {
		v, err := a.Memo.Do(key, func() (any, error) {
			if k.servers == nil {
				return nil, errors.New("httpcheck: no server provider (Kinds was given nil)")
			}
			t, err := k.servers.Server(ctx, a, req)
			var se *attempt.StartError
			if errors.As(err, &se) {
				return nil, runner.Failure("%s", withOutput(se.Msg, se.Output))
			}
			return t, err
		})
		if err != nil {
			return nil, err
		}
		t, ok := v.(Target)
		if !ok || t == nil {
			return nil, errors.New("httpcheck: the server provider returned no server and no error")
		}
		return t, nil
	}
}

// withOutput appends the tail of what the server printed to msg.
func withOutput(msg, output string) string {
	msg = strings.TrimRight(msg, "\n")
	output = strings.TrimRight(output, "\n")
	if output == "" {
		return msg + "\nYour server printed nothing."
	}
	return msg + "\nThe last lines your server printed:\n" + indent(output)
}

// indent prefixes every line of s with four spaces.
func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "    " + l
	}
	return strings.Join(lines, "\n")
}

// died says how the server died, with its output, or "" while it runs.
func died(ctx context.Context, t Target) string {
	// Asked even when the check's time is up: it says why.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	how := t.Exited(ctx)
	if how == "" {
		return ""
	}
	return withOutput("Your server "+how+".", t.Output())
}
