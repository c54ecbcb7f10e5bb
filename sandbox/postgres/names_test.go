package postgres

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/backendroadmap/grader/sandbox/sandboxtest"
	"github.com/jackc/pgx/v5"
)

func itoa(i int) string { return strconv.Itoa(i) }

func TestTemplateNameIsStableAndPrefixed(t *testing.T) {
	a, b := templateName("sql-joins@abc"), templateName("sql-joins@abc")
	if a != b || !strings.HasPrefix(a, "grader_tpl_") || len(a) > 63 {
		t.Errorf("templateName = %q, %q; want equal, grader_tpl_-prefixed, at most 63 bytes", a, b)
	}
	if templateName("sql-joins@abd") == a {
		t.Error("different keys share a template name")
	}
	if templateLockKey(a) == templateLockKey(templateName("other")) {
		t.Error("different templates share a lock key")
	}
}

func TestAttemptNameCarriesItsCreationTime(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	n := attemptName(now)
	if !strings.HasPrefix(n, "grader_att_") || len(n) > 63 {
		t.Fatalf("attemptName = %q", n)
	}
	got, ok := attemptCreated(n)
	if !ok || !got.Equal(now) {
		t.Errorf("attemptCreated(%q) = %v, %v; want %v", n, got, ok, now)
	}
	if attemptName(now) == n {
		t.Error("two attempts in the same second share a name")
	}
	for _, bad := range []string{"grader_tpl_00", "grader_att_", "grader_att_zz!_1", "app", "grader_att_x"} {
		if _, ok := attemptCreated(bad); ok {
			t.Errorf("attemptCreated(%q) accepted a name that is not an attempt's", bad)
		}
	}
}

func TestWithCredentials(t *testing.T) {
	tests := []struct{ in, host string }{
		{"postgres://ci:secret@db.local:6543/ci?sslmode=disable&application_name=x", "db.local"},
		{"postgresql://ci@10.0.0.5/ci", "10.0.0.5"},
		{"host=db.local port=6543 user=ci password='s p' dbname=ci sslmode=disable", "db.local"},
	}
	for _, tc := range tests {
		dsn, err := withCredentials(tc.in, "grader_att_1", "pa'ss\\word", "grader_att_1")
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			t.Fatalf("withCredentials(%q) = %q: %v", tc.in, dsn, err)
		}
		if cfg.User != "grader_att_1" || cfg.Password != "pa'ss\\word" || cfg.Database != "grader_att_1" || cfg.Host != tc.host {
			t.Errorf("withCredentials(%q) = user %q password %q db %q host %q", tc.in, cfg.User, cfg.Password, cfg.Database, cfg.Host)
		}
		if strings.Contains(tc.in, "6543") && cfg.Port != 6543 {
			t.Errorf("withCredentials(%q) lost the port: %d", tc.in, cfg.Port)
		}
	}
}

func TestRedactHidesThePassword(t *testing.T) {
	if got := redact("postgres://u:topsecret@h:1/d"); strings.Contains(got, "topsecret") || !strings.Contains(got, "u@h:1/d") {
		t.Errorf("redact = %q", got)
	}
}

func TestQuoting(t *testing.T) {
	if got := literal("it's"); got != "'it''s'" {
		t.Errorf("literal = %s", got)
	}
	if got := ident(`we"ird`); got != `"we""ird"` {
		t.Errorf("ident = %s", got)
	}
}

func TestWatchdogArgs(t *testing.T) {
	for _, tc := range []struct {
		idle        time.Duration
		limit, step string
	}{
		{15 * time.Minute, "900", "15"},
		{2 * time.Second, "2", "1"},
		{0, "1", "1"},
		{40 * time.Second, "40", "10"},
	} {
		if l, s := watchdogArgs(tc.idle); l != tc.limit || s != tc.step {
			t.Errorf("watchdogArgs(%v) = %s, %s; want %s, %s", tc.idle, l, s, tc.limit, tc.step)
		}
	}
}

func TestConfigHashFollowsImageAndIdleTimeout(t *testing.T) {
	a := (&Service{}).configHash("sha256:1")
	if a != (&Service{}).configHash("sha256:1") {
		t.Error("configHash is not stable")
	}
	if a == (&Service{}).configHash("sha256:2") {
		t.Error("a rebuilt image keeps the config hash")
	}
	if a == (&Service{IdleTimeout: time.Minute}).configHash("sha256:1") {
		t.Error("another idle timeout keeps the config hash")
	}
}

func TestStateFileIsPrivate(t *testing.T) {
	dir := t.TempDir()
	st := warmState{ContainerID: "abc", Port: 5432, Password: "p"}
	if err := writeState(dir, st); err != nil {
		t.Fatal(err)
	}
	got, err := readState(dir)
	if err != nil || *got != st {
		t.Fatalf("readState = %+v, %v; want %+v", got, err, st)
	}
	if fi, err := os.Stat(filepath.Join(dir, stateName)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("state file: %v, %v; want mode 0600 (it holds the superuser password)", fi, err)
	}
	if warmKey(dir) == warmKey(t.TempDir()) {
		t.Error("two state folders share a warm key")
	}
}

func TestWatchdogScriptParses(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		sandboxtest.Unavailable(t, "no bash here to check the script's syntax")
	}
	if out, err := exec.Command(bash, "-n", "-c", watchdogScript).CombinedOutput(); err != nil {
		t.Errorf("bash -n: %v\n%s", err, out)
	}
}

// TestMajorVersion: the major version from what servers report as
// server_version at start-up.
func TestMajorVersion(t *testing.T) {
	for v, want := range map[string]int{"15.8 (Debian 15.8-1.pgdg120+1)": 15, "17.2": 17, "9.6.24": 9, "16beta1": 16} {
		if got, err := majorVersion(v); err != nil || got != want {
			t.Errorf("majorVersion(%q) = %d, %v; want %d", v, got, err, want)
		}
	}
	if _, err := majorVersion(""); err == nil {
		t.Error("an empty server_version was read as a version")
	}
}
