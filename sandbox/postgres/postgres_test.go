package postgres

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/backendroadmap/grader/fault"
	"github.com/backendroadmap/grader/sandbox"
	"github.com/backendroadmap/grader/sandbox/postgres/pgtest"
)

// TestColdStartThenWarmReuse is two `grader check` runs: the first starts the
// warm server, the second (a fresh Service, as a new process would have)
// finds it by its labels and reuses it; an unhealthy one is replaced.
func TestColdStartThenWarmReuse(t *testing.T) {
	svc := requireService(t)
	ctx := t.Context()

	start := time.Now()
	first, err := svc.Acquire(ctx)
	if err != nil {
		t.Fatalf("Acquire (cold): %v", err)
	}
	cold := time.Since(start)
	if !first.Warm() || first.ContainerID() == "" {
		t.Fatalf("Acquire returned warm=%v container %q; want the warm container", first.Warm(), first.ContainerID())
	}
	id := first.ContainerID()
	tpl, err := first.Template(ctx, "shop/v1", buildShop)
	if err != nil {
		t.Fatal(err)
	}
	checkAttempt(t, first, tpl)
	if err := first.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	found, running, labels, hostIP := inspect(t, id)
	if !found || !running {
		t.Fatalf("warm container %s after Close: found %v running %v; want it kept running", shortID(id), found, running)
	}
	for k, want := range map[string]string{sandbox.LabelManaged: "1", sandbox.LabelOwner: owner, LabelService: "postgres", LabelWarm: "1"} {
		if labels[k] != want {
			t.Errorf("label %s = %q, want %q", k, labels[k], want)
		}
	}
	if labels[sandbox.LabelCreated] == "" || labels[LabelWarmKey] == "" || labels[LabelConfig] == "" {
		t.Errorf("labels %v lack created/warm key/config", labels)
	}
	if hostIP != "127.0.0.1" {
		t.Errorf("port published on %q, want 127.0.0.1 only", hostIP)
	}
	st, err := os.Stat(filepath.Join(svc.StateDir, stateName))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, want 0600 (it holds the superuser password)", st.Mode().Perm())
	}

	// A second process: a fresh Service with the same state folder.
	again := &Service{Images: svc.Images, StateDir: svc.StateDir, Logf: t.Logf}
	start = time.Now()
	second, err := again.Acquire(ctx)
	if err != nil {
		t.Fatalf("Acquire (warm): %v", err)
	}
	warm := time.Since(start)
	t.Logf("Acquire: cold %v, warm %v", cold.Round(time.Millisecond), warm.Round(time.Millisecond))
	if second.ContainerID() != id {
		t.Fatalf("warm Acquire used container %s, want the warm one %s", shortID(second.ContainerID()), shortID(id))
	}
	built := false
	tpl2, err := second.Template(ctx, "shop/v1", func(ctx context.Context, conn *pgx.Conn) error { built = true; return buildShop(ctx, conn) })
	if err != nil || tpl2 != tpl || built {
		t.Fatalf("Template on the warm server: %v, %v, built again %v; want the existing %v", tpl2, err, built, tpl)
	}
	checkAttempt(t, second, tpl2)
	if err := second.Close(); err != nil {
		t.Fatal(err)
	}

	// A warm server it cannot log in to is replaced, not reused.
	state, err := readState(svc.StateDir)
	if err != nil {
		t.Fatal(err)
	}
	state.Password = "wrong"
	if err := writeState(svc.StateDir, *state); err != nil {
		t.Fatal(err)
	}
	third, err := (&Service{Images: svc.Images, StateDir: svc.StateDir, Logf: t.Logf}).Acquire(ctx)
	if err != nil {
		t.Fatalf("Acquire (unhealthy): %v", err)
	}
	defer third.Close()
	if third.ContainerID() == id {
		t.Fatalf("Acquire reused the warm server it could not log in to")
	}
	if found, _, _, _ := inspect(t, id); found {
		t.Errorf("the replaced warm container %s is still there", shortID(id))
	}
	if _, err := third.Template(ctx, "shop/v1", buildShop); err != nil {
		t.Fatal(err)
	}
	third.Close()

	removed, err := svc.RemoveWarm(ctx)
	if err != nil || !removed {
		t.Fatalf("RemoveWarm = %v, %v; want true, nil", removed, err)
	}
	if found, _, _, _ := inspect(t, third.ContainerID()); found {
		t.Errorf("RemoveWarm left %s", shortID(third.ContainerID()))
	}
	if _, err := os.Stat(filepath.Join(svc.StateDir, stateName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("RemoveWarm left the state file: %v", err)
	}
}

