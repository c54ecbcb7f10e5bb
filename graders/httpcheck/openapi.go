package httpcheck

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/backendroadmap/grader/runner"
)

// openapiParams are http.openapi's parameters.
type openapiParams struct {
	Fresh bool `yaml:"fresh"`
	// Spec is the OpenAPI 3 document, a file of the exercise folder.
	Spec string `yaml:"spec"`
	// Operations are operationIds to call, in this order (default: all, in
	// the order orderOperations gives).
	Operations []string `yaml:"operations"`
	// Params give path, query, header and cookie parameters (and security
	// schemes) their values; {{name}} takes a setup request's capture.
	Params map[string]string `yaml:"params"`
	// Setup requests run first; their captures feed params.
	Setup []requestSpec `yaml:"setup"`
	// Malformed also sends input the document does not allow.
	Malformed bool `yaml:"malformed"`
}

// openapiCheck is a compiled http.openapi.
type openapiCheck struct {
	ops       []*operation
	setup     *sequence
	params    map[string]string
	port      int
	command   string
	malformed int // how many malformed requests, for the pass message
}

// operation is one operation of the document, ready to call.
type operation struct {
	id     string // its operationId, or "METHOD /path"
	method string
	path   string // the document's template: /todos/{id}
	route  *routers.Route
	params []*openapi3.Parameter // the path item's and the operation's
	// fallback is each parameter's documented or generated value, by
	// paramKey.
	fallback map[string]any
	body     *bodyPlan
	// auth sends the credentials params give for its security schemes.
	auth      []credential
	malformed []malformedInput
}

// bodyPlan is a valid request body.
type bodyPlan struct {
	mediaType string
	json      bool // else a form
	value     any  // as encoding/json decodes
	schema    *openapi3.Schema
	required  []string
	props     map[string]*openapi3.Schema
}

// credential is a security scheme's value, where it goes.
type credential struct {
	in, name, prefix string // in: header, query, cookie
	param            string // the params entry holding it
	basic            bool   // base64 of user:password
}

// malformedInput is one request the document does not allow.
type malformedInput struct {
	what string
	// body replaces the valid body when set.
	body []byte
	// pathParam, when set, takes pathValue instead of a valid value.
	pathParam, pathValue string
}

func paramKey(p *openapi3.Parameter) string { return p.In + ":" + p.Name }

// methodRank orders an operation's methods on one path: create first, so
// later calls find something to read, change and delete.
var methodRank = map[string]int{http.MethodPost: 0, http.MethodGet: 1, http.MethodPut: 2, http.MethodPatch: 3}

