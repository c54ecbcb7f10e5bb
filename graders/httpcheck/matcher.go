package httpcheck

import (
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// where a matcher looks decides how it reads values.
type where int

const (
	inJSON   where = iota // a JSON value selected by JSONPath
	inHeader              // a response header: text, or absent
	inBody                // the raw body: text
)

// subject is what a matcher judges: a value, or nothing (a JSONPath that
// selects nothing, a header not sent). In text (headers, raw bodies) v is a
// string that numbers and booleans are compared with by their text.
type subject struct {
	present bool
	v       any
	text    bool
	// many: v is the array of what a JSONPath that can select several
	// values selected; it exists when that array is not empty.
	many bool
}

// matcher is one assertion about a value.
type matcher interface {
	// test reports whether s meets the matcher, with captures v.
	test(s subject, v vars) bool
	// describe says what it wants, after "should": `be "buy milk"`.
	describe(v vars) string
}

// matcherNames are the matchers an author may write, each a mapping key.
var matcherNames = []string{"equals", "contains", "matches", "type", "length", "exists", "absent", "one_of", "gte", "lte", "empty", "not"}

// typeNames are what `type:` takes.
var typeNames = []string{"string", "integer", "number", "boolean", "array", "object", "null"}

// parseMatcher reads an assertion as written: a mapping of matchers (all
// must hold), or a plain value, which must be equal. sc checks the
// captures the values name.
func parseMatcher(n *yaml.Node, field string, w where, sc scope) (matcher, error) {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind == yaml.MappingNode {
		var ms allOf
		var fields []string
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if slices.Contains(matcherNames, k) {
				m, err := parseOne(k, n.Content[i+1], field+"."+k, w, sc)
				if err != nil {
					return nil, err
				}
				ms = append(ms, m)
			} else {
				fields = append(fields, k)
			}
		}
		switch {
		case len(fields) == 0 && len(ms) == 1:
			return ms[0], nil
		case len(fields) == 0 && len(ms) > 0:
			return ms, nil
		case w != inJSON || len(fields) == 1 && len(ms) == 0 || len(ms) > 0:
			msg := fmt.Sprintf("%q is not a matcher (they are %s)", fields[0], strings.Join(matcherNames, ", "))
			if near := nearest(fields[0], matcherNames); len(near) > 0 {
				msg = fmt.Sprintf("%q is not a matcher; did you mean %s?", fields[0], near[0])
			}
			if w == inJSON {
				msg += "; to expect an object holding this key, write {equals: {...}}"
			}
			return nil, paramErr(field+"."+fields[0], "%s", msg)
		}
		// Several keys, none a matcher: an object the value must equal.
	}
	if w == inHeader && n.Kind == yaml.SequenceNode {
		return nil, paramErr(field, "a header is text: write the value, or a matcher such as {contains: ...}")
	}
	return parseEquals(n, field, sc)
}

func parseEquals(n *yaml.Node, field string, sc scope) (matcher, error) {
	if err := sc.checkNode(field, n); err != nil {
		return nil, err
	}
	v, err := nodeValue(n, field)
	if err != nil {
		return nil, err
	}
	return equalsM{v}, nil
}

