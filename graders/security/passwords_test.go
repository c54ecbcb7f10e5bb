package security

import (
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"

	"github.com/backendroadmap/grader/runner"
)

// fakeBcrypt is a value in bcrypt's format: what classify reads.
func fakeBcrypt(cost, salt string) string {
	return "$2b$" + cost + "$" + (salt + strings.Repeat("A", 53))[:53]
}

func TestClassify(t *testing.T) {
	const pw = "c0rrect horse"
	for _, tc := range []struct {
		stored string
		strong bool
		want   string
	}{
		{fakeBcrypt("12", "salt"), true, "bcrypt"},
		{fakeBcrypt("04", "salt"), false, "cost 4"},
		{"$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo", true, "argon2id"},
		{"$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo", false, "1024 KiB"},
		{"$argon2i$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", false, "not argon2id"},
		{"scrypt:32768:8:1$salt$abcdef", true, "scrypt"},
		{"pbkdf2:sha256:260000$salt$abcdef", false, "PBKDF2"},
		{pw, false, "plain text"},
		{"salt$" + pw, false, "holds the password"},
		{"5f4dcc3b5aa765d61d8327deb882cf99", false, "unsalted MD5"},
		{"", false, "empty"},
		{"hunter2-rot13", false, "not an argon2id, bcrypt or scrypt hash"},
	} {
		strong, what := classify(tc.stored, pw)
		if strong != tc.strong || !strings.Contains(what, tc.want) {
			t.Errorf("classify(%q) = %v, %q; want %v and %q", tc.stored, strong, what, tc.strong, tc.want)
		}
	}
}

// accountServer is a fake register and login whose stored passwords are
// made by store (from the password and a per-user counter).
func accountServer(store func(password string, n int) string) func(ft *fakeTarget) http.Handler {
	return func(ft *fakeTarget) http.Handler {
		mux := http.NewServeMux()
		plain := map[string]string{"alice": "wonderland"}
		n := 0
		mux.HandleFunc("POST /register", func(w http.ResponseWriter, r *http.Request) {
			b := readJSON(r)
			u, _ := b["username"].(string)
			p, _ := b["password"].(string)
			ft.mu.Lock()
			n++
			plain[u] = p
			ft.stored[u] = store(p, n)
			ft.mu.Unlock()
			writeJSON(w, 201, map[string]any{"user": u})
		})
		mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
			b := readJSON(r)
			u, _ := b["username"].(string)
			p, _ := b["password"].(string)
			ft.mu.Lock()
			ok := plain[u] == p && p != ""
			ft.mu.Unlock()
			if !ok {
				writeJSON(w, 401, map[string]any{"error": "no"})
				return
			}
			writeJSON(w, 200, map[string]any{"user": u})
		})
		return mux
	}
}

const accountChecks = `
stored: SELECT password FROM users WHERE username = $1
register: [{method: POST, path: /register, json: {username: "{{username}}", password: "{{password}}"}, expect: {status: 201}}]
login: [{method: POST, path: /login, json: {username: "{{username}}", password: "{{password}}"}, expect: {status: 200}}]
rejected: [{method: POST, path: /login, json: {username: "{{username}}", password: "{{password}}"}, expect: {status: 401}}]
`

func TestPasswords(t *testing.T) {
	for name, tc := range map[string]struct {
		store func(string, int) string
		pass  bool
		want  string
	}{
		"salted bcrypt":  {func(_ string, n int) string { return fakeBcrypt("12", strings.Repeat(string(rune('a'+n)), 22)) }, true, "different for the same password twice"},
		"plain text":     {func(p string, _ int) string { return p }, false, "plain text"},
		"unsalted md5":   {func(p string, _ int) string { s := md5.Sum([]byte(p)); return hex.EncodeToString(s[:]) }, false, "MD5"},
		"one fixed salt": {func(string, int) string { return fakeBcrypt("12", "fixed") }, false, "same value for both"},
	} {
		t.Run(name, func(t *testing.T) {
			servers, _ := serve(t, accountServer(tc.store))
			out := run(t, mustCompile(t, servers, "sec.passwords", accountChecks))
			if (out.Status == runner.Pass) != tc.pass || !strings.Contains(out.Message, tc.want) {
				t.Fatalf("got %v %q; want pass=%v with %q", out.Status, out.Message, tc.pass, tc.want)
			}
		})
	}
}

func TestPasswordsExistingUsersMustBeMigrated(t *testing.T) {
	servers, ft := serve(t, accountServer(func(string, int) string { return fakeBcrypt("12", "x") }))
	ft.stored["alice"] = "wonderland"
	out := run(t, mustCompile(t, servers, "sec.passwords", accountChecks+"existing: [{username: alice, password: wonderland}]\n"))
	if out.Status != runner.Fail || !strings.Contains(out.Message, "alice's password, which was in the database before") {
		t.Fatalf("got %v %q; want a fail about alice's unmigrated password", out.Status, out.Message)
	}
}

func TestPasswordsAuthorErrors(t *testing.T) {
	servers, _ := serve(t, accountServer(nil))
	for with, want := range map[string]string{
		`login: [{path: /login}]`:                                     "stored: is required",
		`stored: SELECT password FROM users WHERE username = 'alice'`: "must use $1",
		strings.Replace(accountChecks, "register:", "registr:", 1):    "registr",
	} {
		if _, err := compile(t, servers, "sec.passwords", with); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v; want an error with %q", with, err, want)
		}
	}
}
