package httpcheck

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/theory/jsonpath"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// expectation is what an answer must be.
type expectation struct {
	status  []int // nil: any success (200 to 399)
	maxTime time.Duration
	cookies []cookieCheck
	content
}

// content is what a request's answer, or a webhook grader received, must
// hold: headers and body.
type content struct {
	headers []headerCheck
	json    any
	hasJSON bool
	paths   []pathCheck
	schema  *schema
	body    matcher
}

type headerCheck struct {
	name string
	m    matcher
}

type pathCheck struct {
	src  string
	path *jsonpath.Path
	// many: the path can select several values (a wildcard, a filter), so
	// its subject is the array of what it selects.
	many bool
	m    matcher
}

// schema is a compiled JSON Schema with its source, for Expected.
type schema struct {
	src any
	s   *jsonschema.Schema
}

// problem is why an answer is wrong, for the learner.
type problem struct {
	msg string
	// quiet says it without quoting what the check expects, for a hidden
	// check (whose message CI shows); "" when msg quotes nothing.
	quiet            string
	expected, actual string
}

// text is the problem for a visible or a hidden check.
func (p *problem) text(hidden bool) string {
	if hidden && p.quiet != "" {
		return p.quiet
	}
	return p.msg
}

func compileExpect(es expectSpec, field string, sc scope) (*expectation, error) {
	e := &expectation{maxTime: es.MaxTime}
	switch n := &es.Status; n.Kind {
	case 0:
	case yaml.ScalarNode:
		s, err := statusCode(n, field+".status")
		if err != nil {
			return nil, err
		}
		e.status = []int{s}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			s, err := statusCode(c, fmt.Sprintf("%s.status[%d]", field, i))
			if err != nil {
				return nil, err
			}
			e.status = append(e.status, s)
		}
		if len(e.status) == 0 {
			return nil, paramErr(field+".status", "list at least one status")
		}
	default:
		return nil, paramErr(field+".status", "write a status such as 201, or a list such as [200, 204]")
	}
	if e.maxTime < 0 || e.maxTime > 0 && e.maxTime < time.Millisecond {
		return nil, paramErr(field+".max_time", "%s must be a positive duration such as 2s or 500ms", e.maxTime)
	}
	c, err := compileContent(field, &es.Headers, &es.JSON, &es.JSONPath, &es.Schema, &es.Body, sc)
	if err != nil {
		return nil, err
	}
	e.content = *c
	if e.cookies, err = compileCookies(es.Cookies, field, sc); err != nil {
		return nil, err
	}
	return e, nil
}

func statusCode(n *yaml.Node, field string) (int, error) {
	s, err := strconv.Atoi(n.Value)
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || err != nil {
		return 0, paramErr(field, "%q is not an HTTP status such as 200", n.Value)
	}
	if s < 100 || s > 599 {
		return 0, paramErr(field, "%d is not an HTTP status (they run from 100 to 599)", s)
	}
	return s, nil
}

// compileContent compiles the header and body assertions shared by expect
// and webhooks.
func compileContent(field string, headers, json, paths, sch, body *yaml.Node, sc scope) (*content, error) {
	c := &content{}
	if headers.Kind != 0 {
		if headers.Kind != yaml.MappingNode {
			return nil, paramErr(field+".headers", "write a mapping of header names to values or matchers")
		}
		for i := 0; i+1 < len(headers.Content); i += 2 {
			name := headers.Content[i].Value
			f := field + ".headers." + name
			if !headerName().MatchString(name) {
				return nil, paramErr(f, "%q is not a header name", name)
			}
			m, err := parseMatcher(headers.Content[i+1], f, inHeader, sc)
			if err != nil {
				return nil, err
			}
			c.headers = append(c.headers, headerCheck{name: http.CanonicalHeaderKey(name), m: m})
		}
	}
	if json.Kind != 0 {
		if err := sc.checkNode(field+".json", json); err != nil {
			return nil, err
		}
		v, err := nodeValue(json, field+".json")
		if err != nil {
			return nil, err
		}
		c.json, c.hasJSON = v, true
	}
	if paths.Kind != 0 {
		if paths.Kind != yaml.MappingNode {
			return nil, paramErr(field+".jsonpath", "write a mapping of JSONPaths ($.id) to values or matchers")
		}
		for i := 0; i+1 < len(paths.Content); i += 2 {
			src := paths.Content[i].Value
			f := field + ".jsonpath." + src
			p, err := parsePath(src, f)
			if err != nil {
				return nil, err
			}
			m, err := parseMatcher(paths.Content[i+1], f, inJSON, sc)
			if err != nil {
				return nil, err
			}
			c.paths = append(c.paths, pathCheck{src: src, path: p, many: p.Query().Singular() == nil, m: m})
		}
	}
	if sch.Kind != 0 {
		s, err := compileSchema(sch, field+".schema")
		if err != nil {
			return nil, err
		}
		c.schema = s
	}
	if body.Kind != 0 {
		m, err := parseMatcher(body, field+".body", inBody, sc)
		if err != nil {
			return nil, err
		}
		c.body = m
	}
	return c, nil
}

