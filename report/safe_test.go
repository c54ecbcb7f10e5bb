package report

import (
	"strings"
	"testing"
)

func TestWrapKeepsCodeSpansWhole(t *testing.T) {
	got := wrap("branch feature/greeting does not exist: create it with `git switch -c feature/greeting` and retry", 50)
	for _, l := range got {
		if strings.Count(l, "`")%2 == 1 {
			t.Fatalf("a code span was broken across lines: %q", got)
		}
	}
	if len(got) < 2 {
		t.Fatalf("a long line was not wrapped: %q", got)
	}
}