// checkAttempt clones t, runs the joins query as the attempt and drops it.
func checkAttempt(t *testing.T, srv *Server, tpl Template) {
	t.Helper()
	a, err := srv.Clone(t.Context(), tpl)
	if err != nil {
		t.Fatalf("Clone: %v", err)
	}
	names, err := runQuery(t.Context(), a)
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	if want := []string{"Ada", "Bob", "Cy"}; !slices.Equal(names, want) {
		t.Errorf("query returned %v, want %v", names, want)
	}
	if err := a.Drop(); err != nil {
		t.Fatalf("Drop: %v", err)
	}
}

// TestStartIsRemovedOnClose: a throwaway server leaves nothing, and a warm
// one carries the labels `grader gc` sweeps.
func TestStartIsRemovedOnClose(t *testing.T) {
	svc := requireService(t)
	srv, err := svc.Start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	id := srv.ContainerID()
	if srv.Warm() {
		t.Fatal("Start returned a warm server")
	}
	if found, running, labels, _ := inspect(t, id); !found || !running || labels[LabelWarm] != "" {
		t.Fatalf("started container: found %v running %v labels %v", found, running, labels)
	}
	if _, err := srv.Template(t.Context(), "shop/v1", buildShop); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if found, _, _, _ := inspect(t, id); found {
		t.Fatalf("container %s still there after Close", shortID(id))
	}
	if _, err := srv.Clone(t.Context(), Template{Name: templateName("shop/v1")}); err == nil {
		t.Error("Clone after Close succeeded")
	}

	// What `grader gc` would find: the shared warm server, labelled.
	warm := sharedServer(t)
	eng, err := sandbox.Connect(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	left, err := eng.Leftovers(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(left, func(r sandbox.Resource) bool { return r.ID == warm.ContainerID() }) {
		t.Errorf("sandbox Leftovers (what grader gc removes) lacks the warm server %s", shortID(warm.ContainerID()))
	}
}

// TestSharedEngine: given the process's engine, a Service asks for it only
// when it needs Docker (the warm reuse does not), starts its throwaway
// servers on it, and closing that engine removes them (an interrupted
// `grader grade`), while the warm server stays.
func TestSharedEngine(t *testing.T) {
	warm := sharedServer(t)
	eng, err := sandbox.Connect(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	eng.Images = shared.svc.Images
	var asked atomic.Int32
	svc := &Service{Images: shared.svc.Images, StateDir: shared.svc.StateDir, Logf: t.Logf,
		Engine: func(context.Context) (*sandbox.Engine, error) { asked.Add(1); return eng, nil }}
	reused, err := svc.Acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if reused.ContainerID() != warm.ContainerID() || asked.Load() != 0 {
		t.Errorf("warm Acquire used %s and asked for the engine %d times; want the warm %s and no engine",
			shortID(reused.ContainerID()), asked.Load(), shortID(warm.ContainerID()))
	}
	reused.Close()

	srv, err := svc.Start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if asked.Load() == 0 {
		t.Error("Start did not use the Service's engine")
	}
	id := srv.ContainerID()
	if err := eng.Close(); err != nil {
		t.Fatal(err)
	}
	if found, _, _, _ := inspect(t, id); found {
		t.Errorf("throwaway container %s still there after its engine closed", shortID(id))
	}
	if found, running, _, _ := inspect(t, warm.ContainerID()); !found || !running {
		t.Errorf("closing the engine stopped the warm server %s", shortID(warm.ContainerID()))
	}
	_ = srv.Close() // its container is gone already: nothing left to do
}

// TestWarmServerStopsWhenIdle: with no session open for IdleTimeout, the
// container stops itself, and the next Acquire starts a new one.
func TestWarmServerStopsWhenIdle(t *testing.T) {
	svc := requireService(t)
	svc.IdleTimeout = 2 * time.Second
	srv, err := svc.Acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	id := srv.ContainerID()
	// While a session is open the server stays up.
	time.Sleep(3 * time.Second)
	if _, running, _, _ := inspect(t, id); !running {
		t.Fatal("the warm server stopped while a grader held a session")
	}
	srv.Close()
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, running, _, _ := inspect(t, id)
		if !running {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the warm server is still running 20s after its last session closed (idle timeout 2s)")
		}
		time.Sleep(250 * time.Millisecond)
	}
	next, err := svc.Acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer next.Close()
	if next.ContainerID() == id {
		t.Fatal("Acquire reused a stopped server")
	}
	if found, _, _, _ := inspect(t, id); found {
		t.Errorf("the stopped warm container %s was not removed", shortID(id))
	}
}

// TestCloneIsolationAndPrivileges: a destructive statement in one attempt
// harms only that attempt, and the attempt's role cannot reach beyond it.
func TestCloneIsolationAndPrivileges(t *testing.T) {
	srv := sharedServer(t)
	ctx := t.Context()
	tpl, err := srv.Template(ctx, "shop/isolation", buildShop)
	if err != nil {
		t.Fatal(err)
	}
	a, err := srv.Clone(ctx, tpl)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Drop()
	b, err := srv.Clone(ctx, tpl)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Drop()
	if a.Database == b.Database || a.Role == b.Role || !strings.HasPrefix(a.Database, "grader_att_") {
		t.Fatalf("attempts %q and %q: want distinct grader_att_ names", a.Database, b.Database)
	}

	ca, err := a.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer ca.Close(ctx)
	// The learner owns its copy: it can change and drop the template's tables.
	mustExec(t, ca, `ALTER TABLE customers ADD COLUMN note text`)
	mustExec(t, ca, `DELETE FROM orders WHERE id = 1`)
	mustExec(t, ca, `DROP TABLE orders`)
	mustExec(t, ca, `CREATE TABLE mine (x int)`)

	// ... and nothing else.
	var super, createdb, createrole bool
	if err := ca.QueryRow(ctx, `SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user`).Scan(&super, &createdb, &createrole); err != nil {
		t.Fatal(err)
	}
	if super || createdb || createrole {
		t.Errorf("attempt role: superuser %v createdb %v createrole %v; want none", super, createdb, createrole)
	}
	mustFail(t, ca, `SELECT rolpassword FROM pg_authid`)
	mustFail(t, ca, `CREATE DATABASE sneaky`)
	mustFail(t, ca, `CREATE ROLE sneaky`)
	mustFail(t, ca, `DROP DATABASE `+ident(tpl.Name))
	mustFail(t, ca, `DROP DATABASE `+ident(b.Database))
	mustFail(t, ca, `ALTER DATABASE `+ident(tpl.Name)+` IS_TEMPLATE false`)
	mustFail(t, ca, `ALTER ROLE `+ident(b.Role)+` PASSWORD 'x'`)
	mustFail(t, ca, `SET ROLE postgres`)
	mustFail(t, ca, `COPY customers TO '/tmp/x'`)
	// It cannot connect to another attempt, the template or the maintenance db.
	for _, db := range []string{b.Database, tpl.Name, "postgres", "template1"} {
		dsn, err := withCredentials(srv.AdminURL(), a.Role, passwordOf(t, a.DSN), db)
		if err != nil {
			t.Fatal(err)
		}
		if c, err := pgx.Connect(ctx, dsn); err == nil {
			c.Close(ctx)
			t.Errorf("attempt role %s connected to database %s", a.Role, db)
		}
	}

	// The other attempt and a new clone still have the untouched data.
	for _, att := range []*Attempt{b, mustClone(t, srv, tpl)} {
		names, err := runQuery(ctx, att)
		if err != nil {
			t.Fatalf("%s: %v", att.Database, err)
		}
		if want := []string{"Ada", "Bob", "Cy"}; !slices.Equal(names, want) {
			t.Errorf("%s: query returned %v, want %v", att.Database, names, want)
		}
	}

	// Drop removes the database and the role, even with a session open.
	if err := a.Drop(); err != nil {
		t.Fatalf("Drop with a session open: %v", err)
	}
	var n int
	if err := srv.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM pg_database WHERE datname = $1) + (SELECT count(*) FROM pg_roles WHERE rolname = $1)`, a.Database).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("after Drop, %d of the database and role of %s remain", n, a.Database)
	}
	if err := a.Drop(); err != nil {
		t.Errorf("second Drop: %v", err)
	}
}

func mustClone(t *testing.T, srv *Server, tpl Template) *Attempt {
	t.Helper()
	a, err := srv.Clone(t.Context(), tpl)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Drop() })
	return a
}

func passwordOf(t *testing.T, dsn string) string {
	t.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Password
}

// TestTemplateBuiltOnceUnderConcurrency: several processes (a Server each,
// with sessions of its own) asking for one template build it once; a failed
// build leaves nothing and the next call builds it.
func TestTemplateBuiltOnceUnderConcurrency(t *testing.T) {
	warm := sharedServer(t)
	ctx := t.Context()
	key := "concurrency/" + randomHex(4)

	var builds atomic.Int32
	build := func(ctx context.Context, conn *pgx.Conn) error {
		builds.Add(1)
		time.Sleep(300 * time.Millisecond) // a slow seed widens the race
		return buildShop(ctx, conn)
	}
	const n = 4
	var wg sync.WaitGroup
	names := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		srv, err := FromURL(ctx, warm.AdminURL()) // its own sessions, as another process
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		wg.Go(func() {
			tpl, err := srv.Template(ctx, key, build)
			names[i], errs[i] = tpl.Name, err
			if err == nil {
				var a *Attempt
				if a, err = srv.Clone(ctx, tpl); err == nil {
					_, err = runQuery(ctx, a)
					err = errors.Join(err, a.Drop())
				}
				errs[i] = err
			}
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Errorf("caller %d: %v", i, errs[i])
		}
		if names[i] != templateName(key) {
			t.Errorf("caller %d got template %q, want %q", i, names[i], templateName(key))
		}
	}
	if got := builds.Load(); got != 1 {
		t.Errorf("template built %d times by %d concurrent callers, want once", got, n)
	}

	// A failing build leaves no template; the next call builds it.
	bad := "failing/" + randomHex(4)
	_, err := warm.Template(ctx, bad, func(ctx context.Context, conn *pgx.Conn) error {
		if _, err := conn.Exec(ctx, `CREATE TABLE half (x int)`); err != nil {
			return err
		}
		_, err := conn.Exec(ctx, `INSERT INTO nowhere VALUES (1)`)
		return err
	})
	if err == nil {
		t.Fatal("Template with a failing build succeeded")
	}
	if exists, _, _ := warm.templateState(ctx, warm.pool, templateName(bad)); exists {
		t.Error("a failed build left its database behind")
	}
	if _, err := warm.Template(ctx, bad, buildShop); err != nil {
		t.Errorf("Template after a failed build: %v", err)
	}
}

// TestFromURL uses a plain PostgreSQL that testcontainers-go starts, as a CI
// job's service container would be: grader creates and drops only its own
// grader_ databases there.
func TestFromURL(t *testing.T) {
	serverURL := pgtest.Server(t)
	ctx := t.Context()
	admin, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	// Someone else's database, and an attempt a crashed grader left two hours ago.
	mustExec(t, admin, `DROP DATABASE IF EXISTS app`)
	mustExec(t, admin, `CREATE DATABASE app`)
	stale := attemptName(time.Now().Add(-2 * time.Hour))
	mustExec(t, admin, `CREATE ROLE `+ident(stale))
	mustExec(t, admin, `CREATE DATABASE `+ident(stale)+` OWNER `+ident(stale))

	for _, url := range []string{serverURL, keywordForm(t, serverURL)} {
		srv, err := FromURL(ctx, url)
		if err != nil {
			t.Fatalf("FromURL(%s): %v", redact(url), err)
		}
		if srv.ContainerID() != "" || srv.Warm() {
			t.Errorf("FromURL server claims a container")
		}
		tpl, err := srv.Template(ctx, "shop/fromurl", buildShop)
		if err != nil {
			t.Fatal(err)
		}
		a, err := srv.Clone(ctx, tpl)
		if err != nil {
			t.Fatal(err)
		}
		acfg, _ := pgx.ParseConfig(a.DSN)
		if acfg.Host != srv.admin.Host || acfg.Port != srv.admin.Port || acfg.User != a.Role || acfg.Database != a.Database {
			t.Errorf("attempt DSN %s: want the URL's host and port with the attempt's role and database", redact(a.DSN))
		}
		if names, err := runQuery(ctx, a); err != nil || len(names) != 3 {
			t.Errorf("query on %s: %v %v", a.Database, names, err)
		}
		// Close drops an attempt not dropped yet.
		if err := srv.Close(); err != nil {
			t.Fatal(err)
		}
		var left int
		if err := admin.QueryRow(ctx, `SELECT count(*) FROM pg_database WHERE datname = $1`, a.Database).Scan(&left); err != nil || left != 0 {
			t.Errorf("Close left the attempt %s (%v)", a.Database, err)
		}
	}
	var names []string
	rows, err := admin.Query(ctx, `SELECT datname FROM pg_database WHERE NOT datistemplate ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	names, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(names, "app") {
		t.Errorf("databases %v: grader dropped someone else's database", names)
	}
	if slices.Contains(names, stale) {
		t.Errorf("databases %v: the stale attempt %s was not swept", names, stale)
	}
	for _, n := range names {
		if n != "app" && n != "postgres" && !strings.HasPrefix(n, "grader_") {
			t.Errorf("unexpected database %q", n)
		}
	}
	mustExec(t, admin, `DROP DATABASE app`)

	// A role that is not a superuser is refused with a hint.
	mustExec(t, admin, `DROP ROLE IF EXISTS plain`)
	mustExec(t, admin, `CREATE ROLE plain LOGIN PASSWORD 'plain' CREATEDB`)
	mustExec(t, admin, `GRANT CONNECT ON DATABASE postgres TO plain`)
	defer admin.Exec(context.WithoutCancel(ctx), `DROP ROLE IF EXISTS plain`)
	plainURL, _ := withCredentials(serverURL, "plain", "plain", "postgres")
	if srv, err := FromURL(ctx, plainURL); err == nil {
		srv.Close()
		t.Error("FromURL accepted a role that is not a superuser")
	} else if !strings.Contains(err.Error(), "superuser") {
		t.Errorf("FromURL(non-superuser) = %v; want it to say superuser", err)
	}
	mustExec(t, admin, `REVOKE CONNECT ON DATABASE postgres FROM plain`)
}

// keywordForm rewrites a postgres:// URL as keyword=value pairs.
func keywordForm(t *testing.T, url string) string {
	t.Helper()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	return "host=" + cfg.Host + " port=" + itoa(int(cfg.Port)) + " user=" + cfg.User + " password=" + cfg.Password + " dbname=" + cfg.Database + " sslmode=disable"
}

// TestNoDockerIsErrNoDocker: an unreachable engine is the sandbox's
// infrastructure error, never a testcontainers panic.
func TestNoDockerIsErrNoDocker(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "no.sock"))
	svc := &Service{StateDir: t.TempDir()}
	for name, f := range map[string]func(context.Context) (*Server, error){"Acquire": svc.Acquire, "Start": svc.Start} {
		srv, err := f(t.Context())
		if !errors.Is(err, sandbox.ErrNoDocker) {
			t.Errorf("%s without Docker = %v, %v; want ErrNoDocker", name, srv, err)
		}
	}
}

