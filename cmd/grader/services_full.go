//go:build !lean

package main

import (
	"context"
	"path/filepath"
	"sync"

	browsergrader "github.com/backendroadmap/grader/graders/browser"
	"github.com/backendroadmap/grader/graders/httpcheck"
	redisgrader "github.com/backendroadmap/grader/graders/redis"
	sqlgrader "github.com/backendroadmap/grader/graders/sql"
	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox"
	"github.com/backendroadmap/grader/sandbox/attempt"
	"github.com/backendroadmap/grader/sandbox/postgres"
)

var (
	_ sqlgrader.Databases  = (*services)(nil)
	_ redisgrader.Services = (*services)(nil)
)

// linked is what [services] starts in the full build: the Docker engine,
// the attempts' environments and PostgreSQL servers, each made once.
type linked struct {
	imagesOnce sync.Once
	images     sandbox.ImageMap
	imagesErr  error

	engineOnce sync.Once
	engine     *sandbox.Engine
	engineErr  error

	provOnce sync.Once
	prov     *attempt.Provider

	pgMu sync.Mutex
	pg   map[string]*postgres.Server // by image; "" for the URL's server
}

func (s *services) imageMap() (sandbox.ImageMap, error) {
	s.imagesOnce.Do(func() {
		getenv := s.getenv
		if getenv == nil {
			getenv = func(string) string { return "" }
		}
		s.images, s.imagesErr = sandbox.LoadImageMap(getenv)
		if s.imagesErr != nil {
			s.imagesErr = usage(s.imagesErr)
		}
	})
	return s.images, s.imagesErr
}

// ImageMap is the image map, for kinds that judge image names without
// Docker (compose.file).
func (s *services) ImageMap() (sandbox.ImageMap, error) { return s.imageMap() }

// sandbox returns the Docker engine, connecting on first use.
func (s *services) sandbox(ctx context.Context) (*sandbox.Engine, error) {
	s.engineOnce.Do(func() {
		images, err := s.imageMap()
		if err != nil {
			s.engineErr = err
			return
		}
		s.engine, s.engineErr = sandbox.Connect(ctx)
		if s.engine != nil {
			s.engine.Images = images
			// grade and validate run submission after submission: each
			// run's next container is made while it runs.
			s.engine.Spares = s.throwaway
		}
	})
	return s.engine, s.engineErr
}

// DockerEngine is the image kinds' engine (docker.image builds with it).
func (s *services) DockerEngine(ctx context.Context) (*sandbox.Engine, error) { return s.sandbox(ctx) }

// Run runs a command in the sandbox (for the code kinds, and for the
// workflow kinds, whose job runs on the image mapped to
// actions-runner:<runs-on label>).
func (s *services) Run(ctx context.Context, spec sandbox.Spec) (*sandbox.Result, error) {
	e, err := s.sandbox(ctx)
	if err != nil {
		return nil, err
	}
	return e.Run(ctx, spec)
}

// RunWarm runs a learner's code check: for `grader check`, in the
// learner's warm sandbox, kept (reset) for their next check; for grade and
// validate (throwaway), in a fresh container per submission, since untrusted
// batches must not share one.
func (s *services) RunWarm(ctx context.Context, spec sandbox.Spec) (*sandbox.Result, error) {
	e, err := s.sandbox(ctx)
	if err != nil {
		return nil, err
	}
	if s.throwaway {
		return e.Run(ctx, spec)
	}
	w, err := s.warmSandbox()
	if err != nil {
		return nil, err
	}
	return e.RunWarm(ctx, spec, w)
}

// warmSandbox says where the learner's warm sandboxes are tracked: the
// sandbox/ folder of grader's cache.
func (s *services) warmSandbox() (sandbox.Warm, error) {
	if s.cacheDir == nil {
		return sandbox.Warm{}, nil
	}
	dir, err := s.cacheDir()
	if err != nil {
		return sandbox.Warm{}, err
	}
	return sandbox.Warm{StateDir: filepath.Join(dir, "sandbox")}, nil
}

// sqlServer is the server of the SQL kinds' databases: the one at
// --postgres-url or $GRADER_POSTGRES_URL (a CI service), else the
// learner's warm container for image, started on first use and reused by
// the next `grader check` (or, when throwaway, one for this process only).
func (s *services) sqlServer(ctx context.Context, image string) (*postgres.Server, error) {
	url := s.postgresURL
	if url == "" && s.getenv != nil {
		url = s.getenv(postgres.URLEnv)
	}
	return s.pgServer(ctx, image, url)
}

