package code

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// writeResults lays out a results file as the harness does: a reserved MiB
// of newlines, overwritten from the start by the lines it reports.
func writeResults(tb testing.TB, lines ...string) (out, own string) {
	tb.Helper()
	out, own = tb.TempDir(), ".grader-n"
	if err := os.MkdirAll(filepath.Join(out, own), 0o755); err != nil {
		tb.Fatal(err)
	}
	reserved := bytes.Repeat([]byte("\n"), 1<<20)
	var head []byte
	for _, l := range lines {
		head = append(head, l+"\n"...)
	}
	copy(reserved, head)
	if err := os.WriteFile(filepath.Join(out, own, "results.jsonl"), reserved, 0o644); err != nil {
		tb.Fatal(err)
	}
	return out, own
}

func TestReadResultsKeepsOwnershipChecks(t *testing.T) {
	out, own := writeResults(t,
		`{"id":"a","nonce":"good","status":"ok","value":1}`,
		`{"id":"b","nonce":"forged","status":"ok","value":2}`,
		`{"id":"c","nonce":"good","status":"ok","value":3}`,
		`{"id":"c","nonce":"good","status":"ok","value":4}`,
		`not json`,
		`{"id":"","nonce":"good"}`,
	)
	rr := &runResult{results: map[string]*caseResult{}, dup: map[string]bool{}}
	if err := rr.readResults(out, own, "good"); err != nil {
		t.Fatal(err)
	}
	if rr.results["a"] == nil || string(rr.results["a"].Value) != "1" {
		t.Errorf("case a: got %+v, want its value 1", rr.results["a"])
	}
	if rr.results["b"] != nil {
		t.Errorf("a line with another nonce was kept: %+v", rr.results["b"])
	}
	if !rr.dup["c"] || string(rr.results["c"].Value) != "3" {
		t.Errorf("case c reported twice: dup=%v first=%s, want dup and the first line", rr.dup["c"], rr.results["c"].Value)
	}
	if len(rr.results) != 2 {
		t.Errorf("got %d results, want 2 (a, c)", len(rr.results))
	}
}

// BenchmarkReadResults reads a results file of three cases in the
// harness's reserved MiB, the common case of every check.
func BenchmarkReadResults(b *testing.B) {
	out, own := writeResults(b,
		`{"id":"a","nonce":"good","status":"ok","value":1}`,
		`{"id":"b","nonce":"good","status":"ok","value":2}`,
		`{"id":"c","nonce":"good","status":"ok","value":3}`,
	)
	for b.Loop() {
		rr := &runResult{results: map[string]*caseResult{}, dup: map[string]bool{}}
		if err := rr.readResults(out, own, "good"); err != nil || len(rr.results) != 3 {
			b.Fatalf("got %d results, err %v", len(rr.results), err)
		}
	}
}
