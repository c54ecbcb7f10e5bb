// Package runnertest builds what a [runner.Kind] gets from the spec loader,
// for the tests of check kinds: a check's `with:` block and the exercise's
// `services.<name>` blocks, decoded strictly from YAML as the loader does
// (an unknown field is an error). Tests import it; grader itself never does.
package runnertest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/backendroadmap/grader/runner"
)

// Params returns the [runner.Params] of a check whose `with:` block is with
// (see [Decoder]), with files as the exercise's folder (nil: none) and no
// services block (see [Services] to add some).
func Params(t testing.TB, with any, files fs.FS) runner.Params {
	t.Helper()
	return runner.Params{Decode: Decoder(t, with), Files: files}
}

// Decoder returns a [runner.Params].Decode for a block: YAML text, or any
// value (a map[string]any, say) that is marshalled to YAML first. nil and ""
// are an empty block, which decodes into nothing. Decoding is strict, as in
// the spec loader: a field the kind does not know is an error.
func Decoder(t testing.TB, block any) func(v any) error {
	t.Helper()
	var data []byte
	switch b := block.(type) {
	case nil:
	case string:
		data = []byte(b)
	case []byte:
		data = b
	default:
		var err error
		if data, err = yaml.Marshal(b); err != nil {
			t.Fatalf("runnertest: marshal %v: %v", block, err)
		}
	}
	return func(v any) error {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		return nil
	}
}

// Services returns a [runner.Params].Service for an exercise whose
// `services:` blocks are blocks, by name (each YAML text or a value, as in
// [Decoder]). A service the exercise does not declare is an error wrapping
// [runner.ErrNoService], as the loader's is.
func Services(t testing.TB, blocks map[string]any) func(name string, v any) error {
	t.Helper()
	decoders := map[string]func(any) error{}
	for name, b := range blocks {
		decoders[name] = Decoder(t, b)
	}
	return func(name string, v any) error {
		dec, ok := decoders[name]
		if !ok {
			return fmt.Errorf("services.%s: %w", name, runner.ErrNoService)
		}
		return dec(v)
	}
}

// Attempt makes a workspace holding files (slash path → content) in a
// folder the test removes, and an attempt on it with a [runner.Memo] the
// test closes: what the runner hands a check.
func Attempt(t testing.TB, files map[string]string) runner.Attempt {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	a := runner.Attempt{Dir: dir, Memo: &runner.Memo{}}
	t.Cleanup(a.Memo.Close)
	return a
}

// Run runs c on a as the runner does: [runner.Preparer.Prepare] first when
// c has one, whose learner's errors ([runner.Failure]) fail the check and
// whose other errors are the check's own.
func Run(t testing.TB, c runner.Checker, a runner.Attempt) runner.Outcome {
	t.Helper()
	if p, ok := c.(runner.Preparer); ok {
		if err := p.Prepare(t.Context(), a); err != nil {
			return runner.Errored(err)
		}
	}
	return c.Check(t.Context(), a)
}

// Want reports an error unless out has status s and its message holds every
// part: what a learner reads is what the tests of check kinds assert.
func Want(t testing.TB, what string, out runner.Outcome, s runner.Status, parts ...string) {
	t.Helper()
	if out.Status != s {
		msg := fmt.Sprintf("%s: status %s, want %s; message: %s", what, out.Status, s, out.Message)
		if out.Detail != "" {
			msg += "\ndetail: " + out.Detail
		}
		if out.Expected != "" || out.Actual != "" {
			msg += fmt.Sprintf("\nexpected: %s\nactual: %s", out.Expected, out.Actual)
		}
		t.Error(msg)
		return
	}
	for _, p := range parts {
		if !strings.Contains(out.Message, p) {
			t.Errorf("%s: message %q lacks %q", what, out.Message, p)
		}
	}
}
