package code

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// maxShownErrors is how many compile errors a message lists.
const maxShownErrors = 8

// compileProblem returns a learner-facing message when the learner's code
// does not compile (Python: a syntax error in any file; Go: go build
// failed), or "".
func compileProblem(rr *runResult, lang string) string {
	if rr.pre == nil {
		return ""
	}
	switch lang {
	case Python:
		if len(rr.pre.Syntax) == 0 {
			return ""
		}
		var b strings.Builder
		b.WriteString("Python cannot read your code:")
		for i, e := range rr.pre.Syntax {
			if i == maxShownErrors {
				fmt.Fprintf(&b, "\n  ... and %d more", len(rr.pre.Syntax)-i)
				break
			}
			fmt.Fprintf(&b, "\n  %s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
			if e.Text != "" {
				fmt.Fprintf(&b, "\n      %s", strings.TrimSpace(e.Text))
			}
		}
		return b.String()
	case Go:
		if rr.pre.Build == 0 {
			return ""
		}
		return "your package does not compile:" + goDiagnostics(string(rr.pre.BuildOut))
	}
	return ""
}

// vetProblem returns go vet's findings as a message, or "".
func vetProblem(rr *runResult) string {
	if rr.pre == nil || rr.pre.Vet == 0 {
		return ""
	}
	return "go vet reports problems:" + goDiagnostics(string(rr.pre.VetOut))
}

// goDiagLine matches a diagnostic of the go tool: "./stack.go:12:5: msg",
// with an optional "vet: " in front.
//
// Compiled on first use, not in package init, which every grader start pays.
var goDiagLine = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(?:vet: )?(?:\./|/work/)?([^\s:]+\.go):(\d+)(?::(\d+))?: (.*)$`)
})

// goDiagnostics turns the go tool's output into indented lines of
// file:line:column: message, naming the exercise's own test files for what
// they are, so a learner knows which function the tests expect.
func goDiagnostics(out string) string {
	var b strings.Builder
	shown := 0
	for line := range strings.SplitSeq(out, "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" || strings.HasPrefix(line, "# ") || strings.HasPrefix(line, "FAIL") {
			continue
		}
		if shown == maxShownErrors {
			b.WriteString("\n  ... and more")
			break
		}
		if m := goDiagLine().FindStringSubmatch(line); m != nil {
			file, pos, msg := m[1], m[2], m[4]
			if m[3] != "" {
				pos += ":" + m[3]
			}
			if strings.HasPrefix(file, "grader_") {
				fmt.Fprintf(&b, "\n  the exercise's tests: %s (define it in your package as the instructions say)", msg)
			} else {
				fmt.Fprintf(&b, "\n  %s:%s: %s", file, pos, msg)
			}
		} else {
			fmt.Fprintf(&b, "\n  %s", excerpt(line, 300))
		}
		shown++
	}
	if shown == 0 {
		b.WriteString("\n  (the go tool said nothing more)")
	}
	return b.String()
}
