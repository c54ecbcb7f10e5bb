package security

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backendroadmap/grader/runner"
)

// loginServer is a fake login (POST /login, alice/wonderland) whose query
// is built as mode says:
//
//	bound:   placeholders, values as parameters (safe)
//	pasted:  values pasted into the SQL, which then behaves as SQL would
//	escaped: quotes doubled by hand, then pasted (safe answers, SQL text)
//	python:  never reaches the database (safe answers, nothing logged)
func loginServer(mode string) func(ft *fakeTarget) http.Handler {
	return func(ft *fakeTarget) http.Handler {
		var hiccups atomic.Int32
		mux := http.NewServeMux()
		mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
			body := readJSON(r)
			u, _ := body["username"].(string)
			p, _ := body["password"].(string)
			ok := u == "alice" && p == "wonderland"
			switch mode {
			case "hiccup": // safe, but the machine stalls once, during a time probe
				if strings.Contains(u+p, "pg_sleep") && hiccups.Add(1) == 1 {
					time.Sleep(sleepFor)
				}
				fallthrough
			case "bound":
				ft.log("SELECT username FROM users WHERE username = $1 AND password = $2", "$1 = '"+strings.ReplaceAll(u, "'", "''")+"', $2 = '"+p+"'")
			case "escaped":
				ft.log("SELECT username FROM users WHERE username = '"+strings.ReplaceAll(u, "'", "''")+"' AND password = '"+strings.ReplaceAll(p, "'", "''")+"'", "")
			case "pasted":
				ft.log("SELECT username FROM users WHERE username = '"+u+"' AND password = '"+p+"'", "")
				v := u + p
				switch {
				case strings.Contains(v, "pg_sleep"):
					time.Sleep(sleepFor) // what pg_sleep(3) does
				case strings.Count(v, "'")%2 == 1:
					writeJSON(w, 500, map[string]any{"error": "syntax error at or near"})
					return
				case strings.Contains(v, " OR "), strings.Contains(v, "UNION"):
					ok = true
				}
			}
			if !ok {
				writeJSON(w, 401, map[string]any{"error": "wrong username or password"})
				return
			}
			writeJSON(w, 200, map[string]any{"user": "alice"})
		})
		return mux
	}
}

const loginInputs = `
inputs:
  - name: the username at login
    request: {method: POST, path: /login, json: {username: "{{input}}", password: wonderland}, expect: {status: 401}}
  - name: the password at login
    request: {method: POST, path: /login, json: {username: alice, password: "{{input}}"}, expect: {status: 401}}
`

func TestSQLiPassesBoundParameters(t *testing.T) {
	servers, _ := serve(t, loginServer("bound"))
	out := run(t, mustCompile(t, servers, "sec.sqli", loginInputs))
	if out.Status != runner.Pass || !strings.Contains(out.Message, "only as a bind parameter") {
		t.Fatalf("a server that binds its values: got %v %q; want a pass that says so", out.Status, out.Message)
	}
}

// A machine too busy to answer in time once is not a server that ran the
// sleep: a late answer is sent again before it counts.
func TestSQLiOneLateAnswerIsNotEvidence(t *testing.T) {
	servers, _ := serve(t, loginServer("hiccup"))
	out := run(t, mustCompile(t, servers, "sec.sqli", loginInputs+"probes: [time]\n"))
	if out.Status != runner.Pass {
		t.Fatalf("a safe server that stalled once: got %v %q; want a pass", out.Status, out.Message)
	}
}

func TestSQLiCatchesEachProbeFamily(t *testing.T) {
	for family, want := range map[string]string{
		"boolean": "always true",
		"error":   "stray quote",
		"union":   "UNION SELECT",
		"stacked": "second SQL statement",
		"time":    "PostgreSQL ran the pg_sleep(3)",
	} {
		t.Run(family, func(t *testing.T) {
			t.Parallel()
			servers, _ := serve(t, loginServer("pasted"))
			out := run(t, mustCompile(t, servers, "sec.sqli", loginInputs+"probes: ["+family+"]\n"))
			if out.Status != runner.Fail || !strings.Contains(out.Message, want) || !strings.Contains(out.Message, "the username at login") {
				t.Fatalf("a server that pastes its values, %s probes: got %v %q; want a fail naming the input and %q", family, out.Status, out.Message, want)
			}
			if family != "time" && !strings.Contains(out.Message, "curl -i -X POST") {
				t.Errorf("the message should hold the request that got through as curl: %q", out.Message)
			}
		})
	}
}

func TestSQLiWhiteBoxCatchesEscapedValues(t *testing.T) {
	servers, _ := serve(t, loginServer("escaped"))
	out := run(t, mustCompile(t, servers, "sec.sqli", loginInputs))
	if out.Status != runner.Fail || !strings.Contains(out.Message, "PostgreSQL's own log") || !strings.Contains(out.Message, "WHERE username = 'zqmark") {
		t.Fatalf("quotes escaped by hand answer every probe right but put the value in the SQL text: got %v %q; want a fail that shows the statement", out.Status, out.Message)
	}
}

func TestSQLiInputThatNeverReachesTheDatabase(t *testing.T) {
	servers, _ := serve(t, loginServer("python"))
	out := run(t, mustCompile(t, servers, "sec.sqli", loginInputs))
	if out.Status != runner.Pass || !strings.Contains(out.Message, "no input reached PostgreSQL") {
		t.Fatalf("got %v %q; want a pass that says no input reached PostgreSQL", out.Status, out.Message)
	}
	servers, ft := serve(t, loginServer("bound"))
	ft.noDB = true
	out = run(t, mustCompile(t, servers, "sec.sqli", loginInputs))
	if out.Status != runner.Pass || strings.Contains(out.Message, "PostgreSQL") {
		t.Fatalf("without a database: got %v %q; want a pass on the probes alone", out.Status, out.Message)
	}
}

func TestSQLiBaselineMustHold(t *testing.T) {
	servers, _ := serve(t, loginServer("bound"))
	out := run(t, mustCompile(t, servers, "sec.sqli", `
inputs:
  - name: the username
    request: {method: POST, path: /login, json: {username: "{{input}}", password: x}, expect: {status: 403}}
`))
	if out.Status != runner.Fail || !strings.Contains(out.Message, "harmless made-up value") {
		t.Fatalf("got %v %q; want a fail that says the made-up value's answer is already wrong", out.Status, out.Message)
	}
}

func TestSQLiAuthorErrors(t *testing.T) {
	servers, _ := serve(t, loginServer("bound"))
	for name, tc := range map[string]struct{ with, want string }{
		"no inputs":      {``, "inputs: is required"},
		"no placeholder": {`inputs: [{request: {path: /products, expect: {status: 200}}}]`, "no request sends {{input}}"},
		"both":           {`inputs: [{request: {path: "/p?q={{input}}"}, requests: [{path: /p}]}]`, "not both"},
		"family":         {loginInputs + "probes: [blind]\n", `"blind" is not a family`},
		"unknown field":  {`inputs: [{request: {path: "/p?q={{input}}", expct: {}}}]`, "expct"},
		"undefined var":  {`inputs: [{request: {path: "/p?q={{input}}&t={{token}}"}}]`, "{{token}}"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := compile(t, servers, "sec.sqli", tc.with)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v; want an error with %q", err, tc.want)
			}
		})
	}
}
