package postgres

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Every database and role this package creates starts with namePrefix, so on a
// shared server (FromURL) it can only ever create, sweep or drop its own.
const (
	namePrefix     = "grader_"
	templatePrefix = namePrefix + "tpl_"
	attemptPrefix  = namePrefix + "att_"
	// ownerRole owns a template's objects while it is built; each clone hands
	// them to the attempt's own role. It cannot log in and has no members.
	// ownerRole owns what a template's build creates. It cannot log in; every
	// attempt's role is a member, so it may alter and drop those objects in
	// its own copy, the only database it can connect to.
	ownerRole = namePrefix + "owner"
)

// templateName is the database that holds the template for key: the same key
// gives the same name on every run and in every process.
func templateName(key string) string {
	sum := sha256.Sum256([]byte(key))
	return templatePrefix + hex.EncodeToString(sum[:8])
}

// templateLockKey is the advisory-lock key that serializes building one
// template across processes.
func templateLockKey(name string) int64 {
	sum := sha256.Sum256([]byte("grader template lock:" + name))
	return int64(binary.BigEndian.Uint64(sum[:8]))
}

// attemptName names a new attempt's database and role. It carries its creation
// time (base 36 Unix seconds) so a later sweep can tell an abandoned attempt
// from a live one without a catalog of its own.
func attemptName(now time.Time) string {
	return attemptPrefix + strconv.FormatInt(now.Unix(), 36) + "_" + randomHex(5)
}

// attemptCreated reads the creation time back out of an attempt's name.
func attemptCreated(name string) (time.Time, bool) {
	rest, ok := strings.CutPrefix(name, attemptPrefix)
	if !ok {
		return time.Time{}, false
	}
	ts, _, ok := strings.Cut(rest, "_")
	if !ok {
		return time.Time{}, false
	}
	sec, err := strconv.ParseInt(ts, 36, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(sec, 0), true
}

// randomHex returns n random bytes in hex: for names and passwords.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails on supported platforms (Go 1.24+)
	return hex.EncodeToString(b)
}

// ident quotes a name for SQL.
func ident(name string) string { return pgx.Identifier{name}.Sanitize() }

// literal quotes a string constant for SQL (standard_conforming_strings is on
// in every supported server version). Used only for passwords, which DDL cannot
// take as parameters.
func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// withCredentials returns the connection string dsn with its user, password
// and database replaced, keeping host, port, TLS and other settings. It takes
// both forms pgx accepts: a postgres:// URL and keyword=value pairs.
func withCredentials(dsn, user, password, database string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("parse postgres URL: %w", err)
		}
		u.User = url.UserPassword(user, password)
		u.Path = "/" + database
		u.RawPath = ""
		return u.String(), nil
	}
	// Keyword/value form: a later setting overrides an earlier one.
	kv := func(k, v string) string {
		return k + "='" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
	}
	return strings.TrimSpace(dsn) + " " + kv("user", user) + " " + kv("password", password) + " " + kv("dbname", database), nil
}

// redact hides the password in a connection string for messages.
func redact(dsn string) string {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return "(unparsable connection string)"
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
}
