package kube

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/agnivade/levenshtein"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// schemasGz is the Kubernetes API schemas (see openapi/README.md for their
// source and how they were trimmed). It stays compressed in the binary until
// a kube.schema check runs.
//
//go:embed openapi/k8s.json.gz
var schemasGz []byte

// KubernetesVersion is the Kubernetes release whose API schemas the
// manifests are validated against.
const KubernetesVersion = "v1.35.4"

// schemaBase is the URL under which each schema is a resource: a
// reference #/components/schemas/X becomes X, relative to it.
const schemaBase = "https://grader.invalid/k8s/"

// apiSchemas are the schemas, decompressed and indexed: built once per
// process, on first use.
type apiSchemas struct {
	raw map[string]any // components.schemas, by name
	// byGVK is the schema name of "group/version Kind" ("v1 Service" for
	// the core group).
	byGVK map[string]string
	// versionsOf lists the apiVersions that have a kind.
	versionsOf map[string][]string
	compiler   *jsonschema.Compiler

	mu       sync.Mutex
	compiled map[string]*jsonschema.Schema
}

// schemas returns the process's apiSchemas, loading them on first use. (A
// sync.Once rather than sync.OnceValues: a package-level OnceValues is an
// init-time allocation, and start-up time is tracked.)
func schemas() (*apiSchemas, error) {
	schemasOnce.Do(func() { schemasVal, schemasErr = loadSchemas() })
	return schemasVal, schemasErr
}

var (
	schemasOnce sync.Once
	schemasVal  *apiSchemas
	schemasErr  error
)

func loadSchemas() (*apiSchemas, error) {
	zr, err := gzip.NewReader(bytes.NewReader(schemasGz))
	if err != nil {
		return nil, fmt.Errorf("the embedded Kubernetes schemas: %w", err)
	}
	doc, err := jsonschema.UnmarshalJSON(zr)
	if err != nil {
		return nil, fmt.Errorf("the embedded Kubernetes schemas: %w", err)
	}
	comps, _ := doc.(map[string]any)["components"].(map[string]any)
	raw, _ := comps["schemas"].(map[string]any)
	if len(raw) == 0 {
		return nil, fmt.Errorf("the embedded Kubernetes schemas hold no schema")
	}
	s := &apiSchemas{raw: raw, byGVK: map[string]string{}, versionsOf: map[string][]string{}, compiled: map[string]*jsonschema.Schema{}}
	c := jsonschema.NewCompiler()
	// OpenAPI 3.0's schemas are JSON Schema draft 4 with extensions, and
	// draft 4's metaschema is the cheapest to check them against.
	c.DefaultDraft(jsonschema.Draft4)
	for name, sch := range raw {
		strict(sch)
		// Each schema is a resource of its own, so compiling a kind loads
		// and checks only the schemas it refers to, each once: as
		// subschemas of one document, every reference re-validated and
		// copied the whole document's index (30 ms for a Deployment).
		if err := c.AddResource(schemaBase+name, sch); err != nil {
			return nil, fmt.Errorf("the embedded Kubernetes schemas: %w", err)
		}
		if !strings.HasPrefix(name, "io.k8s.api.") {
			continue // meta types (DeleteOptions, WatchEvent) carry every group's GVK
		}
		gvks, _ := sch.(map[string]any)["x-kubernetes-group-version-kind"].([]any)
		for _, g := range gvks {
			g, _ := g.(map[string]any)
			group, _ := g["group"].(string)
			version, _ := g["version"].(string)
			k, _ := g["kind"].(string)
			av := version
			if group != "" {
				av = group + "/" + version
			}
			s.byGVK[av+" "+k] = name
			s.versionsOf[k] = append(s.versionsOf[k], av)
		}
	}
	for _, v := range s.versionsOf {
		slices.Sort(v)
	}
	s.compiler = c
	return s, nil
}

// refPrefix starts the upstream documents' references.
const refPrefix = "#/components/schemas/"

// strict makes references relative to schemaBase, and every object schema
// with declared properties refuse other
// fields, as the API server's strict field validation does: a misspelt
// field is an error, not silently dropped. Schemas that keep unknown fields
// (x-kubernetes-preserve-unknown-fields) or declare their own
// additionalProperties (labels, resources) are left as they are.
func strict(v any) {
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok && strings.HasPrefix(ref, refPrefix) {
			v["$ref"] = strings.TrimPrefix(ref, refPrefix)
		}
		if _, ok := v["properties"]; ok {
			_, has := v["additionalProperties"]
			if keep, _ := v["x-kubernetes-preserve-unknown-fields"].(bool); !has && !keep {
				v["additionalProperties"] = false
			}
		}
		for _, x := range v {
			strict(x)
		}
	case []any:
		for _, x := range v {
			strict(x)
		}
	}
}