// compileOpenAPI builds http.openapi: every operation of an OpenAPI 3
// document, called with valid input, answers a documented status with a
// body its schema accepts; with malformed, input the document does not
// allow gets a documented 4xx, never a 5xx.
func (k *kinds) compileOpenAPI(p runner.Params) (runner.Checker, error) {
	var prm openapiParams
	s, err := compileServer(p, &prm)
	if err != nil {
		return nil, err
	}
	if prm.Spec == "" {
		return nil, paramErr("spec", "is required: the OpenAPI 3 document, a file of the exercise folder such as openapi.yaml")
	}
	doc, err := loadDocument(p.Files, prm.Spec)
	if err != nil {
		return nil, err
	}
	all, err := documentOperations(doc)
	if err != nil {
		return nil, err
	}
	c := &openapiCheck{params: prm.Params, port: s.port, command: s.command}
	opField := map[*operation]string{}
	if len(prm.Operations) == 0 {
		c.ops = orderOperations(all)
		for _, op := range c.ops {
			opField[op] = "spec"
		}
	}
	var ids []string
	for _, op := range all {
		ids = append(ids, op.id)
	}
	for i, id := range prm.Operations {
		f := fmt.Sprintf("operations[%d]", i)
		j := slices.IndexFunc(all, func(op *operation) bool { return op.id == id })
		if j < 0 {
			msg := fmt.Sprintf("%q is not an operationId of %s", id, prm.Spec)
			if near := nearest(id, ids); len(near) > 0 {
				msg += "; did you mean " + near[0] + "?"
			} else {
				msg += " (it has " + strings.Join(ids, ", ") + ")"
			}
			return nil, paramErr(f, "%s", msg)
		}
		if slices.Contains(c.ops, all[j]) {
			return nil, paramErr(f, "%q is listed twice", id)
		}
		c.ops = append(c.ops, all[j])
		opField[all[j]] = f
	}
	sc := scope{}
	if len(prm.Setup) > 0 {
		c.setup = &sequence{what: "Setup request", port: s.port, command: s.command, hidden: p.Hidden}
		for i, rs := range prm.Setup {
			r, err := compileRequest(rs, fmt.Sprintf("setup[%d]", i), sc)
			if err != nil {
				return nil, err
			}
			c.setup.requests = append(c.setup.requests, r)
		}
	}
	known := map[string]bool{}
	if doc.Components != nil {
		for name := range doc.Components.SecuritySchemes {
			known[name] = true
		}
	}
	for _, op := range c.ops {
		for _, prm := range op.params {
			known[prm.Name] = true
		}
	}
	for _, name := range slices.Sorted(maps.Keys(prm.Params)) {
		f := "params." + name
		if !known[name] {
			msg := "no operation checked has a parameter " + name + ", and no security scheme has that name"
			if near := nearest(name, slices.Sorted(maps.Keys(known))); len(near) > 0 {
				msg += "; did you mean " + near[0] + "?"
			}
			return nil, paramErr(f, "%s", msg)
		}
		if err := sc.check(f, prm.Params[name]); err != nil {
			return nil, err
		}
	}
	opts := validationOptions(doc)
	for _, op := range c.ops {
		if err := op.plan(doc, prm.Params, prm.Malformed, opField[op], opts); err != nil {
			return nil, err
		}
		c.malformed += len(op.malformed)
	}
	if prm.Malformed && c.malformed == 0 {
		return nil, paramErr("malformed", "none of the operations checked takes a JSON body or a path parameter of a type text can break: there is no malformed input to send")
	}
	return k.checker(s, prm.Fresh, c.run), nil
}

