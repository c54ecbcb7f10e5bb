package attempt

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/backendroadmap/grader/sandbox"
	"github.com/backendroadmap/grader/sandbox/postgres"
	"github.com/backendroadmap/grader/sandbox/postgres/pgtest"
)

// TestDatabaseCopies: checks that ask for one copy of the data share it,
// another name is a copy of its own that the first one's changes never
// reach, and the attempt's end drops them all, on a server given by URL
// (what --postgres-url gives the SQL kinds).
func TestDatabaseCopies(t *testing.T) {
	url := pgtest.Server(t)
	srv, err := postgres.FromURL(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	m := &memo{}
	p := &Provider{Databases: func(context.Context, string) (*postgres.Server, error) { return srv, nil }}
	env, err := p.Env(m, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	spec := DatabaseSpec{Image: "postgres:15", Key: "test/copies", Build: func(ctx context.Context, conn *pgx.Conn) error {
		_, err := conn.Exec(ctx, `CREATE TABLE t (x int); INSERT INTO t VALUES (1)`)
		return err
	}}
	own, err := env.Database(t.Context(), spec)
	if err != nil {
		t.Fatal(err)
	}
	again, err := env.Database(t.Context(), spec)
	if err != nil {
		t.Fatal(err)
	}
	if again != own {
		t.Errorf("a second check got another copy (%s, then %s): the learner's first statements would be lost", own.Database, again.Database)
	}
	spec.Name = "reference"
	ref, err := env.Database(t.Context(), spec)
	if err != nil {
		t.Fatal(err)
	}
	if ref.Database == own.Database {
		t.Fatalf("the reference's copy is the attempt's own (%s)", own.Database)
	}
	exec := func(dsn, sql string) int {
		t.Helper()
		conn, err := pgx.Connect(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		var n int
		if err := conn.QueryRow(t.Context(), sql).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	exec(own.DSN, `WITH d AS (DELETE FROM t RETURNING 1) SELECT count(*) FROM d`)
	if n := exec(ref.DSN, `SELECT count(*) FROM t`); n != 1 {
		t.Errorf("the reference's copy holds %d rows after the attempt's copy lost its row, want 1", n)
	}

	m.close()
	if conn, err := pgx.Connect(t.Context(), own.DSN); err == nil {
		_ = conn.Close(context.Background())
		t.Errorf("the attempt's database %s can still be reached after the attempt ended", own.Database)
	}
	left := exec(url, `SELECT count(*) FROM pg_database WHERE datname IN ('`+own.Database+`', '`+ref.Database+`')`)
	if left != 0 {
		t.Errorf("%d of the attempt's databases left on the server", left)
	}
	if _, err := env.Database(t.Context(), DatabaseSpec{Key: "test/late", Build: spec.Build}); err == nil {
		t.Error("a closed environment cloned a database, which nothing would drop")
	}
}

// TestStartServiceRemovedAtEnd: a service container grader's own client
// uses (a Redis kind's) goes when the attempt ends, and none starts after.
func TestStartServiceRemovedAtEnd(t *testing.T) {
	env := newEnv(t, "")
	svc, err := env.StartService(t.Context(), sandbox.ServiceSpec{
		Service: "redis", Image: "redis:7", Port: 6379, Memory: 64 * sandbox.MiB,
	})
	if err != nil {
		t.Fatal(err)
	}
	if exited, err := svc.Exited(t.Context()); err != nil || exited {
		t.Fatalf("the service is not running: exited %v, %v", exited, err)
	}
	env.Close()
	if _, err := svc.Exited(t.Context()); err == nil {
		t.Errorf("container %.12s is still there after the attempt ended", svc.ID)
	}
	if _, err := env.StartService(t.Context(), sandbox.ServiceSpec{Service: "redis", Image: "redis:7", Port: 6379}); err == nil {
		t.Error("a closed environment started a container, which nothing would remove")
	}
}
