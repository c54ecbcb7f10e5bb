package postgres

import (
	"encoding/base64"
	"strings"
	"testing"
)

// TestSCRAMVerifier: the verifier is the one PostgreSQL itself stores for
// the same password, salt and work factor (PostgreSQL 15's CREATE ROLE
// grader_scram_vector PASSWORD 'pencil', read back from pg_authid).
func TestSCRAMVerifier(t *testing.T) {
	const fromPostgres = "SCRAM-SHA-256$4096:t5E8nz5rueQIcF91de7rAA==$JswK6dJfnLLwk1pJ4IMQTKFkrYyhgTSn5KNwJfVbCPk=:HbjI8btOwzUvh/JPT+uq/DkV2C/ZgkmVrKeBupyQ9eM="
	salt, err := base64.StdEncoding.DecodeString("t5E8nz5rueQIcF91de7rAA==")
	if err != nil {
		t.Fatal(err)
	}
	got, err := scramVerifierWith("pencil", salt, 4096)
	if err != nil || got != fromPostgres {
		t.Errorf("verifier = %q, %v; want PostgreSQL's %q", got, err, fromPostgres)
	}
	if got, _ := scramVerifierWith("pencil!", salt, 4096); got == fromPostgres {
		t.Error("another password gave the same verifier")
	}
}

// TestSCRAMVerifierSalted: each verifier has a salt of its own and the
// work factor grader chose.
func TestSCRAMVerifierSalted(t *testing.T) {
	a, errA := scramVerifier("secret")
	b, errB := scramVerifier("secret")
	if errA != nil || errB != nil || a == b {
		t.Fatalf("two verifiers of one password: %q, %q (%v, %v); want different salts", a, b, errA, errB)
	}
	if !strings.HasPrefix(a, "SCRAM-SHA-256$16:") {
		t.Errorf("verifier %q does not carry the work factor 16", a)
	}
}
