package report

import "strings"

// Invisible differences: an expected and an actual value that differ only
// in characters a terminal does not show (a space at the end of a line, a
// tab for spaces, a Windows line ending, a no-break space) look the same,
// and the learner cannot see what to change. When that is all that
// differs, both are shown with those characters made visible.

// invisibleNote explains the marks, under the values.
const invisibleNote = "(they differ only in characters you cannot see: · is a space at the end of a line, → a tab, ␍ a carriage return, ⍽ a no-break space, ∅ a zero-width character, ⏎ a line break at the end)"

// invisibleOnly reports whether exp and act differ, but not once the
// characters showInvisible marks are removed.
func invisibleOnly(exp, act string) bool {
	return exp != act && exp != "" && act != "" && bare(exp) == bare(act)
}

// bare drops what a terminal does not show.
func bare(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r", ""), "\n")
	for i, l := range lines {
		l = strings.NewReplacer("\t", " ", "\u00a0", " ", "\u200b", "", "\u200c", "", "\u200d", "", "\ufeff", "").Replace(l)
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n")
}

// showInvisible marks the characters that bare drops: trailing spaces,
// tabs, carriage returns, no-break and zero-width spaces, and a missing or
// extra line break at the end (shown as ⏎).
func showInvisible(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		l = strings.NewReplacer("\t", "→", "\r", "␍", "\u00a0", "⍽", "\u200b", "∅", "\u200c", "∅", "\u200d", "∅", "\ufeff", "∅").Replace(l)
		trimmed := strings.TrimRight(l, " ")
		lines[i] = trimmed + strings.Repeat("·", len(l)-len(trimmed))
	}
	if n := len(lines); n > 1 && lines[n-1] == "" {
		lines[n-1] = "⏎"
	}
	return strings.Join(lines, "\n")
}
