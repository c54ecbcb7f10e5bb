package classroom

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

func TestUploadRefusesWhatCannotBeGraded(t *testing.T) {
	_, base, pool := newService(t, 0, "")
	repo := tarGz(t, map[string]string{".git/HEAD": "ref: refs/heads/main\n", "README.md": "hi\n"})
	tests := []struct {
		name, learner, exercise string
		archive                 []byte
		code                    int
		want                    string
	}{
		{"unknown exercise", "ada", "no-such", repo, 400, "not in this server's catalog"},
		{"bad learner", "../ada", "git-basics", repo, 400, "not a valid name"},
		{"no learner", "", "git-basics", repo, 400, "not a valid name"},
		{"git exercise without .git", "ada", "git-basics", tarGz(t, map[string]string{"README.md": "hi\n"}), 422, "no .git folder"},
		{"traversal", "ada", "py-fizzbuzz", tarGz(t, map[string]string{"../x": "y"}), 422, "leaves the folder"},
		{"too large", "ada", "py-fizzbuzz", make([]byte, 2<<20), 413, "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := upload(t, base, tt.learner, tt.exercise, tt.archive)
			msg, _ := body["error"].(string)
			if code != tt.code || !strings.Contains(msg, tt.want) {
				t.Errorf("got %d %q, want %d saying %q", code, msg, tt.code, tt.want)
			}
		})
	}
	var n int
	if err := pool.QueryRow(t.Context(), `SELECT count(*) FROM grader_submissions`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d refused submissions were stored", n)
	}
	code, body := upload(t, base, "ada", "git-basics", repo)
	if code != http.StatusAccepted || body["status"] != "queued" {
		t.Errorf("a good upload: %d %v", code, body)
	}
}

// TestRetriesOnlyWhatCouldNotBeGraded: a learner's failure is recorded at
// once; an infrastructure error is tried again, and after the last attempt
// the submission's result says it could not be graded.
func TestRetriesOnlyWhatCouldNotBeGraded(t *testing.T) {
	_, base, pool := newService(t, 2, "")
	ids := map[string]string{}
	for _, v := range []string{"pass", "fail", "flaky", "broken"} {
		code, body := upload(t, base, "learner-"+v, "py-fizzbuzz", tarGz(t, map[string]string{"verdict.txt": v}))
		if code != http.StatusAccepted {
			t.Fatalf("upload %s: %d %v", v, code, body)
		}
		ids[v] = fmt.Sprint(body["id"])
	}
	waitGraded(t, pool, 4, 60*time.Second)
	want := map[string]struct {
		status   string
		attempts int
	}{
		"pass": {"pass", 1}, "fail": {"fail", 1}, "flaky": {"pass", 2}, "broken": {"error", 2},
	}
	for v, w := range want {
		var st struct {
			Status   string `json:"status"`
			Attempts int    `json:"attempts"`
			Result   struct {
				Status   string `json:"status"`
				Gradable bool   `json:"gradable"`
				Error    string `json:"error"`
			} `json:"result"`
		}
		resp, err := http.Get(base + "/api/submissions/" + ids[v])
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err := json.Unmarshal(data, &st); err != nil {
			t.Fatalf("%s: %v\n%s", v, err, data)
		}
		if st.Status != "graded" || st.Result.Status != w.status || st.Attempts != w.attempts {
			t.Errorf("%s: %s, result %s after %d attempts; want %s after %d\n%s", v, st.Status, st.Result.Status, st.Attempts, w.status, w.attempts, data)
		}
		if v == "broken" && (st.Result.Gradable || !strings.Contains(st.Result.Error, "sandbox is down")) {
			t.Errorf("broken: result %+v, want ungradable saying why", st.Result)
		}
	}

	// The gradebook has each learner's result, in CSV too.
	resp, err := http.Get(base + "/api/gradebook?format=csv")
	if err != nil {
		t.Fatal(err)
	}
	csv, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"learner-pass", "learner-broken", "ungradable"} {
		if !strings.Contains(string(csv), want) {
			t.Errorf("gradebook CSV lacks %q:\n%s", want, csv)
		}
	}
	resp, err = http.Get(base + "/api/submissions/999999")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown submission: %s, want 404", resp.Status)
	}
}

// TestTokenGuardsAllButTheWebhook: with a token, the API and the page
// answer only to it (a bearer token, or a browser's basic-auth password);
// the webhook keeps its own signature.
func TestTokenGuardsAllButTheWebhook(t *testing.T) {
	pool, err := pgxpool.New(t.Context(), freshDB(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	s, err := New(t.Context(), Options{Pool: pool, Exercises: testExercises, Token: "t0ken", WebhookSecret: "x"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	for _, tt := range []struct {
		path, bearer, basic string
		want                int
	}{
		{"/", "", "", 401},
		{"/", "wrong", "", 401},
		{"/", "", "t0ken", 200},
		{"/api/gradebook", "t0ken", "", 200},
		{"/api/gradebook", "", "", 401},
		{"/api/submissions/1", "t0ke", "", 401},
	} {
		req, _ := http.NewRequest("GET", srv.URL+tt.path, nil)
		if tt.bearer != "" {
			req.Header.Set("Authorization", "Bearer "+tt.bearer)
		}
		if tt.basic != "" {
			req.SetBasicAuth("teacher", tt.basic)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("GET %s (bearer %q, basic %q): %s, want %d", tt.path, tt.bearer, tt.basic, resp.Status, tt.want)
		}
	}
	// The webhook is reached without the token, and judged by its signature.
	resp, err := http.Post(srv.URL+"/api/webhooks/git", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") != "" {
		t.Errorf("unsigned webhook: %s, want 401 from the signature check", resp.Status)
	}
	// An upload without the token is refused before it is read.
	if code, _ := upload(t, srv.URL, "ada", "py-fizzbuzz", tarGz(t, map[string]string{"a": "b"})); code != http.StatusUnauthorized {
		t.Errorf("upload without the token: %d, want 401", code)
	}
}

// TestLearnerNames: a learner's name is 1 to 100 plain characters, as the
// API's refusal says; anything else never reaches the class page or the
// gradebook's CSV.
func TestLearnerNames(t *testing.T) {
	for name, want := range map[string]bool{
		"ana":                    true,
		"ana.lopez@uni.edu":      true,
		"b+1_x-y":                true,
		strings.Repeat("a", 100): true,
		strings.Repeat("a", 101): false,
		"":                       false,
		"-ana":                   false,
		"ana lopez":              false,
		"ana,lopez":              false,
		"=cmd()":                 false,
		"ana\n":                  false,
	} {
		if got := validLearner(name); got != want {
			t.Errorf("validLearner(%q) = %v, want %v", name, got, want)
		}
	}
}