// parseOne reads one matcher's argument.
func parseOne(name string, n *yaml.Node, field string, w where, sc scope) (matcher, error) {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	boolArg := func() (bool, error) {
		var b bool
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
			return false, paramErr(field, "takes true or false")
		}
		return b, nil
	}
	numArg := func() (*big.Rat, error) {
		if n.Kind == yaml.ScalarNode && (n.ShortTag() == "!!int" || n.ShortTag() == "!!float") {
			if t, err := numberText(n); err == nil {
				r, _ := new(big.Rat).SetString(t)
				return r, nil
			}
		}
		return nil, paramErr(field, "takes a number")
	}
	switch name {
	case "equals":
		return parseEquals(n, field, sc)
	case "contains":
		m, err := parseEquals(n, field, sc)
		if err != nil {
			return nil, err
		}
		if w != inJSON && n.Kind != yaml.ScalarNode {
			return nil, paramErr(field, "takes text: a header or a body is text")
		}
		return containsM{m.(equalsM).want}, nil
	case "matches":
		if n.Kind != yaml.ScalarNode {
			return nil, paramErr(field, "takes a regular expression (RE2), as text")
		}
		if err := sc.check(field, n.Value); err != nil {
			return nil, err
		}
		probe := placeholder().ReplaceAllString(n.Value, "x")
		re, err := regexp.Compile(probe)
		if err != nil {
			return nil, paramErr(field, "%q is not a regular expression (RE2): %v", n.Value, strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		}
		m := matchesM{src: n.Value}
		if probe == n.Value {
			m.re = re
		}
		return m, nil
	case "type":
		if n.Kind != yaml.ScalarNode || !slices.Contains(typeNames, n.Value) {
			return nil, paramErr(field, "%q is not a type; write one of %s", n.Value, strings.Join(typeNames, ", "))
		}
		return typeM{n.Value}, nil
	case "length":
		var l int
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&l) != nil || l < 0 {
			return nil, paramErr(field, "takes a whole number, 0 or more")
		}
		return lengthM{l}, nil
	case "exists":
		b, err := boolArg()
		return existsM{b}, err
	case "absent":
		b, err := boolArg()
		return existsM{!b}, err
	case "empty":
		b, err := boolArg()
		return emptyM{b}, err
	case "one_of":
		if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
			return nil, paramErr(field, "takes a list of the values allowed")
		}
		if err := sc.checkNode(field, n); err != nil {
			return nil, err
		}
		v, err := nodeValue(n, field)
		if err != nil {
			return nil, err
		}
		return oneOfM{v.([]any)}, nil
	case "gte", "lte":
		r, err := numArg()
		if err != nil {
			return nil, err
		}
		return boundM{r, name == "gte"}, nil
	case "not":
		if n.Kind != yaml.MappingNode {
			return nil, paramErr(field, "takes a matcher, such as {equals: 0}")
		}
		m, err := parseMatcher(n, field, w, sc)
		if err != nil {
			return nil, err
		}
		return notM{m}, nil
	}
	return nil, paramErr(field, "unknown matcher")
}

// allOf holds when each of its matchers does.
type allOf []matcher

func (ms allOf) test(s subject, v vars) bool {
	for _, m := range ms {
		if !m.test(s, v) {
			return false
		}
	}
	return true
}

func (ms allOf) describe(v vars) string {
	var parts []string
	for _, m := range ms {
		parts = append(parts, m.describe(v))
	}
	return strings.Join(parts, " and ")
}

type equalsM struct{ want any }

func (m equalsM) test(s subject, v vars) bool {
	if !s.present {
		return false
	}
	want := v.renderValue(m.want)
	if s.text {
		return textOf(want) == s.v
	}
	return equal(want, s.v)
}

func (m equalsM) describe(v vars) string { return "be " + show(v.renderValue(m.want)) }

type containsM struct{ want any }

func (m containsM) test(s subject, v vars) bool {
	if !s.present {
		return false
	}
	want := v.renderValue(m.want)
	switch x := s.v.(type) {
	case string:
		return strings.Contains(x, textOf(want))
	case []any:
		return slices.ContainsFunc(x, func(e any) bool { return equal(want, e) })
	}
	return false
}

func (m containsM) describe(v vars) string { return "contain " + show(v.renderValue(m.want)) }

type matchesM struct {
	src string
	re  *regexp.Regexp // nil when src names captures
}

func (m matchesM) regexp(v vars) *regexp.Regexp {
	if m.re != nil {
		return m.re
	}
	src := placeholder().ReplaceAllStringFunc(m.src, func(p string) string {
		name := placeholder().FindStringSubmatch(p)[1]
		if val, ok := v[name]; ok {
			return regexp.QuoteMeta(textOf(val))
		}
		return regexp.QuoteMeta(p)
	})
	re, err := regexp.Compile(src)
	if err != nil {
		return regexp.MustCompile(`[^\s\S]`) // matches nothing
	}
	return re
}

func (m matchesM) test(s subject, v vars) bool {
	return s.present && m.regexp(v).MatchString(textOf(s.v))
}

func (m matchesM) describe(v vars) string { return "match the pattern " + m.regexp(v).String() }

type typeM struct{ name string }

func (m typeM) test(s subject, _ vars) bool {
	if !s.present {
		return false
	}
	got := typeName(s.v)
	if s.text {
		got = textType(s.v.(string), m.name)
	}
	return got == m.name || m.name == "number" && got == "integer"
}

