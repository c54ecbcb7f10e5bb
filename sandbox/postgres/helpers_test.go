package postgres

// Helpers for the tests against the real Docker engine. They fail under CI=true
// when Docker or the PostgreSQL image is missing, and skip only on a
// developer's machine without them (the pattern of sandbox/docker_test.go).

import (
	"context"
	"errors"
	"fmt"
	"github.com/moby/moby/api/types/network"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/moby/moby/client"

	"github.com/backendroadmap/grader/sandbox"
	"github.com/backendroadmap/grader/sandbox/sandboxtest"
)

// TestMain removes the shared warm server at the end and fails the run if
// any PostgreSQL container this process created is still there.
func TestMain(m *testing.M) {
	code := m.Run()
	if shared.svc != nil {
		if shared.srv != nil {
			_ = shared.srv.Close()
		}
		if _, err := shared.svc.RemoveWarm(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, "remove the shared warm server:", err)
			code = 1
		}
		_ = os.RemoveAll(shared.svc.StateDir)
	}
	if left := leftovers(); len(left) > 0 {
		fmt.Fprintln(os.Stderr, "PostgreSQL containers left behind:", left)
		code = 1
	}
	os.Exit(code)
}

// owner is this process's LabelOwner value, as the sandbox writes it.
var owner = func() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	return fmt.Sprintf("%d@%s", os.Getpid(), host)
}()

// requireService returns a Service with a state folder of its own, failing
// under CI=true when Docker or the image is unavailable and skipping
// otherwise. Its warm server is removed after the test.
func requireService(t testing.TB) *Service {
	t.Helper()
	svc := &Service{Images: sandboxtest.Images(t), StateDir: t.TempDir(), Logf: t.Logf}
	checkAvailable(t, svc)
	t.Cleanup(func() {
		if _, err := svc.RemoveWarm(context.Background()); err != nil {
			t.Errorf("remove warm server: %v", err)
		}
	})
	return svc
}

func checkAvailable(t testing.TB, svc *Service) {
	t.Helper()
	ctx := context.Background()
	e, own, err := svc.engine(ctx)
	if err != nil {
		sandboxtest.Unavailable(t, "docker: %v", err)
	}
	if own {
		defer e.Close()
	}
	if _, _, err := svc.image(ctx, e); err != nil {
		sandboxtest.Unavailable(t, "postgres image: %v", err)
	}
}

// shared is one warm server for the tests that only need a server.
var shared struct {
	mu  sync.Mutex
	svc *Service
	srv *Server
}

// sharedServer returns the package's shared warm server, started on first use.
func sharedServer(t testing.TB) *Server {
	t.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.srv != nil {
		return shared.srv
	}
	if shared.svc == nil {
		dir, err := os.MkdirTemp("", "grader-postgres-test-")
		if err != nil {
			t.Fatal(err)
		}
		shared.svc = &Service{Images: sandboxtest.Images(t), StateDir: dir}
	}
	checkAvailable(t, shared.svc)
	srv, err := shared.svc.Acquire(context.Background())
	if err != nil {
		t.Fatalf("Acquire: %v", err)
	}
	shared.srv = srv
	return srv
}

// leftovers lists the PostgreSQL containers this process created that are
// still on the engine, warm or not.
func leftovers() []string {
	api, err := client.New(client.FromEnv)
	if err != nil {
		return nil
	}
	defer api.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	f := make(client.Filters).Add("label", sandbox.LabelOwner+"="+owner).Add("label", LabelService+"=postgres")
	res, err := api.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		return nil
	}
	var out []string
	for _, c := range res.Items {
		out = append(out, fmt.Sprintf("%s %v (%s)", shortID(c.ID), c.Names, c.State))
	}
	return out
}

// inspect returns a container's state, or found=false once it is gone.
func inspect(t testing.TB, id string) (found bool, running bool, labels map[string]string, hostIP string) {
	t.Helper()
	api, err := client.New(client.FromEnv)
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close()
	res, err := api.ContainerInspect(context.Background(), id, client.ContainerInspectOptions{})
	if err != nil {
		return false, false, nil, ""
	}
	c := res.Container
	if c.NetworkSettings != nil {
		for _, b := range c.NetworkSettings.Ports[network.MustParsePort("5432/tcp")] {
			hostIP = b.HostIP.String()
		}
	}
	return true, c.State != nil && c.State.Running, c.Config.Labels, hostIP
}

// shopSchema is the sql-joins exercise's database, small as exercises are.
const shopSchema = `
CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, email text UNIQUE);
CREATE TABLE orders (
	id int PRIMARY KEY,
	customer_id int NOT NULL REFERENCES customers(id),
	amount numeric(10,2) NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now());
INSERT INTO customers VALUES (1, 'Ada', 'ada@example.com'), (2, 'Bob', 'bob@example.com'),
	(3, 'Cy', 'cy@example.com'), (4, 'Dee', NULL);
INSERT INTO orders (id, customer_id, amount) VALUES
	(1, 1, 10.50), (2, 1, 4.25), (3, 2, 14.75), (4, 3, 0.99), (5, 3, 13.76);`

// joinsQuery is a correct solution of sql-joins.
const joinsQuery = `SELECT c.name, sum(o.amount) AS total FROM customers c JOIN orders o ON o.customer_id = c.id
	GROUP BY c.id, c.name ORDER BY total DESC, c.name`

func buildShop(ctx context.Context, conn *pgx.Conn) error {
	_, err := conn.Exec(ctx, shopSchema)
	return err
}

// runQuery connects as the attempt and returns the first column of the
// joins query's rows, the way an SQL grader would.
func runQuery(ctx context.Context, a *Attempt) ([]string, error) {
	conn, err := a.Connect(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, joinsQuery)
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var name string
		var total any
		if err := rows.Scan(&name, &total); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, rows.Err()
}

// mustExec runs sql on conn, failing the test on error.
func mustExec(t testing.TB, conn *pgx.Conn, sql string) {
	t.Helper()
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// mustFail runs sql on conn and fails the test unless PostgreSQL refuses it.
func mustFail(t testing.TB, conn *pgx.Conn, sql string) error {
	t.Helper()
	_, err := conn.Exec(context.Background(), sql)
	if err == nil {
		t.Fatalf("%s: succeeded as the attempt's role; want it refused", sql)
	}
	var pgErr interface{ SQLState() string }
	if !errors.As(err, &pgErr) {
		t.Fatalf("%s: %v (not a PostgreSQL error)", sql, err)
	}
	return err
}