// containerPostgres is a PostgreSQL that runs in a container grader
// started, whatever --postgres-url says: the learner's server reaches its
// database over the attempt's private network, which only such a server
// can join.
func (s *services) containerPostgres(ctx context.Context, image string) (*postgres.Server, error) {
	return s.pgServer(ctx, image, "")
}

// pgServer returns the server at url, or without one the container for
// image, each made once per process.
func (s *services) pgServer(ctx context.Context, image, url string) (*postgres.Server, error) {
	key := image
	if url != "" {
		key = ""
	}
	s.pgMu.Lock()
	defer s.pgMu.Unlock()
	if srv := s.pg[key]; srv != nil {
		return srv, nil
	}
	var srv *postgres.Server
	var err error
	if url != "" {
		srv, err = postgres.FromURL(ctx, url)
	} else {
		var svc *postgres.Service
		if svc, err = s.warmService(image); err != nil {
			return nil, err
		}
		if s.throwaway {
			srv, err = svc.Start(ctx)
		} else {
			srv, err = svc.Acquire(ctx)
		}
	}
	if err != nil {
		return nil, err
	}
	if s.pg == nil {
		s.pg = map[string]*postgres.Server{}
	}
	s.pg[key] = srv
	return srv, nil
}

// attempts makes each attempt's private environment (the learner's
// server, its database and Redis) from this process's engine and servers.
func (s *services) attempts() *attempt.Provider {
	s.provOnce.Do(func() {
		s.prov = &attempt.Provider{Engine: s.sandbox, Postgres: s.containerPostgres, Databases: s.sqlServer}
	})
	return s.prov
}

// Database is the SQL kinds' [sqlgrader.Databases]: the attempt's copy of
// an exercise's data, dropped when the attempt ends.
func (s *services) Database(ctx context.Context, a runner.Attempt, spec attempt.DatabaseSpec) (*postgres.Attempt, error) {
	env, err := s.attempts().Env(a.Memo, a.Dir)
	if err != nil {
		return nil, err
	}
	return env.Database(ctx, spec)
}

// StartService is the Redis kinds' [redisgrader.Services]: a service
// container of the attempt's, removed when the attempt ends.
func (s *services) StartService(ctx context.Context, a runner.Attempt, spec sandbox.ServiceSpec) (*sandbox.Service, error) {
	env, err := s.attempts().Env(a.Memo, a.Dir)
	if err != nil {
		return nil, err
	}
	return env.StartService(ctx, spec)
}

// warmService describes the learner's warm PostgreSQL for image.
func (s *services) warmService(image string) (*postgres.Service, error) {
	images, err := s.imageMap()
	if err != nil {
		return nil, err
	}
	svc := &postgres.Service{Image: image, Images: images, Logf: s.logf, Engine: s.sandbox}
	if s.cacheDir != nil {
		dir, err := s.cacheDir()
		if err != nil {
			return nil, err
		}
		svc.StateDir = filepath.Join(dir, "postgres")
	}
	return svc, nil
}

// close releases what the checks used: attempts' databases are dropped and
// throwaway containers removed; the warm server stays for the next check.
// Whatever way grader ends (a verdict, an error, Ctrl-C), no container it
// started outlives it, and no attempt's database stays on a server.
func (s *services) close() {
	s.pgMu.Lock()
	for _, srv := range s.pg {
		_ = srv.Close()
	}
	s.pg = nil
	s.pgMu.Unlock()
	if s.engine != nil {
		_ = s.engine.Close()
	}
	postgres.CloseAll()
	sandbox.CloseAll()
}

// Server is the HTTP kinds' [httpcheck.Servers]: the attempt's server,
// started by the first check that needs it.
func (s *services) Server(ctx context.Context, a runner.Attempt, req attempt.Request) (httpcheck.Target, error) {
	env, err := s.attempts().Env(a.Memo, a.Dir)
	if err != nil {
		return nil, err
	}
	srv, err := env.Server(ctx, req)
	if srv == nil { // not a typed nil in the interface
		return nil, err
	}
	return srv, err
}

// Browser is the XSS kinds' browser: the attempt's headless Chromium, on
// the network of the attempt's server, started by the first check that
// needs it.
func (s *services) Browser(ctx context.Context, a runner.Attempt) (browsergrader.Browser, error) {
	env, err := s.attempts().Env(a.Memo, a.Dir)
	if err != nil {
		return nil, err
	}
	b, err := env.Browser(ctx)
	if b == nil { // not a typed nil in the interface
		return nil, err
	}
	return b, err
}