// loadDocument reads and validates the OpenAPI document; its $refs may
// name other files of the exercise folder, nothing else.
func loadDocument(files fs.FS, name string) (*openapi3.T, error) {
	clean := path.Clean(name)
	if !fs.ValidPath(clean) || strings.Contains(name, `\`) {
		return nil, paramErr("spec", "%q must be a relative, slash-separated path inside the exercise folder", name)
	}
	if files == nil {
		return nil, paramErr("spec", "no exercise folder to read %s from", name)
	}
	data, err := fs.ReadFile(files, clean)
	if err != nil {
		return nil, paramErr("spec", "cannot read %s from the exercise folder: %v", name, err)
	}
	loader := openapi3.NewLoader()
	loader.Context = context.Background()
	loader.ReadFromURIFunc = func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
		p := path.Clean(strings.TrimPrefix(u.Path, "/"))
		if u.Scheme != "" || u.Host != "" || !fs.ValidPath(p) {
			return nil, fmt.Errorf("%s: a $ref may name only files of the exercise folder", u)
		}
		return fs.ReadFile(files, p)
	}
	doc, err := loader.LoadFromDataWithPath(data, &url.URL{Path: clean})
	if err != nil {
		return nil, paramErr("spec", "%s is not an OpenAPI 3 document: %v", name, err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, paramErr("spec", "%s is not a valid OpenAPI 3 document: %v", name, err)
	}
	if doc.Paths == nil || doc.Paths.Len() == 0 {
		return nil, paramErr("spec", "%s documents no paths", name)
	}
	return doc, nil
}

// documentOperations lists the document's operations.
func documentOperations(doc *openapi3.T) ([]*operation, error) {
	var ops []*operation
	seen := map[string]bool{}
	for _, p := range slices.Sorted(maps.Keys(doc.Paths.Map())) {
		item := doc.Paths.Value(p)
		for _, method := range slices.Sorted(maps.Keys(item.Operations())) {
			o := item.Operations()[method]
			op := &operation{id: o.OperationID, method: strings.ToUpper(method), path: p}
			if op.id == "" {
				op.id = op.method + " " + p
			}
			if seen[op.id] {
				return nil, paramErr("spec", "operationId %s is used twice", op.id)
			}
			seen[op.id] = true
			op.route = &routers.Route{Spec: doc, Path: p, PathItem: item, Method: op.method, Operation: o}
			byKey := map[string]*openapi3.Parameter{}
			var order []string
			for _, refs := range []openapi3.Parameters{item.Parameters, o.Parameters} {
				for _, r := range refs {
					if r == nil || r.Value == nil {
						continue
					}
					k := paramKey(r.Value)
					if _, ok := byKey[k]; !ok {
						order = append(order, k)
					}
					byKey[k] = r.Value
				}
			}
			for _, k := range order {
				op.params = append(op.params, byKey[k])
			}
			ops = append(ops, op)
		}
	}
	return ops, nil
}

// orderOperations puts every operation but DELETE first, path by path
// (a collection before its items), POST, GET, PUT, PATCH and others on
// each; then the DELETEs, deepest path first, so nothing is deleted
// before the operations that read it ran.
func orderOperations(ops []*operation) []*operation {
	rank := func(m string) int {
		if r, ok := methodRank[m]; ok {
			return r
		}
		return len(methodRank)
	}
	var rest, deletes []*operation
	for _, op := range ops {
		if op.method == http.MethodDelete {
			deletes = append(deletes, op)
		} else {
			rest = append(rest, op)
		}
	}
	slices.SortStableFunc(rest, func(a, b *operation) int {
		if c := strings.Compare(a.path, b.path); c != 0 {
			return c
		}
		return rank(a.method) - rank(b.method)
	})
	slices.SortStableFunc(deletes, func(a, b *operation) int { return strings.Compare(b.path, a.path) })
	return append(rest, deletes...)
}

// validationOptions are the schema options the document's version needs.
func validationOptions(doc *openapi3.T) []openapi3.SchemaValidationOption {
	if doc.IsOpenAPI31OrLater() {
		return []openapi3.SchemaValidationOption{openapi3.EnableJSONSchema2020()}
	}
	return nil
}

// plan works out, once, the valid input of op and its malformed inputs.
// field is where an author fixes a problem: the operation's entry in
// operations, or spec.
func (op *operation) plan(doc *openapi3.T, given map[string]string, malformed bool, field string, opts []openapi3.SchemaValidationOption) error {
	errf := func(format string, args ...any) error {
		return paramErr(field, "operation %s: %s", op.id, fmt.Sprintf(format, args...))
	}
	reqOpts := append([]openapi3.SchemaValidationOption{openapi3.VisitAsRequest()}, opts...)
	op.fallback = map[string]any{}
	for _, prm := range op.params {
		if _, ok := given[prm.Name]; ok {
			continue
		}
		if !prm.Required && prm.In != openapi3.ParameterInPath {
			continue
		}
		v, documented := paramExample(prm)
		if !documented {
			var ok bool
			if prm.Schema == nil {
				return errf("parameter %s has no schema: give it a value in params", prm.Name)
			}
			if v, ok = generate(prm.Schema, 0); !ok {
				return errf("grader cannot make a valid value for parameter %s from its schema: give it an example in the document, or a value in params", prm.Name)
			}
		}
		if prm.Schema != nil && prm.Schema.Value != nil {
			if err := prm.Schema.Value.VisitJSON(v, reqOpts...); err != nil {
				if !documented {
					return errf("grader cannot make a valid value for parameter %s from its schema (it made %s: %v): give it an example in the document, or a value in params", prm.Name, brief(v), err)
				}
				return errf("the example of parameter %s (%s) does not match its schema: %v", prm.Name, brief(v), err)
			}
		}
		op.fallback[paramKey(prm)] = v
	}
	if err := op.planBody(reqOpts, errf); err != nil {
		return err
	}
	op.planAuth(doc, given)
	if !malformed {
		return nil
	}
	op.planMalformed(reqOpts)
	if len(op.malformed) > 0 && len(op.documented4xx()) == 0 {
		return errf("with malformed: true it gets input the document does not allow, but it documents no 4xx answer (nor a default): document a 400 or 422")
	}
	return nil
}

// paramExample is a parameter's documented value, if any.
func paramExample(prm *openapi3.Parameter) (any, bool) {
	if prm.Example != nil {
		return plain(prm.Example), true
	}
	for _, name := range slices.Sorted(maps.Keys(prm.Examples)) {
		if e := prm.Examples[name]; e != nil && e.Value != nil && e.Value.Value != nil {
			return plain(e.Value.Value), true
		}
	}
	if prm.Schema != nil && prm.Schema.Value != nil {
		if v, ok := example(prm.Schema.Value); ok {
			return plain(v), true
		}
	}
	return nil, false
}

// planBody picks the request body: JSON where the operation takes it,
// else a form; its example, else one generated from the schema.
func (op *operation) planBody(opts []openapi3.SchemaValidationOption, errf func(string, ...any) error) error {
	rb := op.route.Operation.RequestBody
	if rb == nil || rb.Value == nil || len(rb.Value.Content) == 0 {
		return nil
	}
	var mt string
	for _, name := range slices.Sorted(maps.Keys(rb.Value.Content)) {
		base, _, _ := strings.Cut(name, ";")
		switch {
		case base == jsonType || strings.HasSuffix(base, "+json") || base == "*/*" || base == "application/*":
			mt = name
		case base == formType && mt == "":
			mt = name
		}
	}
	if mt == "" {
		if rb.Value.Required {
			return errf("its request body is %s, which http.openapi cannot send (it sends JSON or forms): leave the operation out of operations", strings.Join(slices.Sorted(maps.Keys(rb.Value.Content)), ", "))
		}
		return nil
	}
	media := rb.Value.Content[mt]
	b := &bodyPlan{mediaType: mt, json: !strings.HasPrefix(mt, formType)}
	if b.mediaType == "*/*" || b.mediaType == "application/*" {
		b.mediaType = jsonType
	}
	var sch *openapi3.Schema
	if media.Schema != nil {
		sch = media.Schema.Value
	}
	v, ok := any(nil), false
	switch {
	case media.Example != nil:
		v, ok = plain(media.Example), true
	case len(media.Examples) > 0:
		for _, name := range slices.Sorted(maps.Keys(media.Examples)) {
			if e := media.Examples[name]; e != nil && e.Value != nil && e.Value.Value != nil {
				v, ok = plain(e.Value.Value), true
				break
			}
		}
	}
	documented := ok
	if !ok {
		if v, ok = generate(media.Schema, 0); !ok {
			return errf("grader cannot make a valid request body from its schema: add an example to the document")
		}
	}
	if sch != nil {
		if err := sch.VisitJSON(v, opts...); err != nil {
			if !documented {
				return errf("grader cannot make a valid request body from its schema (it made %s: %v): add an example to the document", trim(compact(v), 200), err)
			}
			return errf("its request body example %s does not match its schema: %v", trim(compact(v), 200), err)
		}
		full := sch
		if len(sch.AllOf) > 0 {
			full = mergeAllOf(sch)
		}
		b.schema, b.required = sch, full.Required
		b.props = map[string]*openapi3.Schema{}
		for name, p := range full.Properties {
			if p != nil && p.Value != nil {
				b.props[name] = p.Value
			}
		}
	}
	b.value = v
	op.body = b
	return nil
}

// planAuth finds the credentials params give for the operation's
// security: the first requirement whose every scheme has a value.
func (op *operation) planAuth(doc *openapi3.T, given map[string]string) {
	reqs := doc.Security
	if op.route.Operation.Security != nil {
		reqs = *op.route.Operation.Security
	}
	if doc.Components == nil {
		return
	}
	for _, req := range reqs {
		var creds []credential
		ok := len(req) > 0
		for _, name := range slices.Sorted(maps.Keys(req)) {
			ref := doc.Components.SecuritySchemes[name]
			if _, has := given[name]; !has || ref == nil || ref.Value == nil {
				ok = false
				break
			}
			s := ref.Value
			switch {
			case s.Type == "apiKey":
				creds = append(creds, credential{in: s.In, name: s.Name, param: name})
			case s.Type == "http" && strings.EqualFold(s.Scheme, "bearer"):
				creds = append(creds, credential{in: "header", name: "Authorization", prefix: "Bearer ", param: name})
			case s.Type == "http" && strings.EqualFold(s.Scheme, "basic"):
				creds = append(creds, credential{in: "header", name: "Authorization", prefix: "Basic ", param: name, basic: true})
			default:
				ok = false
			}
		}
		if ok {
			op.auth = creds
			return
		}
	}
}

// planMalformed lists the inputs the document does not allow: a body that
// is not JSON, one without each required property, one with a property of
// the wrong type, and each typed path parameter given text.
func (op *operation) planMalformed(opts []openapi3.SchemaValidationOption) {
	const most = 5 // of each sort
	if b := op.body; b != nil && b.json {
		first := "title"
		if len(b.required) > 0 {
			first = b.required[0]
		}
		op.malformed = append(op.malformed, malformedInput{what: "a body that is not JSON", body: fmt.Appendf(nil, "{%q: ", first)})
		if obj, ok := b.value.(map[string]any); ok && b.schema != nil {
			invalid := func(m map[string]any) bool { return b.schema.VisitJSON(m, opts...) != nil }
			for _, name := range b.required[:min(len(b.required), most)] {
				m := maps.Clone(obj)
				delete(m, name)
				if invalid(m) {
					op.malformed = append(op.malformed, malformedInput{what: fmt.Sprintf("a body without its required property %q", name), body: jsonBytes(m)})
				}
			}
			names := slices.Sorted(maps.Keys(b.props))
			slices.SortStableFunc(names, func(x, y string) int {
				return boolRank(slices.Contains(b.required, x)) - boolRank(slices.Contains(b.required, y))
			})
			n := 0
			for _, name := range names {
				typ := singleType(b.props[name])
				wrong, desc := wrongValue(typ)
				if typ == "" || b.props[name].ReadOnly {
					continue
				}
				m := maps.Clone(obj)
				m[name] = wrong
				if !invalid(m) {
					continue
				}
				op.malformed = append(op.malformed, malformedInput{what: fmt.Sprintf("a body whose property %q is %s, not %s", name, desc, article(typ)), body: jsonBytes(m)})
				if n++; n == most {
					break
				}
			}
		}
	}
	for _, prm := range op.params {
		if prm.In != openapi3.ParameterInPath || prm.Schema == nil || prm.Schema.Value == nil {
			continue
		}
		typ := singleType(prm.Schema.Value)
		bad := map[string]string{"integer": "not-a-number", "number": "not-a-number", "boolean": "maybe"}[typ]
		if bad == "" || prm.Schema.Value.VisitJSON(bad, opts...) == nil {
			continue
		}
		op.malformed = append(op.malformed, malformedInput{
			what:      fmt.Sprintf("path parameter %s as %q, not %s", prm.Name, bad, article(typ)),
			pathParam: prm.Name, pathValue: bad,
		})
	}
}

func boolRank(b bool) int {
	if b {
		return 0
	}
	return 1
}

// singleType is a schema's one type other than null, or "".
func singleType(s *openapi3.Schema) string {
	var ts []string
	for _, t := range s.Type.Slice() {
		if t != "null" {
			ts = append(ts, t)
		}
	}
	if len(ts) != 1 {
		return ""
	}
	return ts[0]
}

// wrongValue is a value of another type than typ, and how to say it.
func wrongValue(typ string) (any, string) {
	switch typ {
	case "string":
		return 12345.0, "the number 12345"
	case "integer", "number":
		return "not a number", `the text "not a number"`
	case "boolean":
		return "yes", `the text "yes"`
	case "array":
		return "not a list", `the text "not a list"`
	case "object":
		return "not an object", `the text "not an object"`
	}
	return nil, ""
}

func article(typ string) string {
	switch typ {
	case "integer", "array", "object":
		return "an " + typ
	}
	return "a " + typ
}

func jsonBytes(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// statuses are the responses the operation documents, sorted.
func (op *operation) statuses() []string {
	return slices.Sorted(maps.Keys(op.route.Operation.Responses.Map()))
}

// documented4xx are the documented responses a malformed request may get.
func (op *operation) documented4xx() []string {
	var out []string
	for _, s := range op.statuses() {
		if strings.HasPrefix(s, "4") || s == "default" {
			out = append(out, s)
		}
	}
	return out
}

// documents reports whether status is documented (by its code, its range
// such as 4XX, or default).
func (op *operation) documents(status int) bool {
	r := op.route.Operation.Responses
	return r.Status(status) != nil || r.Default() != nil
}

// pathParam matches {name} in a path template.
var pathParam = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\{([^{}]+)\}`) })

