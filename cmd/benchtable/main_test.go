package main

import (
	"bytes"
	"strings"
	"testing"
)

const missed = "pkg: github.com/backendroadmap/grader/cmd/grader\n" +
	"BenchmarkCheckVsGit/solved/vs-git-status-2 100 23313979 ns/op 3540401 git-ns/op 19667885 grader-ns/op 5.555 x-git\n"

// TestRun: a missed target is shown and exits 0 unless -strict; a bad
// format is a usage error; json is JSON.
func TestRun(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		out  string
	}{
		{nil, 0, "x-git < 4: MISSED"},
		{[]string{"-strict"}, 1, "x-git < 4: MISSED"},
		{[]string{"-format", "json"}, 0, `"missed": 1`},
		{[]string{"-format", "yaml"}, 2, ""},
	} {
		var out, errb bytes.Buffer
		if code := run(c.args, strings.NewReader(missed), &out, &errb); code != c.code || !strings.Contains(out.String(), c.out) {
			t.Errorf("benchtable %v: exit %d, output %q (stderr %q); want exit %d with %q", c.args, code, out.String(), errb.String(), c.code, c.out)
		}
	}
}
