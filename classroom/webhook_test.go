package classroom

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// gitRun runs git in dir and returns its output.
func gitRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=L", "GIT_AUTHOR_EMAIL=l@example.com", "GIT_COMMITTER_NAME=L",
		"GIT_COMMITTER_EMAIL=l@example.com", "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// TestWebhookGradesThePushedCommit: a signed push event for an allowed
// repository queues the commit it names, which is graded as it was even
// after the branch moved on; anything unsigned or elsewhere is refused.
func TestWebhookGradesThePushedCommit(t *testing.T) {
	root := t.TempDir()
	work := filepath.Join(root, "work")
	_ = os.MkdirAll(work, 0o755)
	gitRun(t, work, "init", "-q", "-b", "main")
	_ = os.WriteFile(filepath.Join(work, "verdict.txt"), []byte("fail"), 0o644)
	gitRun(t, work, "add", "-A")
	gitRun(t, work, "commit", "-q", "-m", "first try")
	first := gitRun(t, work, "rev-parse", "HEAD")
	_ = os.WriteFile(filepath.Join(work, "verdict.txt"), []byte("pass"), 0o644)
	gitRun(t, work, "commit", "-q", "-am", "fixed")
	second := gitRun(t, work, "rev-parse", "HEAD")
	bare := filepath.Join(root, "class", "ada.git")
	gitRun(t, root, "clone", "-q", "--bare", work, bare)

	const secret = "s3cret"
	pool, err := pgxpool.New(t.Context(), freshDB(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	s, err := New(t.Context(), Options{Pool: pool, Grader: &verdictGrader{}, Exercises: testExercises, Workers: 2,
		WebhookSecret: secret, AllowRepos: []string{"file://" + filepath.Join(root, "class")}})
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
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)

	push := func(query, url, commit, signature string) (int, map[string]any) {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"ref": "refs/heads/main", "after": commit,
			"repository": map[string]string{"clone_url": url}, "pusher": map[string]string{"name": "ada"}})
		req, _ := http.NewRequest("POST", srv.URL+"/api/webhooks/git"+query, bytes.NewReader(body))
		if signature == "" {
			signature = sign(secret, body)
		}
		req.Header.Set("X-Hub-Signature-256", signature)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		var out map[string]any
		_ = json.Unmarshal(data, &out)
		return resp.StatusCode, out
	}
	url := "file://" + bare
	refused := []struct {
		name, query, url, commit, sig string
		code                          int
	}{
		{"bad signature", "?exercise=py-fizzbuzz", url, second, sign("guess", []byte("x")), 401},
		{"unsigned", "?exercise=py-fizzbuzz", url, second, "none", 401},
		{"not allowed", "?exercise=py-fizzbuzz", "file://" + filepath.Join(root, "class-other", "x.git"), second, "", 403},
		{"outside by ..", "?exercise=py-fizzbuzz", "file://" + filepath.Join(root, "class") + "/../work", second, "", 400},
		{"no exercise", "", url, second, "", 400},
		{"not a commit", "?exercise=py-fizzbuzz", url, "main", "", 400},
	}
	for _, tt := range refused {
		if code, body := push(tt.query, tt.url, tt.commit, tt.sig); code != tt.code {
			t.Errorf("%s: %d %v, want %d", tt.name, code, body, tt.code)
		}
	}
	ids := map[string]string{}
	for _, c := range []string{first, second} {
		code, body := push("?exercise=py-fizzbuzz", url, c, "")
		if code != http.StatusAccepted {
			t.Fatalf("push %s: %d %v", c, code, body)
		}
		ids[c] = fmt.Sprint(body["id"])
	}
	waitGraded(t, pool, 2, 60*time.Second)
	for c, want := range map[string]string{first: "fail", second: "pass"} {
		var st Status
		resp, err := http.Get(srv.URL + "/api/submissions/" + ids[c])
		if err != nil {
			t.Fatal(err)
		}
		_ = json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		if st.Result == nil || string(st.Result.Status) != want || st.Learner != "ada" || st.Commit != c {
			t.Errorf("commit %s: %+v, want graded %s for ada", c[:7], st, want)
		}
	}
}