// schemaURL names an author's schema inside the compiler.
const schemaURL = "https://grader.invalid/check.schema.json"

// compileSchema compiles a JSON Schema (draft 2020-12 unless it says
// otherwise) written in YAML. Formats (email, date-time, uuid ...) are
// asserted; references reach nothing outside the schema.
func compileSchema(n *yaml.Node, field string) (*schema, error) {
	v, err := nodeValue(n, field)
	if err != nil {
		return nil, err
	}
	switch v.(type) {
	case map[string]any, bool:
	default:
		return nil, paramErr(field, "a JSON Schema is a mapping, such as {type: object, required: [id]}")
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(jsonschema.SchemeURLLoader{}) // no files, no network
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(schemaURL, v); err != nil {
		return nil, paramErr(field, "not a JSON Schema: %v", err)
	}
	s, err := c.Compile(schemaURL)
	if err != nil {
		msg := err.Error()
		var se *jsonschema.SchemaValidationError
		if errors.As(err, &se) && se.Err != nil {
			msg = schemaErrors(se.Err)
		}
		return nil, paramErr(field, "not a valid JSON Schema: %s", strings.ReplaceAll(msg, schemaURL, "schema"))
	}
	return &schema{src: v, s: s}, nil
}

// printer words jsonschema's reasons in English; made on first use, since
// most checks never print a schema error.
var printer = sync.OnceValue(func() *message.Printer { return message.NewPrinter(language.English) })

// schemaErrors says where a value breaks a schema: up to three of the
// deepest reasons, each with its JSONPath.
func schemaErrors(err error) string {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return err.Error()
	}
	var out []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			out = append(out, fmt.Sprintf("at %s: %s", pointerPath(e.InstanceLocation), e.ErrorKind.LocalizedString(printer())))
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	if len(out) > 3 {
		out = append(out[:3], fmt.Sprintf("and %d more", len(out)-3))
	}
	return strings.Join(out, "; ")
}

// schemaPlaces says where a value breaks a schema, without saying what
// the schema wants: for a hidden check.
func schemaPlaces(err error) string {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return ""
	}
	var at []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if p := pointerPath(e.InstanceLocation); len(e.Causes) == 0 && !slices.Contains(at, p) {
			at = append(at, p)
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return " (at " + strings.Join(at[:min(len(at), 3)], ", ") + ")"
}

// pointerPath writes a JSON Pointer's tokens as a JSONPath.
func pointerPath(tokens []string) string {
	p := "$"
	for _, t := range tokens {
		if i, err := strconv.Atoi(t); err == nil && i >= 0 {
			p += fmt.Sprintf("[%d]", i)
		} else {
			p = memberPath(p, t)
		}
	}
	return p
}

// headerNames are the headers an expectation names, to show them.
func (c *content) headerNames() []string {
	var out []string
	for _, h := range c.headers {
		out = append(out, h.name)
	}
	return out
}

// needsJSON reports whether the assertions read the body as JSON.
func (c *content) needsJSON() bool {
	return c.hasJSON || len(c.paths) > 0 || c.schema != nil
}