// collection is where an operation's created objects are remembered: its
// path less trailing parameters (/todos/{id} → /todos).
func collection(p string) string {
	for {
		i := strings.LastIndex(p, "/")
		if i < 0 || !pathParam().MatchString(p[i:]) {
			return p
		}
		p = p[:i]
	}
}

// inferred is a path parameter's value taken from what an earlier
// operation created on the collection it names: /todos/{id} takes the id
// of the last object POST /todos answered.
func inferred(template, name string, created map[string]map[string]any) (any, bool) {
	segs := strings.Split(template, "/")
	for i, s := range segs {
		if !strings.Contains(s, "{"+name+"}") {
			continue
		}
		obj := created[strings.Join(segs[:i], "/")]
		if v, ok := obj[name]; ok {
			return v, true
		}
		l := strings.ToLower(name)
		if v, ok := obj["id"]; ok && (l == "id" || strings.HasSuffix(l, "id")) {
			return v, true
		}
		return nil, false
	}
	return nil, false
}

// build makes op's request: valid, or with one malformed input.
func (c *openapiCheck) build(op *operation, v vars, created map[string]map[string]any, bad *malformedInput) (*outgoing, map[string]string, string) {
	value := func(prm *openapi3.Parameter) (string, bool) {
		if raw, ok := c.params[prm.Name]; ok {
			return v.render(raw), true
		}
		if prm.In == openapi3.ParameterInPath {
			if x, ok := inferred(op.path, prm.Name, created); ok {
				return paramText(x), true
			}
		}
		x, ok := op.fallback[paramKey(prm)]
		return paramText(x), ok
	}
	pathParams := map[string]string{}
	query := url.Values{}
	o := &outgoing{method: op.method}
	var cookies []string
	for _, prm := range op.params {
		val, ok := value(prm)
		if prm.In == openapi3.ParameterInPath && bad != nil && bad.pathParam == prm.Name {
			val, ok = bad.pathValue, true
		}
		if !ok {
			continue
		}
		switch prm.In {
		case openapi3.ParameterInPath:
			pathParams[prm.Name] = val
		case openapi3.ParameterInQuery:
			query.Add(prm.Name, val)
		case openapi3.ParameterInHeader:
			o.header = append(o.header, [2]string{prm.Name, val})
		case openapi3.ParameterInCookie:
			cookies = append(cookies, prm.Name+"="+val)
		}
	}
	for _, cr := range op.auth {
		val := v.render(c.params[cr.param])
		if cr.basic {
			val = base64.StdEncoding.EncodeToString([]byte(val))
		}
		switch cr.in {
		case "query":
			query.Add(cr.name, val)
		case "cookie":
			cookies = append(cookies, cr.name+"="+val)
		default:
			o.header = append(o.header, [2]string{cr.name, cr.prefix + val})
		}
	}
	if len(cookies) > 0 {
		o.header = append(o.header, [2]string{"Cookie", strings.Join(cookies, "; ")})
	}
	target := pathParam().ReplaceAllStringFunc(op.path, func(m string) string {
		name := m[1 : len(m)-1]
		if val, ok := pathParams[name]; ok {
			return url.PathEscape(val)
		}
		return m
	})
	if strings.Contains(target, "{") {
		return nil, nil, fmt.Sprintf("grader has no value for a parameter of %s: give one in params", op.path)
	}
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	o.target = target
	if b := op.body; b != nil {
		switch {
		case bad != nil && bad.body != nil:
			o.body = bad.body
		case b.json:
			o.body = []byte(compact(v.renderValue(b.value)))
		default:
			f := url.Values{}
			if m, ok := b.value.(map[string]any); ok {
				for _, k := range slices.Sorted(maps.Keys(m)) {
					f.Add(k, paramText(m[k]))
				}
			}
			o.body, o.form = []byte(f.Encode()), true
		}
		o.header = append(o.header, [2]string{"Content-Type", b.mediaType})
	}
	return o, pathParams, ""
}

