package httpcheck

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/agnivade/levenshtein"
	"go.yaml.in/yaml/v3"

	"github.com/backendroadmap/grader/runner"
)

// startsParams are http.starts's parameters.
type startsParams struct {
	// Fresh starts a server for this check alone.
	Fresh bool `yaml:"fresh"`
}

// requestsParams are http.requests's parameters.
type requestsParams struct {
	// Fresh gives the check a new server process (on the attempt's same
	// database and Redis) instead of the attempt's shared one.
	Fresh bool `yaml:"fresh"`
	// Requests are sent in order; each one's answer must meet its expect.
	Requests []requestSpec `yaml:"requests"`
	// Webhooks are requests the server must have sent to $HOOKS_URL while
	// the check ran, looked for after the requests.
	Webhooks []webhookSpec `yaml:"webhooks"`
}

// requestSpec is one request of http.requests (or of http.openapi's setup).
type requestSpec struct {
	Name    string            `yaml:"name"`
	Method  string            `yaml:"method"`
	Path    string            `yaml:"path"`
	Query   map[string]string `yaml:"query"`
	Headers map[string]string `yaml:"headers"`
	// JSON is a body sent as JSON, in the order written.
	JSON yaml.Node         `yaml:"json"`
	Form map[string]string `yaml:"form"`
	Body *string           `yaml:"body"`
	// Jar sends the cookies of the named jar and keeps those the answer
	// sets, as one browser would (alice's, the attacker's).
	Jar string `yaml:"jar"`
	// Repeat sends the request that many times in a row (default 1).
	Repeat int `yaml:"repeat"`
	// Wait pauses before the request is sent.
	Wait    time.Duration        `yaml:"wait"`
	Expect  expectSpec           `yaml:"expect"`
	Capture map[string]yaml.Node `yaml:"capture"`
}

// expectSpec is what an answer must be. Headers and JSONPath are mappings
// kept as nodes, so their assertions run (and fail) in the order written.
type expectSpec struct {
	Status   yaml.Node     `yaml:"status"`
	Headers  yaml.Node     `yaml:"headers"`
	JSON     yaml.Node     `yaml:"json"`
	JSONPath yaml.Node     `yaml:"jsonpath"`
	Schema   yaml.Node     `yaml:"schema"`
	Body     yaml.Node     `yaml:"body"`
	MaxTime  time.Duration `yaml:"max_time"`
	// Cookies are cookies the answer must set (or clear), by name.
	Cookies map[string]cookieSpec `yaml:"cookies"`
}

// webhookSpec is one request the learner's server must send to $HOOKS_URL.
type webhookSpec struct {
	Within   time.Duration `yaml:"within"`
	Method   string        `yaml:"method"`
	Path     string        `yaml:"path"`
	Headers  yaml.Node     `yaml:"headers"`
	JSON     yaml.Node     `yaml:"json"`
	JSONPath yaml.Node     `yaml:"jsonpath"`
	Schema   yaml.Node     `yaml:"schema"`
	Body     yaml.Node     `yaml:"body"`
}

// rawWith captures a check's whole `with:` block as a YAML node. It is not
// a struct, so the loader's strict decoding (which checks a struct's field
// names) hands it the node untouched, and nested fields can then be
// checked as strictly as the top-level ones.
type rawWith []*yaml.Node

// UnmarshalYAML keeps the node.
func (r *rawWith) UnmarshalYAML(n *yaml.Node) error {
	*r = rawWith{n}
	return nil
}

// decodeParams fills v from the check's `with:` block, then checks every
// nested mapping's keys against v's structs: an unknown field anywhere is
// the author's error, with its path. The first Decode is v's own, so the
// schema generator sees v's type.
func decodeParams(p runner.Params, v any) error {
	if p.Decode == nil {
		return nil
	}
	if err := p.Decode(v); err != nil {
		return err
	}
	var raw rawWith
	if err := p.Decode(&raw); err != nil {
		return err
	}
	if len(raw) == 0 || raw[0] == nil {
		return nil
	}
	return strictFields(raw[0], reflect.TypeOf(v).Elem(), "")
}

var (
	nodeType     = reflect.TypeFor[yaml.Node]()
	durationType = reflect.TypeFor[time.Duration]()
)