// check judges an answer.
func (e *expectation) check(r *response, v vars) *problem {
	if !e.statusOK(r.status) {
		return &problem{
			msg:   fmt.Sprintf("expected %s, got %d", e.describeStatus(), r.status),
			quiet: fmt.Sprintf("it answered %d, not the status this check expects", r.status),
		}
	}
	if e.maxTime > 0 && r.elapsed > e.maxTime {
		return &problem{
			msg:   fmt.Sprintf("it answered in %s, more than the %s allowed (max_time)", round(r.elapsed), e.maxTime),
			quiet: fmt.Sprintf("it answered in %s, slower than this check allows", round(r.elapsed)),
		}
	}
	if p := e.content.check(r.header, r.body, r.JSON, v); p != nil {
		return p
	}
	for i := range e.cookies {
		if p := e.cookies[i].check(r.header, v); p != nil {
			return p
		}
	}
	return nil
}

func (e *expectation) statusOK(s int) bool {
	if e.status == nil {
		return s >= 200 && s < 400
	}
	return slices.Contains(e.status, s)
}

func (e *expectation) describeStatus() string {
	switch len(e.status) {
	case 0:
		return "a success status (200 to 399)"
	case 1:
		return fmt.Sprintf("status %d", e.status[0])
	}
	var parts []string
	for _, s := range e.status {
		parts = append(parts, strconv.Itoa(s))
	}
	return "status " + strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}

// check judges headers and a body; doc decodes the body as JSON.
func (c *content) check(h http.Header, body []byte, doc func() (any, error), v vars) *problem {
	for _, hc := range c.headers {
		vals := h.Values(hc.name)
		s := subject{present: len(vals) > 0, v: strings.Join(vals, ", "), text: true}
		if !hc.m.test(s, v) {
			got := "it was not sent"
			if s.present {
				got = "it is " + show(s.v)
			}
			return &problem{
				msg:   fmt.Sprintf("its %s header should %s, but %s", hc.name, hc.m.describe(v), got),
				quiet: fmt.Sprintf("its %s header is not what this check expects (%s)", hc.name, got),
			}
		}
	}
	if c.body != nil {
		s := subject{present: true, v: string(body), text: true}
		if !c.body.test(s, v) {
			got := "it is empty"
			if len(body) > 0 {
				got = "it is " + show(trim(string(body), 200))
			}
			return &problem{
				msg:   fmt.Sprintf("its body should %s, but %s", c.body.describe(v), got),
				quiet: fmt.Sprintf("its body is not what this check expects (%s)", got),
			}
		}
	}
	if !c.needsJSON() {
		return nil
	}
	got, err := doc()
	if err != nil {
		return &problem{msg: fmt.Sprintf("expected a JSON body, but %s", lowerFirst(err.Error()))}
	}
	if c.hasJSON {
		want := v.renderValue(c.json)
		if d := diff(want, got, "$"); d != nil {
			return &problem{
				msg:      "the JSON body is not the one expected: " + d.String(),
				quiet:    "the JSON body is not the one this check expects: " + d.quiet(),
				expected: pretty(want),
				actual:   trim(pretty(got), 4000),
			}
		}
	}
	for _, pc := range c.paths {
		nodes := pc.path.Select(got)
		s := subject{present: len(nodes) == 1, many: pc.many}
		if pc.many {
			s.present, s.v = true, []any(nodes)
		} else if s.present {
			s.v = nodes[0]
		}
		if pc.m.test(s, v) {
			continue
		}
		got := s.got(typed(pc.m, s, v))
		p := &problem{
			msg:   fmt.Sprintf("%s should %s, but %s", pc.src, pc.m.describe(v), got),
			quiet: fmt.Sprintf("%s is not what this check expects (%s)", pc.src, got),
		}
		if eq, ok := pc.m.(equalsM); ok && s.present {
			want := v.renderValue(eq.want)
			if d := diff(want, s.v, pc.src); d != nil && d.path != pc.src {
				p.msg += ": " + d.String()
			}
			p.expected, p.actual = pretty(want), trim(pretty(s.v), 4000)
		}
		return p
	}
	if c.schema != nil {
		if err := c.schema.s.Validate(got); err != nil {
			return &problem{
				msg:      "the JSON body does not match the schema expected: " + schemaErrors(err),
				quiet:    "the JSON body does not have the shape this check expects" + schemaPlaces(err),
				expected: pretty(c.schema.src),
				actual:   trim(pretty(got), 4000),
			}
		}
	}
	return nil
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