// schemaFor compiles (once) the schema of one object type.
func (s *apiSchemas) schemaFor(name string) (*jsonschema.Schema, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sch, ok := s.compiled[name]; ok {
		return sch, nil
	}
	sch, err := s.compiler.Compile(schemaBase + name)
	if err != nil {
		return nil, fmt.Errorf("compile the Kubernetes schema %s: %w", name, err)
	}
	s.compiled[name] = sch
	return sch, nil
}

// finding is one problem in one object, at a field.
type finding struct {
	obj *object
	loc []string
	msg string
}

// line is the finding's line; 0 for one about the files as a whole.
func (f finding) line() int {
	if f.obj == nil {
		return 0
	}
	return f.obj.line(f.loc)
}

func (f finding) String() string {
	if f.obj == nil {
		return f.msg
	}
	return fmt.Sprintf("%s: %s: %s", f.obj.at(f.loc), f.obj, f.msg)
}

// validate checks one object against its kind's schema and the few rules
// the API server adds that a schema cannot say. An error is the
// infrastructure's (the embedded schemas are broken).
func validate(o *object) ([]finding, error) {
	if o.problem != "" {
		return []finding{{obj: o, msg: o.problem}}, nil
	}
	s, err := schemas()
	if err != nil {
		return nil, err
	}
	av, k := o.apiVersion(), o.kind()
	var out []finding
	add := func(loc []string, format string, args ...any) {
		out = append(out, finding{obj: o, loc: loc, msg: fmt.Sprintf(format, args...)})
	}
	switch {
	case o.value["apiVersion"] == nil && o.value["kind"] == nil:
		add(nil, "apiVersion and kind are missing: every object starts with them, like `apiVersion: apps/v1` and `kind: Deployment`")
		return out, nil
	case av == "":
		add(nil, "apiVersion is missing or not a string: say which API the %s belongs to, like `apiVersion: %s`", k, firstOr(s.versionsOf[k], "apps/v1"))
		return out, nil
	case k == "":
		add(nil, "kind is missing or not a string: say what the object is, like `kind: Deployment`")
		return out, nil
	}
	name, ok := s.byGVK[av+" "+k]
	if !ok {
		add([]string{"kind"}, "%s", s.unknownKind(av, k))
		return out, nil
	}
	sch, err := s.schemaFor(name)
	if err != nil {
		return nil, err
	}
	if err := sch.Validate(o.value); err != nil {
		ve, ok := err.(*jsonschema.ValidationError)
		if !ok {
			return nil, err
		}
		s.flatten(o, ve, &out)
	}
	out = append(out, serverRules(o)...)
	slices.SortStableFunc(out, func(a, b finding) int { return a.line() - b.line() })
	return out, nil
}

func firstOr(l []string, def string) string {
	if len(l) > 0 {
		return l[len(l)-1]
	}
	return def
}

// unknownKind explains an apiVersion and kind the schemas do not pair: the
// kind lives in another apiVersion, or is misspelt, or is not one this
// checker knows.
func (s *apiSchemas) unknownKind(av, k string) string {
	if vs := s.versionsOf[k]; len(vs) > 0 {
		return fmt.Sprintf("there is no %s in apiVersion %s: %s is in %s", k, av, k, strings.Join(vs, ", "))
	}
	kinds := slices.Sorted(maps.Keys(s.versionsOf))
	if near := nearest(k, kinds); near != "" {
		return fmt.Sprintf("unknown kind %s: did you mean %s (apiVersion: %s)?", k, near, firstOr(s.versionsOf[near], ""))
	}
	return fmt.Sprintf("kind %s of apiVersion %s is not one grader knows: it validates the Kubernetes %s kinds of %s", k, av, KubernetesVersion, strings.Join(gvList(s), ", "))
}

