package report

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/backendroadmap/grader/runner"
)

// writeTAP writes TAP version 14. One report is one test document with a
// test point per check. Several reports are a document with one commented
// subtest per report (TAP 14 "# Subtest: name", the report's checks indented
// four spaces, then a test point with the same name that passes only when
// the report passed), so TAP 13 harnesses, which ignore indented lines, still
// count one result per report.
func writeTAP(b *bytes.Buffer, rs []*runner.Report) {
	b.WriteString("TAP version 14\n")
	if len(rs) == 1 {
		writeTAPReport(b, rs[0], "")
		return
	}
	fmt.Fprintf(b, "1..%d\n", len(rs))
	for i, r := range rs {
		name := tapEscape(label(r))
		b.WriteString("# Subtest: " + name + "\n")
		writeTAPReport(b, r, "    ")
		if norm(r.Status) == runner.Pass {
			fmt.Fprintf(b, "ok %d - %s\n", i+1, name)
			continue
		}
		fmt.Fprintf(b, "not ok %d - %s\n", i+1, name)
		writeYAML(b, "  ", []yamlField{
			{key: "message", value: oneLine(verdict(r))},
			{key: "severity", value: string(norm(r.Status))},
			{key: "score", value: strconv.Itoa(r.Score), number: true},
			{key: "max_score", value: strconv.Itoa(r.MaxScore), number: true},
		})
	}
}

// writeTAPReport writes one report's plan and test points under indent.
func writeTAPReport(b *bytes.Buffer, r *runner.Report, indent string) {
	if len(r.Checks) == 0 {
		b.WriteString(indent + "1..0 # no checks to run\n")
		return
	}
	fmt.Fprintf(b, "%s1..%d\n", indent, len(r.Checks))
	for i, c := range r.Checks {
		name := tapEscape(checkName(c))
		switch st := norm(c.Status); st {
		case runner.Pass:
			fmt.Fprintf(b, "%sok %d - %s\n", indent, i+1, name)
		case runner.Skip:
			fmt.Fprintf(b, "%sok %d - %s # SKIP %s\n", indent, i+1, name, tapEscape(oneLine(c.Message)))
		default:
			fmt.Fprintf(b, "%snot ok %d - %s\n", indent, i+1, name)
			fields := []yamlField{
				{key: "message", value: strings.TrimSpace(clean(c.Message))},
				{key: "severity", value: string(st)},
			}
			for _, v := range []yamlField{{key: "expected", value: c.Expected}, {key: "actual", value: c.Actual}} {
				if v.value == "" {
					continue
				}
				shown, more := clip(v.value)
				fields = append(fields, yamlField{key: v.key, value: clean(shown)})
				if more != "" {
					fields = append(fields, yamlField{key: v.key + "_truncated", value: clipNote(shown, more)})
				}
			}
			fields = append(fields,
				yamlField{key: "hint", value: strings.TrimSpace(clean(c.Hint))},
				yamlField{key: "duration_ms", value: strconv.FormatInt(c.DurationMS, 10), number: true},
			)
			writeYAML(b, indent+"  ", fields)
		}
	}
	b.WriteString(indent + "# " + tapEscape(oneLine(verdict(r))) + "\n")
}

// tapEscape escapes what TAP 14 gives a meaning to in a description or
// reason: a backslash, and # (which would start a directive).
func tapEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "#", `\#`).Replace(s)
}

// yamlField is one line of a TAP diagnostic block.
type yamlField struct {
	key, value string
	number     bool // written bare rather than as a string
}

// writeYAML writes a TAP diagnostic block. Fields with an empty value are
// left out.
func writeYAML(b *bytes.Buffer, indent string, fields []yamlField) {
	b.WriteString(indent + "---\n")
	for _, f := range fields {
		if f.value == "" {
			continue
		}
		if f.number {
			b.WriteString(indent + f.key + ": " + f.value + "\n")
			continue
		}
		b.WriteString(indent + f.key + ": " + yamlString(f.value, indent+"  ") + "\n")
	}
	b.WriteString(indent + "...\n")
}

// yamlString writes a cleaned string as a YAML scalar: a literal block when
// it has several lines and a block can hold it exactly, so output reads as
// it was printed (|- without a final line break, | with one, and an explicit
// indentation of 2 when the first line starts with a space); a bare word
// when YAML cannot read it as anything but that string; otherwise
// double-quoted. Go's quoting is valid YAML here because clean has already
// escaped every control character and invalid byte, leaving only \" \\ \n
// \t and \u escapes, which YAML shares.
func yamlString(s, indent string) string {
	if yamlWord().MatchString(s) && !yamlKeywords[s] {
		return s
	}
	body, chomp := s, "|-"
	if strings.HasSuffix(s, "\n") {
		body, chomp = strings.TrimSuffix(s, "\n"), "|"
	}
	if !strings.Contains(s, "\n") || !blockSafe(body) {
		return strconv.Quote(s)
	}
	if strings.HasPrefix(body, " ") {
		chomp = chomp[:1] + "2" + chomp[1:]
	}
	var b strings.Builder
	b.WriteString(chomp)
	for _, line := range strings.Split(body, "\n") {
		b.WriteString("\n")
		if line != "" {
			b.WriteString(indent + line)
		}
	}
	return b.String()
}

// yamlWord matches strings YAML reads as plain strings, unless they are one
// of yamlKeywords.
//
// Compiled on first use, not in package init, which every grader start pays.
var yamlWord = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z][a-z_]*$`) })

// yamlKeywords are the words some YAML parsers read as booleans or null.
var yamlKeywords = map[string]bool{
	"true": true, "false": true, "null": true, "yes": true, "no": true,
	"on": true, "off": true, "y": true, "n": true,
}

// blockSafe reports whether a literal block scalar holds body exactly: it
// must not start with a blank line or a tab (which would confuse the
// block's indentation), nor end with a line break or blanks (which the
// block's chomping would strip), nor hold a line a TAP harness could take
// for the end of the diagnostic block.
func blockSafe(body string) bool {
	if body == "" || strings.HasPrefix(body, "\n") || strings.HasPrefix(body, "\t") {
		return false
	}
	lines := strings.Split(body, "\n")
	for _, line := range lines {
		if t := strings.TrimSpace(line); t == "..." || t == "---" {
			return false
		}
	}
	last := lines[len(lines)-1]
	return strings.TrimRight(last, " \t") == last && last != "" && !strings.ContainsRune(body, '\uFEFF')
}
