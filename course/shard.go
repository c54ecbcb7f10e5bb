package course

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Shard is one machine's share of a batch: shard Index of Count, counted
// from 1 as Jest's and Playwright's --shard are.
type Shard struct {
	Index, Count int
}

// ParseShard reads "I/N" (1 ≤ I ≤ N).
func ParseShard(s string) (Shard, error) {
	i, n, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Shard{}, fmt.Errorf("--shard %q: write it as I/N, such as 2/8 for the second of eight machines", s)
	}
	sh := Shard{}
	var err1, err2 error
	sh.Index, err1 = strconv.Atoi(i)
	sh.Count, err2 = strconv.Atoi(n)
	if err1 != nil || err2 != nil || sh.Count < 1 || sh.Index < 1 || sh.Index > sh.Count {
		return Shard{}, fmt.Errorf("--shard %q: I and N are whole numbers with 1 ≤ I ≤ N, such as 2/8", s)
	}
	return sh, nil
}

// String is the I/N form.
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Pick returns the indexes into subs of this shard's submissions, in the
// order given. The share depends only on the set of submissions, not on
// their order: the distinct names are sorted and dealt round-robin, so N
// machines given the same list, in any order, grade each submission exactly
// once, and their shares differ in size by at most one. A name given twice
// is one submission: all its places go to the same shard.
func (s Shard) Pick(subs []string) []int {
	if s.Count <= 1 {
		all := make([]int, len(subs))
		for i := range all {
			all[i] = i
		}
		return all
	}
	names := slices.Clone(subs)
	slices.Sort(names)
	names = slices.Compact(names)
	mine := map[string]bool{}
	for i, name := range names {
		if i%s.Count == s.Index-1 {
			mine[name] = true
		}
	}
	var out []int
	for i, name := range subs {
		if mine[name] {
			out = append(out, i)
		}
	}
	return out
}
