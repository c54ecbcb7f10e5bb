// Package pgtest gives tests a plain PostgreSQL server, started with
// testcontainers-go the way a CI job starts a service container, for the
// code paths that use an existing server (`--postgres-url`,
// [postgres.FromURL]) rather than grader's own warm one.
//
// testcontainers-go is a test-time library by design: its package init
// walks every process on the machine to name a test session, which costs a
// `grader check` 20–40 ms on a busy 2-core machine, so grader's own binary
// starts its service containers through the sandbox's Docker client and
// this package keeps testcontainers-go in test binaries only. Its reaper
// (Ryuk) is off because its image cannot be pulled without a registry: the
// server carries grader's sandbox labels, so a test's leftover check and
// `grader gc` see it, and t.Cleanup removes it.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/moby/moby/api/types/container"
	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"
	tcpostgres "github.com/testcontainers/testcontainers-go/modules/postgres"

	"github.com/backendroadmap/grader/sandbox"
	"github.com/backendroadmap/grader/sandbox/sandboxtest"
)

// Image is the public image asked for; the repository's image map sends it
// to the local build.
const Image = "postgres:15"

// Server starts a fresh PostgreSQL server for the test and returns its
// superuser URL (user postgres). The container is removed when the test
// ends. Without Docker it fails under CI=true and skips elsewhere.
func Server(t testing.TB) string {
	t.Helper()
	url, stop, err := Start(context.Background())
	if stop != nil {
		t.Cleanup(func() {
			if err := stop(); err != nil {
				t.Errorf("pgtest: remove the server: %v", err)
			}
		})
	}
	if errors.Is(err, sandbox.ErrNoDocker) {
		sandboxtest.Unavailable(t, "pgtest: %v", err)
	}
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return url
}

// Start starts a fresh PostgreSQL server and returns its superuser URL and a
// function that removes it; stop is non-nil whenever a container may exist,
// even with an error. No Docker is [sandbox.ErrNoDocker]. For callers
// without a testing.TB, such as a testscript command.
func Start(ctx context.Context) (url string, stop func() error, err error) {
	eng, err := sandbox.Connect(ctx) // a clear error, never testcontainers' panic
	if err != nil {
		return "", nil, err
	}
	owner := eng.Owner()
	_ = eng.Close()
	images, err := sandboxtest.ImageMap()
	if err != nil {
		return "", nil, fmt.Errorf("image map: %w", err)
	}
	configure()

	password := "pgtest-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	ctr, err := tcpostgres.Run(ctx, images.Resolve(Image),
		tcpostgres.WithUsername("postgres"),
		tcpostgres.WithPassword(password),
		tcpostgres.WithDatabase("postgres"),
		testcontainers.WithCmd("postgres", "-c", "fsync=off", "-c", "synchronous_commit=off"),
		testcontainers.WithLabels(map[string]string{
			sandbox.LabelManaged: "1",
			sandbox.LabelOwner:   owner,
			sandbox.LabelCreated: strconv.FormatInt(time.Now().Unix(), 10),
			sandbox.LabelService: "postgres-test",
		}),
		testcontainers.WithTmpfs(map[string]string{"/var/lib/postgresql/data": "rw,size=512m,mode=0700"}),
		testcontainers.WithConfigModifier(func(c *container.Config) { c.User = "0" }),
	)
	// Run can return a container and an error: hand out its removal first.
	if ctr != nil {
		stop = func() error {
			cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			return testcontainers.TerminateContainer(ctr, testcontainers.StopContext(cctx))
		}
	}
	if err != nil {
		return "", stop, fmt.Errorf("start %s: %w", Image, err)
	}
	if url, err = ctr.ConnectionString(ctx, "sslmode=disable"); err != nil {
		return "", stop, err
	}
	// Readiness is a real session: the entrypoint starts PostgreSQL twice,
	// so log lines and an open port both come too early.
	deadline := time.Now().Add(60 * time.Second)
	for {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		conn, err := pgx.Connect(cctx, url)
		if err == nil {
			_, err = conn.Exec(cctx, "SELECT 1")
			_ = conn.Close(cctx)
		}
		cancel()
		if err == nil {
			return url, stop, nil
		}
		if time.Now().After(deadline) {
			return "", stop, fmt.Errorf("PostgreSQL did not accept connections: %w", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// configure sets testcontainers-go up for this machine, once per process.
// Its reaper goes off (its image cannot be pulled); ports are published on
// the engine's host, and testcontainers-go guesses the default gateway when
// it finds itself in a container (/.dockerenv), which is wrong for a local
// engine, so the host is said; its banner stays off the test's output.
var configure = sync.OnceFunc(func() {
	_ = os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	if os.Getenv("TESTCONTAINERS_HOST_OVERRIDE") == "" {
		_ = os.Setenv("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1")
	}
	tclog.SetDefault(tclog.NewNoopLogger())
})
