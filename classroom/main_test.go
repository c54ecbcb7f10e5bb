package classroom

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox"
	"github.com/backendroadmap/grader/sandbox/postgres/pgtest"
	"github.com/backendroadmap/grader/sandbox/sandboxtest"
)

// The package's tests share one PostgreSQL server, each with a database of
// its own.
var (
	pgOnce sync.Once
	pgURL  string
	pgStop func() error
	pgErr  error
	dbSeq  atomic.Int32
)

func TestMain(m *testing.M) {
	code := m.Run()
	if pgStop != nil {
		_ = pgStop()
	}
	os.Exit(code)
}

// freshDB returns the URL of a new, empty database.
func freshDB(t *testing.T) string {
	t.Helper()
	pgOnce.Do(func() { pgURL, pgStop, pgErr = pgtest.Start(context.Background()) })
	if errors.Is(pgErr, sandbox.ErrNoDocker) {
		sandboxtest.Unavailable(t, "classroom: %v", pgErr)
	}
	if pgErr != nil {
		t.Fatal(pgErr)
	}
	name := fmt.Sprintf("classroom_%d_%d", os.Getpid(), dbSeq.Add(1))
	conn, err := pgx.Connect(t.Context(), pgURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(pgURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// verdictGrader grades by the submission's verdict.txt: pass, fail, or
// flaky (an infrastructure error on its first run) or broken (always).
type verdictGrader struct {
	mu   sync.Mutex
	runs map[string]int
}

func (g *verdictGrader) Grade(_ context.Context, exercise, dir string) (*runner.Report, error) {
	data, err := os.ReadFile(filepath.Join(dir, "verdict.txt"))
	if err != nil {
		return nil, err
	}
	v := strings.TrimSpace(string(data))
	g.mu.Lock()
	if g.runs == nil {
		g.runs = map[string]int{}
	}
	g.runs[v]++ // one submission per verdict in these tests
	n := g.runs[v]
	g.mu.Unlock()
	rep := &runner.Report{Schema: runner.ResultsSchema, Exercise: runner.ExerciseRef{ID: exercise}, Gradable: true, MaxScore: 1,
		Checks: []runner.CheckResult{{ID: "works", Name: "It works", Points: 1}}}
	switch {
	case v == "pass" || (v == "flaky" && n > 1):
		rep.Status, rep.Score, rep.Checks[0].Status = runner.Pass, 1, runner.Pass
	case v == "fail":
		rep.Status, rep.Checks[0].Status = runner.Fail, runner.Fail
	default:
		return nil, fmt.Errorf("the sandbox is down (%s, run %d)", v, n)
	}
	return rep, nil
}

var testExercises = []Exercise{
	{ExerciseRef: runner.ExerciseRef{ID: "git-basics", Title: "First commits", Skill: runner.VersionControl, Phase: runner.Beginner}, Git: true},
	{ExerciseRef: runner.ExerciseRef{ID: "py-fizzbuzz", Title: "FizzBuzz", Skill: runner.Programming, Phase: runner.Beginner}},
	{ExerciseRef: runner.ExerciseRef{ID: "sql-window", Title: "Window functions", Skill: runner.Databases, Phase: runner.Advanced}},
}

// newService starts a service on a fresh database with workers, and its
// HTTP API on a test server (listening on addr when given).
func newService(t *testing.T, workers int, addr string) (*Service, string, *pgxpool.Pool) {
	t.Helper()
	pool, err := pgxpool.New(t.Context(), freshDB(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	s, err := New(t.Context(), Options{Pool: pool, Grader: &verdictGrader{}, Exercises: testExercises, Workers: workers, MaxAttempts: 2, MaxUpload: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = s.Stop(ctx)
	})
	srv := httptest.NewUnstartedServer(s.Handler())
	if addr != "" {
		srv.Listener.Close()
		ln, err := netListen(addr)
		if err != nil {
			t.Fatal(err)
		}
		srv.Listener = ln
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return s, srv.URL, pool
}

// tarGz packs files (name → content) as an upload.
func tarGz(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		_, _ = tw.Write([]byte(body))
	}
	_ = tw.Close()
	_ = gz.Close()
	return buf.Bytes()
}

// upload posts a submission and returns the status and decoded body.
func upload(t *testing.T, base, learner, exercise string, archive []byte) (int, map[string]any) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("learner", learner)
	_ = mw.WriteField("exercise", exercise)
	fw, _ := mw.CreateFormFile("archive", "work.tar.gz")
	_, _ = fw.Write(archive)
	_ = mw.Close()
	resp, err := http.Post(base+"/api/submissions", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("upload: %s: %v\n%s", resp.Status, err, data)
	}
	return resp.StatusCode, out
}

// waitGraded waits until n submissions have results.
func waitGraded(t *testing.T, pool *pgxpool.Pool, n int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		var got int
		if err := pool.QueryRow(t.Context(), `SELECT count(*) FROM grader_results`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d submissions graded after %v", got, n, within)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
