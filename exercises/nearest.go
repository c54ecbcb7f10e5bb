package exercises

import (
	"sort"
	"strings"

	"github.com/agnivade/levenshtein"
)

// Nearest returns up to n candidates close to s, nearest first: those within a
// few edits, and those that contain s or that s contains (so "branch" finds
// "git-branching"). It serves every "did you mean" in grader.
func Nearest(s string, candidates []string, n int) []string {
	type scored struct {
		name string
		d    int
	}
	var near []scored
	limit := max(2, len(s)/3)
	for _, c := range candidates {
		d := levenshtein.ComputeDistance(s, c)
		if d > limit && len(s) >= 3 && (strings.Contains(c, s) || strings.Contains(s, c)) {
			d = limit
		}
		if d <= limit && c != s {
			near = append(near, scored{c, d})
		}
	}
	sort.Slice(near, func(i, j int) bool {
		if near[i].d != near[j].d {
			return near[i].d < near[j].d
		}
		return near[i].name < near[j].name
	})
	out := []string{}
	for i := 0; i < len(near) && i < n; i++ {
		out = append(out, near[i].name)
	}
	return out
}