// textType is the type text reads as, preferring want when it fits: any
// text is a string, "3" is also an integer.
func textType(s, want string) string {
	if want == "string" {
		return "string"
	}
	if v, err := decodeJSON([]byte(s)); err == nil {
		return typeName(v)
	}
	return "string"
}

func (m typeM) describe(vars) string {
	switch m.name {
	case "integer", "array", "object":
		return "be an " + m.name
	case "null":
		return "be null"
	}
	return "be a " + m.name
}

type lengthM struct{ n int }

func (m lengthM) test(s subject, _ vars) bool {
	l, ok := length(s)
	return ok && l == m.n
}

// length is a string's length in characters, an array's or an object's in
// elements.
func length(s subject) (int, bool) {
	if !s.present {
		return 0, false
	}
	switch x := s.v.(type) {
	case string:
		return utf8.RuneCountInString(x), true
	case []any:
		return len(x), true
	case map[string]any:
		return len(x), true
	}
	return 0, false
}

func (m lengthM) describe(vars) string { return fmt.Sprintf("have length %d", m.n) }

type existsM struct{ want bool }

func (m existsM) test(s subject, _ vars) bool {
	if s.many {
		return (len(s.v.([]any)) > 0) == m.want
	}
	return s.present == m.want
}

func (m existsM) describe(vars) string {
	if m.want {
		return "be there"
	}
	return "be absent"
}

type emptyM struct{ want bool }

func (m emptyM) test(s subject, _ vars) bool {
	l, ok := length(s)
	if !s.present {
		return m.want // no header, no body: nothing in it
	}
	return ok && (l == 0) == m.want
}

func (m emptyM) describe(vars) string {
	if m.want {
		return "be empty"
	}
	return "not be empty"
}

type oneOfM struct{ want []any }

func (m oneOfM) test(s subject, v vars) bool {
	for _, w := range m.want {
		if (equalsM{w}).test(s, v) {
			return true
		}
	}
	return false
}

func (m oneOfM) describe(v vars) string {
	var parts []string
	for _, w := range m.want {
		parts = append(parts, show(v.renderValue(w)))
	}
	return "be one of " + strings.Join(parts, ", ")
}

type boundM struct {
	n   *big.Rat
	gte bool
}

func (m boundM) test(s subject, _ vars) bool {
	if !s.present {
		return false
	}
	var r *big.Rat
	switch x := s.v.(type) {
	case json.Number:
		r, _ = ratOf(x)
	case string:
		if s.text {
			if t := strings.TrimSpace(x); jsonNumber().MatchString(t) {
				r, _ = new(big.Rat).SetString(t)
			}
		}
	}
	if r == nil {
		return false
	}
	if m.gte {
		return r.Cmp(m.n) >= 0
	}
	return r.Cmp(m.n) <= 0
}

func (m boundM) describe(vars) string {
	if m.gte {
		return "be at least " + ratText(m.n)
	}
	return "be at most " + ratText(m.n)
}

type notM struct{ m matcher }

func (m notM) test(s subject, v vars) bool { return !m.m.test(s, v) }

func (m notM) describe(v vars) string { return "not " + m.m.describe(v) }

// show writes an expected value in a message: text quoted, JSON compact.
func show(v any) string {
	if s, ok := v.(string); ok {
		return trim(strconv.Quote(s), 120)
	}
	return brief(v)
}

// got says what a subject is, for "..., but it is 3". typed adds its
// JSON type.
func (s subject) got(typed bool) string {
	if !s.present {
		return "it is missing"
	}
	desc := "it is " + show(s.v)
	switch s.v.(type) {
	case []any, map[string]any:
		l, _ := length(s)
		desc += fmt.Sprintf(" (length %d)", l)
	default:
		if typed && !s.text {
			desc += " (" + typeName(s.v) + ")"
		}
	}
	return desc
}

// typed reports whether a failure of m on s should name s's JSON type:
// for a type matcher, and for a value of another type than expected ("1"
// against 1).
func typed(m matcher, s subject, v vars) bool {
	switch m := m.(type) {
	case typeM:
		return true
	case equalsM:
		return s.present && typeName(v.renderValue(m.want)) != typeName(s.v)
	case allOf:
		for _, e := range m {
			if !e.test(s, v) {
				return typed(e, s, v)
			}
		}
	}
	return false
}