// TestMissingImageIsErrImageMissing: an image that is neither here nor
// pullable is named, with what to do.
func TestMissingImageIsErrImageMissing(t *testing.T) {
	svc := requireService(t)
	svc.Image = "postgres:0-missing"
	svc.Images = sandbox.ImageMap{"postgres:0-missing": "127.0.0.1:9/grader-missing/postgres:0"}
	_, err := svc.Acquire(t.Context())
	if !errors.Is(err, sandbox.ErrImageMissing) || !strings.Contains(err.Error(), "postgres:0-missing") || !strings.Contains(fault.HintOf(err), "make images") {
		t.Errorf("Acquire with a missing image = %v; want ErrImageMissing naming it and `make images`", err)
	}
}

// TestWarmReuseNeedsNoDocker: the second check of a database exercise reuses
// the warm server from its state file without a single Docker API call (they
// cost tens of milliseconds on a busy engine); a state file naming another
// image or settings falls back to the full check.
func TestWarmReuseNeedsNoDocker(t *testing.T) {
	warm := sharedServer(t)
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "no-docker.sock"))
	svc := &Service{Images: shared.svc.Images, StateDir: shared.svc.StateDir}
	srv, err := svc.Acquire(t.Context())
	if err != nil {
		t.Fatalf("Acquire with the engine unreachable: %v", err)
	}
	if srv.ContainerID() != warm.ContainerID() || !srv.Warm() {
		t.Errorf("reused %q, want the warm server %q", srv.ContainerID(), warm.ContainerID())
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	other := &Service{Image: "postgres:14", Images: shared.svc.Images, StateDir: shared.svc.StateDir}
	if _, err := other.Acquire(t.Context()); !errors.Is(err, sandbox.ErrNoDocker) {
		t.Errorf("Acquire of another image with the engine unreachable = %v; want it to need Docker (ErrNoDocker)", err)
	}
}
