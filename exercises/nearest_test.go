package exercises

import (
	"slices"
	"testing"
)

func TestNearest(t *testing.T) {
	ids := []string{"git-basics", "git-branching", "git-merge-conflict", "git-rebase", "git-reset", "git-revert", "git-tags", "sql-joins"}
	tests := []struct {
		name string
		s    string
		n    int
		want []string
	}{
		{"one typo", "git-brnching", 3, []string{"git-branching"}},
		{"transposed letters", "git-mrege-conflict", 3, []string{"git-merge-conflict"}},
		{"a word of the id", "branch", 3, []string{"git-branching"}},
		{"the id inside a longer word", "git-tags-advanced", 3, []string{"git-tags"}},
		{"nearest first", "git-rebsae", 3, []string{"git-rebase", "git-reset"}},
		{"equally near by name", "git-reve", 3, []string{"git-reset", "git-revert"}},
		{"at most n", "git-reve", 1, []string{"git-reset"}},
		{"n of zero", "git-reve", 0, []string{}},
		{"the exact match is not a suggestion", "git-tags", 3, []string{}},
		{"nothing close", "kubernetes", 3, []string{}},
		{"a short word is no substring match", "gi", 3, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Nearest(tt.s, ids, tt.n)
			if got == nil || !slices.Equal(got, tt.want) {
				t.Errorf("Nearest(%q, %d) = %#v, want %#v", tt.s, tt.n, got, tt.want)
			}
		})
	}
}

func TestNearestMore(t *testing.T) {
	kinds := []string{"git.branch", "git.clean", "git.file", "git.head", "git.merge", "git.tag", "git.tree"}
	if got := Nearest("git.brnch", kinds, 3); !slices.Equal(got, []string{"git.branch"}) {
		t.Errorf("Nearest(git.brnch) = %v, want [git.branch]", got)
	}
	// A near typo ranks before an id that merely contains the word.
	if got := Nearest("rebase", []string{"git-rebase", "rebased"}, 3); !slices.Equal(got, []string{"rebased", "git-rebase"}) {
		t.Errorf("Nearest(rebase) = %v, want [rebased git-rebase]", got)
	}
	// Every candidate within two edits of a short name is offered, nearest first.
	if got := Nearest("git.tre", kinds, 3); len(got) == 0 || got[0] != "git.tree" {
		t.Errorf("Nearest(git.tre) = %v, want git.tree first", got)
	}
}