// strictFields walks n as yaml would decode it into t, reporting the first
// mapping key that names no field.
func strictFields(n *yaml.Node, t reflect.Type, field string) error {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	join := func(name string) string {
		if field == "" {
			return name
		}
		return field + "." + name
	}
	if t == nodeType || t == durationType {
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return nil // yaml's own decoding reported it
		}
		known := map[string]reflect.Type{}
		var names []string
		for f := range t.Fields() {
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "" || name == "-" {
				continue
			}
			known[name] = f.Type
			names = append(names, name)
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			ft, ok := known[k]
			if !ok {
				msg := "unknown field"
				if near := nearest(k, names); len(near) > 0 {
					msg += "; did you mean " + strings.Join(near, ", ") + "?"
				} else {
					msg += "; it takes " + strings.Join(names, ", ")
				}
				return paramErr(join(k), "%s", msg)
			}
			if err := strictFields(n.Content[i+1], ft, join(k)); err != nil {
				return err
			}
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return nil
		}
		for i, c := range n.Content {
			if err := strictFields(c, t.Elem(), fmt.Sprintf("%s[%d]", field, i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return nil
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := strictFields(n.Content[i+1], t.Elem(), join(n.Content[i].Value)); err != nil {
				return err
			}
		}
	}
	return nil
}

// nearest returns the candidates within two edits of s, closest first.
func nearest(s string, candidates []string) []string {
	type cand struct {
		name string
		d    int
	}
	var cs []cand
	for _, c := range candidates {
		if d := levenshtein.ComputeDistance(strings.ToLower(s), strings.ToLower(c)); d <= 2 && d < len(c) {
			cs = append(cs, cand{c, d})
		}
	}
	slices.SortStableFunc(cs, func(a, b cand) int { return a.d - b.d })
	var out []string
	for _, c := range cs {
		out = append(out, c.name)
	}
	return out
}

// paramErr builds the error the spec loader points at the parameter's line.
func paramErr(field, format string, args ...any) error {
	return &runner.ParamError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// placeholder is {{name}}: a capture substituted into a request.
var placeholder = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}`) })

// captureName is what a capture may be called.
var captureName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`) })

// names returns the capture names s refers to.
func names(s string) []string {
	var out []string
	for _, m := range placeholder().FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

// scope is the set of capture names defined so far while compiling.
type scope map[string]bool

// check reports the first {{name}} in s that is not defined yet.
func (sc scope) check(field, s string) error {
	for _, n := range names(s) {
		if !sc[n] {
			return sc.undefined(field, n)
		}
	}
	return nil
}

func (sc scope) undefined(field, name string) error {
	if len(sc) == 0 {
		return paramErr(field, "{{%s}} is not a capture defined by an earlier request (none defines any): add `capture: {%s: $.%s}` to the request that answers it", name, name, name)
	}
	var defined []string
	for n := range sc {
		defined = append(defined, n)
	}
	slices.Sort(defined)
	msg := fmt.Sprintf("{{%s}} is not a capture defined by an earlier request (defined so far: %s)", name, strings.Join(defined, ", "))
	if near := nearest(name, defined); len(near) > 0 {
		msg += "; did you mean {{" + near[0] + "}}?"
	}
	return paramErr(field, "%s", msg)
}

// checkNode reports the first undefined {{name}} in any string (or key) of n.
func (sc scope) checkNode(field string, n *yaml.Node) error {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case yaml.ScalarNode:
		return sc.check(field, n.Value)
	case yaml.AliasNode:
		return sc.checkNode(field, n.Alias)
	}
	for _, c := range n.Content {
		if err := sc.checkNode(field, c); err != nil {
			return err
		}
	}
	return nil
}

// vars are the captures of a check so far: name → JSON value.
type vars map[string]any

// render substitutes every {{name}} in s with the capture's text.
func (v vars) render(s string) string {
	if !strings.Contains(s, "{{") {
		return s
	}
	return placeholder().ReplaceAllStringFunc(s, func(m string) string {
		name := placeholder().FindStringSubmatch(m)[1]
		if val, ok := v[name]; ok {
			return textOf(val)
		}
		return m
	})
}

// renderValue substitutes captures in the strings (and keys) of a JSON
// value. A string that is exactly one {{name}} takes the capture's own JSON
// value, so `{parent: "{{id}}"}` sends a number when id was one.
func (v vars) renderValue(x any) any {
	switch x := x.(type) {
	case string:
		if m := placeholder().FindStringSubmatchIndex(x); m != nil && m[0] == 0 && m[1] == len(x) {
			if val, ok := v[x[m[2]:m[3]]]; ok {
				return val
			}
		}
		return v.render(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = v.renderValue(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[v.render(k)] = v.renderValue(e)
		}
		return out
	}
	return x
}