func (c *openapiCheck) run(ctx context.Context, _ runner.Attempt, t Target) runner.Outcome {
	cl := newClient(t.URL(), c.port)
	defer cl.close()
	v := vars{}
	if c.setup != nil {
		if out := c.setup.run(ctx, cl, t, v); out != nil {
			return *out
		}
	}
	created := map[string]map[string]any{}
	sent := 0
	for i, op := range c.ops {
		label := fmt.Sprintf("Operation %d of %d, %s (%s %s)", i+1, len(c.ops), op.id, op.method, op.path)
		o, pathParams, problem := c.build(op, v, created, nil)
		if problem == "" {
			var resp *response
			resp, problem = cl.send(ctx, o, requestTimeout(ctx, 0))
			if problem == "" {
				problem = op.judgeValid(ctx, t.URL(), o, pathParams, resp)
			}
			if problem != "" {
				return c.failure(ctx, t, label+", with valid input", o, resp, problem, sent > 0)
			}
			op.remember(resp, created)
		} else {
			return runner.Failed("%s: %s.", label, problem)
		}
		sent++
		for _, bad := range op.malformed {
			o, pathParams, problem := c.build(op, v, created, &bad)
			if problem == "" {
				var resp *response
				resp, problem = cl.send(ctx, o, requestTimeout(ctx, 0))
				if problem == "" {
					problem = op.judgeMalformed(resp)
				}
				if problem == "" {
					problem = op.validate(ctx, t.URL(), o, pathParams, resp)
				}
				if problem != "" {
					return c.failure(ctx, t, label+", with "+bad.what, o, resp, problem, true)
				}
			}
			sent++
		}
	}
	msg := fmt.Sprintf("%d operations answered as the document says", len(c.ops))
	if c.malformed > 0 {
		msg += fmt.Sprintf(", and refused %d malformed requests with a documented 4xx", c.malformed)
	}
	return runner.Passed(msg)
}

