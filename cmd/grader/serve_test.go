package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/backendroadmap/grader/sandbox/postgres/pgtest"
)

// TestServeExactlyOnce is the proof of `grader serve` at class scale: one
// API process and two worker processes on one PostgreSQL, 50 submissions
// (solved and unsolved), one worker killed with SIGKILL while it grades. Every
// submission ends with exactly one result, with the verdict its files
// deserve, and the killed worker's jobs were graded again by the other.
func TestServeExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL and three grader processes")
	}
	url := pgtest.Server(t)
	solved := mustTarGz(t, gitBasicsRepo(t, true))
	unsolved := mustTarGz(t, gitBasicsRepo(t, false))

	api := startServe(t, "api", true, "--database-url", url, "--workers", "0", "--addr", "127.0.0.1:0")
	want := map[int64]string{}
	for i := range 50 {
		archive, verdict := solved, "pass"
		if i%3 == 0 {
			archive, verdict = unsolved, "fail"
		}
		id := mustUpload(t, api.url, fmt.Sprintf("learner-%02d", i), "git-basics", archive)
		want[id] = verdict
	}

	// The workers start on a full queue, and the test watches worker 1
	// from its first moment, so it is caught holding jobs however fast
	// the machine grades.
	workerArgs := []string{"--database-url", url, "--no-api", "--workers", "4", "--job-timeout", "5s", "--rescue-after", "6s"}
	w1 := startServe(t, "w1", false, append(workerArgs, "--worker-id", "worker-1")...)
	w2 := startServe(t, "w2", false, append(workerArgs, "--worker-id", "worker-2")...)
	w1.worker, w2.worker = "worker-1", "worker-2"

	ctx := t.Context()
	db, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())

	// Kill w1 while it grades: it has started an attempt (River holds the
	// job running, attempted by w1) and not finished it.
	var killed []int64
	deadline := time.Now().Add(60 * time.Second)
	for len(killed) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("worker 1 never started grading\n%s", w1.log.String())
		}
		rows, _ := db.Query(ctx, `SELECT job_id FROM grader_attempts WHERE worker = $1 AND outcome IS NULL`, w1.worker)
		killed, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			t.Fatal(err)
		}
		if len(killed) == 0 {
			time.Sleep(2 * time.Millisecond)
		}
	}
	if err := w1.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = w1.cmd.Wait()
	t.Logf("killed worker 1 (%s) while it graded jobs %v", w1.worker, killed)

	// Wait for every submission's result: the killed worker's jobs come
	// back once River rescues them.
	t0 := time.Now()
	for {
		var n int
		if err := db.QueryRow(ctx, `SELECT count(*) FROM grader_results`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == len(want) {
			break
		}
		if time.Since(t0) > 90*time.Second {
			t.Fatalf("%d of %d submissions graded after %v\nworker 2's log:\n%s", n, len(want), time.Since(t0), w2.log.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("all graded %v after the kill", time.Since(t0).Round(time.Millisecond))

	// Exactly one result per submission, with the right verdict, and one
	// attempt that recorded it.
	rows, _ := db.Query(ctx, `SELECT s.id, r.status, r.gradable, r.worker,
			(SELECT count(*) FROM grader_attempts a WHERE a.submission_id = s.id AND a.outcome = 'graded'),
			(SELECT count(*) FROM grader_attempts a WHERE a.submission_id = s.id AND a.outcome IS NULL)
		FROM grader_submissions s LEFT JOIN grader_results r ON r.submission_id = s.id ORDER BY s.id`)
	type row struct {
		id                   int64
		status               *string
		gradable             *bool
		worker               *string
		recorded, unfinished int
	}
	got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
		var x row
		return x, r.Scan(&x.id, &x.status, &x.gradable, &x.worker, &x.recorded, &x.unfinished)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d submissions stored, want %d", len(got), len(want))
	}
	died := 0
	for _, r := range got {
		switch {
		case r.status == nil:
			t.Errorf("submission %d has no result", r.id)
		case *r.status != want[r.id] || !*r.gradable:
			t.Errorf("submission %d graded %s (gradable %v), want %s", r.id, *r.status, *r.gradable, want[r.id])
		case r.recorded != 1:
			t.Errorf("submission %d has %d attempts that recorded a result, want exactly 1", r.id, r.recorded)
		}
		if r.unfinished > 0 {
			died++
			if r.worker != nil && *r.worker == w1.worker {
				t.Errorf("submission %d: its result is worker 1's, which died before finishing it", r.id)
			}
		}
	}
	if died == 0 {
		t.Errorf("no attempt was left unfinished by the killed worker: it was not killed mid-run")
	}

	// Each job the killed worker held was run again and completed.
	for _, id := range killed {
		var state string
		var attempt int
		var by []string
		if err := db.QueryRow(ctx, `SELECT state, attempt, attempted_by FROM river_job WHERE id = $1`, id).Scan(&state, &attempt, &by); err != nil {
			t.Fatal(err)
		}
		if state != "completed" || attempt < 2 || by[len(by)-1] == w1.worker {
			t.Errorf("job %d held by the killed worker: state %s, attempt %d, attempted by %v; want completed on a later attempt by another worker", id, state, attempt, by)
		}
	}
	var notDone int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE state <> 'completed'`).Scan(&notDone); err != nil {
		t.Fatal(err)
	}
	if notDone != 0 {
		t.Errorf("%d jobs not completed", notDone)
	}

	// The API shows a submission's result in the report's JSON form.
	for id, verdict := range want {
		var st struct {
			Status string `json:"status"`
			Result struct {
				Schema string `json:"schema"`
				Status string `json:"status"`
			} `json:"result"`
		}
		mustGetJSON(t, fmt.Sprintf("%s/api/submissions/%d", api.url, id), &st)
		if st.Status != "graded" || st.Result.Schema != "grader.results/v1" || st.Result.Status != verdict {
			t.Errorf("GET submission %d: %+v, want graded %s", id, st, verdict)
		}
		break
	}
}

// served is one `grader serve` process of a test.
type served struct {
	cmd    *exec.Cmd
	url    string // the API, when it listens
	worker string // its queue id, when it grades
	log    *syncBuffer
}

// startServe starts `grader serve args...` and, with wait, waits until it
// listens or grades.
func startServe(t *testing.T, name string, wait bool, args ...string) *served {
	t.Helper()
	bin, err := exec.LookPath("grader")
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	cmd := exec.Command(bin, append([]string{"serve"}, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+home, "GRADER_HOME="+filepath.Join(home, "state"), "GRADER_CACHE="+filepath.Join(home, "cache"), "GRADER_IMAGE_MAP="+imageMap)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	s := &served{cmd: cmd, log: &syncBuffer{}}
	ready := make(chan struct{})
	listen := regexp.MustCompile(`listening on (http://\S+)`)
	worker := regexp.MustCompile(`worker (\S+) grading`)
	go func() {
		// s's fields are written before ready closes, and only for a
		// caller that waits for it.
		sc := bufio.NewScanner(stderr)
		once := false
		for sc.Scan() {
			line := sc.Text()
			s.log.WriteString(line + "\n")
			if once || !wait {
				continue
			}
			if m := listen.FindStringSubmatch(line); m != nil {
				s.url = m[1]
			}
			if m := worker.FindStringSubmatch(line); m != nil {
				s.worker = m[1]
			}
			if s.url != "" || s.worker != "" {
				once = true
				close(ready)
			}
		}
		if !once {
			close(ready)
		}
	}()
	if !wait {
		return s
	}
	select {
	case <-ready:
	case <-time.After(60 * time.Second):
		t.Fatalf("%s: grader serve did not start:\n%s", name, s.log.String())
	}
	if s.url == "" && s.worker == "" {
		t.Fatalf("%s: grader serve ended:\n%s", name, s.log.String())
	}
	return s
}

// syncBuffer is a log several goroutines write and read.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) WriteString(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.WriteString(s)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// gitBasicsRepo makes a learner's git-basics repository: solved, or with
// everything in a single commit (which fails two-commits).
func gitBasicsRepo(t *testing.T, solved bool) string {
	t.Helper()
	dir := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=L", "GIT_AUTHOR_EMAIL=l@example.com", "GIT_COMMITTER_NAME=L", "GIT_COMMITTER_EMAIL=l@example.com", "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(name, body string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git("init", "-q", "-b", "main")
	write(".gitignore", "*.log\nbuild/\n")
	write("app.py", "class Handler:\n    pass\n")
	write("server.log", "INFO listening\n")
	write("build/notes-api.tar", "build output\n")
	if solved {
		write("README.md", "# Notes API\n\nTODO: say how to run it.\n")
		git("add", "-A")
		git("commit", "-q", "-m", "Add the notes service")
	}
	write("README.md", "# Notes API\n\nRun it with `python3 app.py`.\n")
	git("add", "-A")
	git("commit", "-q", "-m", "Explain how to run the service")
	return dir
}

// mustTarGz packs dir (its .git included) as a learner would with
// `tar czf work.tar.gz -C dir .`.
func mustTarGz(t *testing.T, dir string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	if err := tw.AddFS(os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// mustUpload posts a submission and returns its id.
func mustUpload(t *testing.T, base, learner, exercise string, archive []byte) int64 {
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
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("upload for %s: %s\n%s", learner, resp.Status, data)
	}
	var a struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal(data, &a); err != nil || a.ID == 0 {
		t.Fatalf("upload for %s: %v: %s", learner, err, data)
	}
	return a.ID
}

func mustGetJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%s", url, resp.Status, data)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("GET %s: %v\n%s", url, err, data)
	}
}