func gvList(s *apiSchemas) []string {
	seen := map[string]bool{}
	for _, vs := range s.versionsOf {
		for _, v := range vs {
			seen[v] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// nearest is the candidate closest to word in spelling, if close enough to
// be a typo ("" otherwise).
func nearest(word string, candidates []string) string {
	best, bestD := "", 0
	for _, c := range candidates {
		d := levenshtein.ComputeDistance(strings.ToLower(word), strings.ToLower(c))
		if best == "" || d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" || bestD > max(2, len(word)/3) {
		return ""
	}
	return best
}

// printer writes the validator's messages; made on first use, as the
// schemas are, so grader's start-up pays nothing for it.
func printer() *message.Printer {
	printerOnce.Do(func() { printerVal = message.NewPrinter(language.English) })
	return printerVal
}

var (
	printerOnce sync.Once
	printerVal  *message.Printer
)

// flatten turns the validator's tree of errors into findings a learner can
// act on, one per field.
func (s *apiSchemas) flatten(o *object, e *jsonschema.ValidationError, out *[]finding) {
	loc := e.InstanceLocation
	add := func(l []string, format string, args ...any) {
		*out = append(*out, finding{obj: o, loc: l, msg: fmt.Sprintf(format, args...)})
	}
	switch k := e.ErrorKind.(type) {
	case *kind.AdditionalProperties:
		known := s.propertiesAt(e.SchemaURL)
		for _, p := range k.Properties {
			msg := fmt.Sprintf("unknown field %s", joinPath(loc, p))
			if near := nearest(p, known); near != "" {
				msg += fmt.Sprintf(": did you mean %s?", near)
			} else if len(known) > 0 {
				msg += fmt.Sprintf(": %s has %s", orTop(fieldPath(loc)), strings.Join(known, ", "))
			}
			add(append(slices.Clip(loc), p), "%s", msg)
		}
	case *kind.Required:
		for _, m := range k.Missing {
			add(loc, "missing required field %s", joinPath(loc, m))
		}
	case *kind.Type:
		add(loc, "%s must be %s, not %s", orTop(fieldPath(loc)), article(k.Want), article([]string{k.Got}))
	case *kind.OneOf:
		// IntOrString and Quantity: say which types would do rather than
		// each alternative's complaint.
		var wants []string
		for _, c := range e.Causes {
			if t, ok := leaf(c).ErrorKind.(*kind.Type); ok {
				wants = append(wants, t.Want...)
			}
		}
		if len(wants) == len(e.Causes) && len(wants) > 0 {
			add(loc, "%s must be %s", orTop(fieldPath(loc)), article(wants))
			return
		}
		for _, c := range e.Causes {
			s.flatten(o, c, out)
		}
	default:
		if len(e.Causes) == 0 {
			add(loc, "%s: %s", orTop(fieldPath(loc)), e.ErrorKind.LocalizedString(printer()))
			return
		}
		for _, c := range e.Causes {
			s.flatten(o, c, out)
		}
	}
}

// leaf follows single causes ($ref, allOf wrappers) down to the error that
// says something.
func leaf(e *jsonschema.ValidationError) *jsonschema.ValidationError {
	for len(e.Causes) == 1 {
		e = e.Causes[0]
	}
	return e
}

func orTop(p string) string {
	if p == "" {
		return "the object"
	}
	return p
}

// article writes JSON types for a sentence, in YAML's words: "an integer
// or a string", "a list", "a mapping".
func article(types []string) string {
	var l []string
	for _, t := range types {
		switch t {
		case "integer":
			l = append(l, "an integer")
		case "object":
			l = append(l, "a mapping (key: value)")
		case "array":
			l = append(l, "a list (- item)")
		case "boolean":
			l = append(l, "true or false")
		case "null":
			l = append(l, "empty")
		default:
			l = append(l, "a "+t)
		}
	}
	return strings.Join(l, " or ")
}

// propertiesAt lists the fields the schema at url declares (for "did you
// mean"): url is the validator's location of the object schema, possibly
// ending at its additionalProperties keyword.
func (s *apiSchemas) propertiesAt(url string) []string {
	res, frag, _ := strings.Cut(url, "#")
	frag = strings.TrimSuffix(frag, "/additionalProperties")
	var cur any = s.raw[strings.TrimPrefix(res, schemaBase)]
	for _, tok := range strings.Split(strings.TrimPrefix(frag, "/"), "/") {
		if tok == "" {
			continue
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := cur.(type) {
		case map[string]any:
			cur = c[tok]
		case []any:
			var i int
			if _, err := fmt.Sscan(tok, &i); err != nil || i < 0 || i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	m, _ := cur.(map[string]any)
	props, _ := m["properties"].(map[string]any)
	return slices.Sorted(maps.Keys(props))
}