// judgeValid says what is wrong with the answer to valid input, or "":
// a documented status below 500 (and not 400 or 422, which refuse it),
// and what the document says for that status.
func (op *operation) judgeValid(ctx context.Context, base string, o *outgoing, pathParams map[string]string, resp *response) string {
	s := resp.status
	switch {
	case s >= 500:
		return fmt.Sprintf("the document says this request is valid, but your server failed with %d", s)
	case !op.documents(s):
		return fmt.Sprintf("it answered %d, which the operation does not document (it documents %s)", s, strings.Join(op.statuses(), ", "))
	case s == http.StatusBadRequest || s == http.StatusUnprocessableEntity:
		return fmt.Sprintf("it answered %d, refusing a request the document says is valid", s)
	}
	return op.validate(ctx, base, o, pathParams, resp)
}

// validate checks an answer's headers, content type and body against
// what the operation documents for its status.
func (op *operation) validate(ctx context.Context, base string, o *outgoing, pathParams map[string]string, resp *response) string {
	s := resp.status
	req, err := http.NewRequestWithContext(ctx, o.method, base+o.target, nil)
	if err != nil {
		return fmt.Sprintf("grader could not rebuild the request: %v", err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: pathParams, Route: op.route},
		Status:                 s,
		Header:                 resp.header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	in.SetBodyBytes(resp.body)
	if err := openapi3filter.ValidateResponse(ctx, in); err != nil {
		return op.responseProblem(err, s, resp)
	}
	return ""
}

// responseProblem says how an answer breaks the document.
func (op *operation) responseProblem(err error, status int, resp *response) string {
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		at := pointerPath(se.JSONPointer())
		reason := se.Reason
		if reason == "" {
			reason = se.Error()
		}
		return fmt.Sprintf("its body does not match the schema documented for %d: at %s: %s", status, at, reason)
	}
	var re *openapi3filter.ResponseError
	if errors.As(err, &re) && strings.Contains(re.Reason, "Content-Type") {
		var types []string
		if r := op.route.Operation.Responses.Status(status); r != nil && r.Value != nil {
			types = slices.Sorted(maps.Keys(r.Value.Content))
		} else if r := op.route.Operation.Responses.Default(); r != nil && r.Value != nil {
			types = slices.Sorted(maps.Keys(r.Value.Content))
		}
		got := resp.header.Get("Content-Type")
		if got == "" {
			got = "none"
		}
		return fmt.Sprintf("its Content-Type is %s, but the document says a %d answer is %s", got, status, strings.Join(types, " or "))
	}
	if errors.As(err, &re) && strings.Contains(re.Reason, "decode") {
		return fmt.Sprintf("its body cannot be read as the document's %d answer: %v", status, re.Err)
	}
	return fmt.Sprintf("its answer does not match what the document says for %d: %v", status, err)
}

