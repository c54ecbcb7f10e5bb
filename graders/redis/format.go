package redis

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// formatValue renders a reply as redis-cli prints it (an array as
// numbered lines such as `1) "alice"`), so what a learner sees in a
// message matches what they saw at their prompt.
func formatValue(v any) string {
	var b strings.Builder
	writeValue(&b, v, "")
	return strings.TrimSuffix(b.String(), "\n")
}

func writeValue(b *strings.Builder, v any, indent string) {
	switch v := v.(type) {
	case nil:
		b.WriteString("(nil)\n")
	case string:
		b.WriteString(quoteString(v) + "\n")
	case int64:
		fmt.Fprintf(b, "(integer) %d\n", v)
	case float64:
		b.WriteString("(double) " + strconv.FormatFloat(v, 'f', -1, 64) + "\n")
	case bool:
		fmt.Fprintf(b, "(boolean) %v\n", v)
	case []any:
		if len(v) == 0 {
			b.WriteString("(empty array)\n")
			return
		}
		width := len(strconv.Itoa(len(v)))
		for i, e := range v {
			if i > 0 {
				b.WriteString(indent)
			}
			label := fmt.Sprintf("%*d) ", width, i+1)
			b.WriteString(label)
			writeValue(b, e, indent+strings.Repeat(" ", len(label)))
		}
	default:
		fmt.Fprintf(b, "%v\n", v)
	}
}

// formatReply renders a reply, value or error.
func formatReply(r reply) string {
	if r.err != "" {
		return "(error) " + r.err
	}
	return formatValue(r.val)
}

// sortedValue sorts an array reply's elements by their rendering, for
// commands whose order Redis does not define (SMEMBERS, HKEYS).
func sortedValue(v any) any {
	arr, ok := v.([]any)
	if !ok {
		return v
	}
	out := append([]any(nil), arr...)
	sort.SliceStable(out, func(i, j int) bool { return formatValue(out[i]) < formatValue(out[j]) })
	return out
}

// maxShownLines bounds an Expected or Actual value: enough for a top 10
// with scores, short enough for a terminal.
const maxShownLines = 24

// showReplies renders a sequence of replies compactly: one block per
// command, headed by the command when there are several.
func showReplies(rs []reply, unordered bool) string {
	var parts []string
	for _, r := range rs {
		s := formatReply(r)
		if unordered && r.err == "" {
			s = formatValue(sortedValue(r.val))
		}
		if len(rs) > 1 {
			s = "> " + r.cmd.String() + "\n" + s
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return "(no commands)"
	}
	return clipLines(strings.Join(parts, "\n"), maxShownLines)
}

// clipLines keeps the first n lines of s and says how many it dropped.
func clipLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) <= n {
		return s
	}
	return strings.Join(lines[:n], "\n") + fmt.Sprintf("\n… (%d more lines)", len(lines)-n)
}

// listDiff says how got differs from want, both ordered lists, in a line:
// what is missing, what is extra, or else where the order first differs.
func listDiff(want, got []string) string {
	if missing, extra := setDiff(want, got); missing != "" || extra != "" {
		return joinNonEmpty(missing, extra)
	}
	if len(want) != len(got) {
		return fmt.Sprintf("%d items where %d were expected (duplicates?)", len(got), len(want))
	}
	for i := range want {
		if want[i] != got[i] {
			return fmt.Sprintf("item %d is %s where %s was expected: the order differs", i+1, quoteArg(got[i]), quoteArg(want[i]))
		}
	}
	return ""
}

// setDiff names what is in want but not got, and the reverse, as
// "missing: a, b" and "unexpected: c"; empty when both hold the same.
func setDiff(want, got []string) (missing, extra string) {
	in := func(xs []string) map[string]int {
		m := map[string]int{}
		for _, x := range xs {
			m[x]++
		}
		return m
	}
	w, g := in(want), in(got)
	var miss, ext []string
	for _, x := range want {
		if g[x] == 0 {
			miss = append(miss, quoteArg(x))
		}
	}
	for _, x := range got {
		if w[x] == 0 {
			ext = append(ext, quoteArg(x))
		}
	}
	if len(miss) > 0 {
		missing = "missing: " + joinFew(miss)
	}
	if len(ext) > 0 {
		extra = "unexpected: " + joinFew(ext)
	}
	return missing, extra
}

// joinFew joins up to five items and counts the rest.
func joinFew(xs []string) string {
	if len(xs) <= 5 {
		return strings.Join(xs, ", ")
	}
	return strings.Join(xs[:5], ", ") + fmt.Sprintf(" and %d more", len(xs)-5)
}

func joinNonEmpty(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "; ")
}
