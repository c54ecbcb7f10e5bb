package httpcheck

import (
	"net/http"
	"strings"
	"testing"

	"github.com/backendroadmap/grader/runner"
)

// sessionServer is a login with a session cookie and a form with a CSRF
// token. bad names the mistake it makes: "" none, "no-httponly",
// "no-samesite", "fixation" (the session id is kept at login), "no-clear"
// (logout leaves the cookie).
func sessionServer(bad string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /form", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "theme", Value: "dark"})
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "anon-1", HttpOnly: true, SameSite: http.SameSiteLaxMode})
		_, _ = w.Write([]byte(`<form><input type="hidden" name="csrf_token" value="tok-123"></form>`))
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		ck := &http.Cookie{Name: "session", Value: "fresh-2", HttpOnly: bad != "no-httponly", SameSite: http.SameSiteStrictMode, Path: "/"}
		if bad == "no-samesite" {
			ck.SameSite = 0
		}
		if old, err := r.Cookie("session"); err == nil && bad == "fixation" {
			ck.Value = old.Value
		}
		http.SetCookie(w, &http.Cookie{Name: "theme", Value: "light"})
		http.SetCookie(w, ck)
	})
	mux.HandleFunc("GET /whoami", func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie("session"); err == nil {
			_, _ = w.Write([]byte(c.Value))
		}
	})
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		if bad != "no-clear" {
			http.SetCookie(w, &http.Cookie{Name: "session", Value: "", MaxAge: -1, Path: "/"})
		}
	})
	return mux
}

const sessionChecks = `
requests:
  - path: /form
    capture: {sid: {cookie: session}, token: {regex: 'name="csrf_token" value="([^"]+)"'}}
    expect: {status: 200, cookies: {session: {http_only: true}}}
  - method: POST
    path: /login
    headers: {Cookie: "session={{sid}}", X-CSRF-Token: "{{token}}"}
    expect:
      status: 200
      cookies: {session: {http_only: true, same_site: [lax, strict], value: {not: {equals: "{{sid}}"}}}}
  - {method: POST, path: /logout, expect: {cookies: {session: {cleared: true}}}}
`

func TestCookiesAndCaptures(t *testing.T) {
	for bad, want := range map[string]string{
		"":            "",
		"no-httponly": "should be HttpOnly",
		"no-samesite": "should carry SameSite=Lax or SameSite=Strict",
		"fixation":    `the cookie session's value should not be "anon-1"`,
		"no-clear":    "should set the cookie session",
	} {
		t.Run(bad, func(t *testing.T) {
			out := run(t, MustCompile(t, Kinds(MustServe(t, sessionServer(bad))), "http.requests", sessionChecks, nil))
			if want == "" {
				if out.Status != runner.Pass {
					t.Fatalf("a server that does it right: got %v %q", out.Status, out.Message)
				}
				return
			}
			if out.Status != runner.Fail || !strings.Contains(out.Message, want) {
				t.Fatalf("got %v %q; want a fail with %q", out.Status, out.Message, want)
			}
		})
	}
}

func TestCaptureRegexMisses(t *testing.T) {
	out := run(t, MustCompile(t, Kinds(MustServe(t, sessionServer(""))), "http.requests", `
requests:
  - path: /form
    capture: {token: {regex: 'name="authenticity_token" value="([^"]+)"'}}
`, nil))
	if out.Status != runner.Fail || !strings.Contains(out.Message, "nothing in the body matches") {
		t.Fatalf("got %v %q; want a fail that says the regex matched nothing", out.Status, out.Message)
	}
}

func TestCookieAuthorErrors(t *testing.T) {
	for with, want := range map[string]string{
		`requests: [{path: /, capture: {t: {regex: "(a)(b)"}}}]`:                              "a capture takes one",
		`requests: [{path: /, capture: {t: {regex: "("}}}]`:                                   "not a regular expression",
		`requests: [{path: /, capture: {t: {cookie: s, header: X}}}]`:                         "write {header: Name}, {cookie: name}",
		`requests: [{path: /, expect: {cookies: {s: {same_site: [sometimes]}}}}]`:             `"sometimes" is not a SameSite value`,
		`requests: [{path: /, expect: {cookies: {s: {cleared: true, http_only: true}}}}]`:     "give cleared alone",
		`requests: [{path: /, expect: {cookies: {s: {value: {not: {equals: "{{nope}}"}}}}}}]`: "{{nope}}",
		`requests: [{path: /, expect: {cookies: {s: {httponly: true}}}}]`:                     "httponly",
	} {
		if _, err := compile(t, Kinds(nil), "http.requests", with, nil); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v; want an error with %q", with, err, want)
		}
	}
}

func TestJarsKeepCookiesLikeBrowsers(t *testing.T) {
	out := run(t, MustCompile(t, Kinds(MustServe(t, sessionServer(""))), "http.requests", `
requests:
  - {path: /form, jar: alice}
  - {method: POST, path: /login, jar: alice}
  - {path: /whoami, jar: alice, expect: {body: fresh-2}}
  - {path: /whoami, jar: mallory, expect: {body: {empty: true}}}
  - {path: /whoami, expect: {body: {empty: true}}}
  - {method: POST, path: /logout, jar: alice}
  - {path: /whoami, jar: alice, expect: {body: {empty: true}}}
`, nil))
	if out.Status != runner.Pass {
		t.Fatalf("got %v %q; want each jar to send its own cookies, and a cleared one gone", out.Status, out.Message)
	}
	out = run(t, MustCompile(t, Kinds(MustServe(t, sessionServer("no-clear"))), "http.requests", `
requests:
  - {method: POST, path: /login, jar: alice}
  - {method: POST, path: /logout, jar: alice}
  - {path: /whoami, jar: alice, expect: {body: {empty: true}}}
`, nil))
	if out.Status != runner.Fail || !strings.Contains(out.Message, "Cookie: session=fresh-2") {
		t.Fatalf("got %v %q; want a fail whose curl sends the jar's cookie", out.Status, out.Message)
	}
	if _, err := compile(t, Kinds(nil), "http.requests", `requests: [{path: /, jar: a, headers: {Cookie: x=1}}]`, nil); err == nil || !strings.Contains(err.Error(), "not both") {
		t.Errorf("a jar and a Cookie header: got %v; want an error", err)
	}
}

// The command a failure quotes starts the server as the checks did: with
// the exercise's variables.
func TestTryItCommandCarriesTheServersEnvironment(t *testing.T) {
	c, err := compileIn(t, Kinds(MustServe(t, sessionServer(""))), "http.requests",
		`requests: [{path: /whoami, expect: {status: 201}}]`, nil,
		map[string]string{"server": "language: python\nenv: {JWT_SECRET: s3cr3t value, MODE: test}"})
	if err != nil {
		t.Fatal(err)
	}
	out := run(t, c)
	if want := "(PORT=8080 JWT_SECRET='s3cr3t value' MODE=test python3 app.py)"; out.Status != runner.Fail || !strings.Contains(out.Message, want) {
		t.Fatalf("got %v %q; want the command %s", out.Status, out.Message, want)
	}
}
