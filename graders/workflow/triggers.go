package workflow

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/rhysd/actionlint"
)

// Trigger is an event a workflow must run on: push to a branch or of a
// tag, or a pull request whose base is a branch.
type Trigger struct {
	// Event is push or pull_request (also pull_request_target).
	Event string `yaml:"event"`
	// Branch is the branch pushed to, or the pull request's base branch.
	// Empty means any branch (the event must be there, whatever its filters).
	Branch string `yaml:"branch"`
	// Tag, for a push, is the tag pushed (v1.2.0) instead of a branch: a
	// release workflow runs on tags.
	Tag string `yaml:"tag"`
}

func (t Trigger) String() string {
	switch {
	case t.Tag != "":
		return "a push of the tag " + t.Tag
	case t.Branch == "":
		return eventWords(t.Event)
	case t.Event == "push":
		return "pushes to " + t.Branch
	}
	return eventWords(t.Event) + " to " + t.Branch
}

func eventWords(e string) string {
	switch e {
	case "push":
		return "pushes"
	case "pull_request":
		return "pull requests"
	}
	return e + " events"
}

// triggers reports whether wf runs on t, and when not, why, with a line.
// Paths filters are not judged (they depend on the files a push changes).
func triggers(s *source, wf *actionlint.Workflow, t Trigger) (bool, string) {
	for _, ev := range wf.On {
		we, ok := ev.(*actionlint.WebhookEvent)
		if !ok || !strings.EqualFold(we.EventName(), t.Event) {
			continue
		}
		where := s.at(we.Pos)
		if t.Tag != "" {
			return tagTriggers(where, we, t.Tag)
		}
		if t.Branch == "" {
			return true, ""
		}
		if !we.Branches.IsEmpty() {
			if !filterMatches(we.Branches.Values, t.Branch) {
				return false, fmt.Sprintf("%s: `%s` runs only on the branches %s, not %s", where, t.Event, values(we.Branches.Values), t.Branch)
			}
			return true, ""
		}
		if !we.BranchesIgnore.IsEmpty() {
			if filterMatches(we.BranchesIgnore.Values, t.Branch) {
				return false, fmt.Sprintf("%s: `%s` ignores %s (branches-ignore)", where, t.Event, t.Branch)
			}
			return true, ""
		}
		if t.Event == "push" && (!we.Tags.IsEmpty() || !we.TagsIgnore.IsEmpty()) {
			return false, fmt.Sprintf("%s: `push` with only a tags filter runs on tags, not on pushes to %s: add `branches: [%s]`", where, t.Branch, t.Branch)
		}
		return true, ""
	}
	return false, fmt.Sprintf("the workflow does not run on %s: add `%s` under `on:`", t, eventSnippet(t))
}

// tagTriggers reports whether a push event runs on a push of tag, as
// GitHub decides: a workflow that filters only branches does not run on
// tags, nor one that filters only tags on branches.
func tagTriggers(where string, we *actionlint.WebhookEvent, tag string) (bool, string) {
	switch {
	case !we.Tags.IsEmpty():
		if !filterMatches(we.Tags.Values, tag) {
			return false, fmt.Sprintf("%s: `push` runs only on the tags %s, not %s", where, values(we.Tags.Values), tag)
		}
	case !we.TagsIgnore.IsEmpty():
		if filterMatches(we.TagsIgnore.Values, tag) {
			return false, fmt.Sprintf("%s: `push` ignores the tag %s (tags-ignore)", where, tag)
		}
	case !we.Branches.IsEmpty() || !we.BranchesIgnore.IsEmpty():
		return false, fmt.Sprintf("%s: `push` with only a branches filter runs on branches, not on tags: add `tags:` with a pattern that matches %s beside `branches:`", where, tag)
	}
	return true, ""
}

func eventSnippet(t Trigger) string {
	if t.Tag != "" {
		return fmt.Sprintf("push: tags: [%q]", t.Tag)
	}
	if t.Branch == "" {
		return t.Event + ":"
	}
	return fmt.Sprintf("%s: branches: [%s]", t.Event, t.Branch)
}

func values(vs []*actionlint.String) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = v.Value
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// filterMatches applies a branch filter as GitHub does: patterns in
// order, a later `!pattern` taking back what an earlier one matched.
func filterMatches(patterns []*actionlint.String, branch string) bool {
	matched := false
	for _, p := range patterns {
		v := p.Value
		if neg, ok := strings.CutPrefix(v, "!"); ok {
			if globMatch(neg, branch) {
				matched = false
			}
			continue
		}
		if globMatch(v, branch) {
			matched = true
		}
	}
	return matched
}

// globMatch matches GitHub's filter patterns: * (not /), ** (anything),
// ? (zero or one of the previous character), + (one or more of it), [...].
func globMatch(pattern, name string) bool {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case c == '*' && i+1 < len(pattern) && pattern[i+1] == '*':
			b.WriteString(".*")
			i++
		case c == '*':
			b.WriteString("[^/]*")
		case c == '?' || c == '+':
			b.WriteByte(c)
		case c == '[':
			j := strings.IndexByte(pattern[i:], ']')
			if j < 0 {
				b.WriteString(`\[`)
				continue
			}
			b.WriteString(pattern[i : i+j+1])
			i += j
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return pattern == name
	}
	return re.MatchString(name)
}