// judgeMalformed says what is wrong with the status of the answer to
// malformed input, or "": it must be a documented 4xx. (Its body is then
// validated like any other answer.)
func (op *operation) judgeMalformed(resp *response) string {
	s := resp.status
	want := "a documented 4xx (" + strings.Join(op.documented4xx(), ", ") + ")"
	switch {
	case s >= 500:
		return fmt.Sprintf("expected %s, got %d: input a client gets wrong must never make the server fail", want, s)
	case s < 400:
		return fmt.Sprintf("expected %s, got %d: the server accepted input the document does not allow", want, s)
	case !op.documents(s):
		return fmt.Sprintf("expected %s, got %d, which the operation does not document", want, s)
	}
	return ""
}

// remember keeps the object a successful answer holds (or the first of a
// list), so later operations on its items have an id.
func (op *operation) remember(resp *response, created map[string]map[string]any) {
	if resp.status < 200 || resp.status > 299 {
		return
	}
	doc, err := resp.JSON()
	if err != nil {
		return
	}
	key := collection(op.path)
	switch x := doc.(type) {
	case map[string]any:
		created[key] = x
	case []any:
		if first, ok := firstObject(x); ok && created[key] == nil {
			created[key] = first
		}
	}
}

func firstObject(xs []any) (map[string]any, bool) {
	if len(xs) == 0 {
		return nil, false
	}
	m, ok := xs[0].(map[string]any)
	return m, ok
}

// failure is the outcome of an operation whose answer was wrong (resp
// set) or did not come.
func (c *openapiCheck) failure(ctx context.Context, t Target, label string, o *outgoing, resp *response, problem string, after bool) runner.Outcome {
	return runner.Failed("%s", failureText(ctx, t, label, problem, o, resp, nil, c.command, c.port, after || c.setup != nil))
}
