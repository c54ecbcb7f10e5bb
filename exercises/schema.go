package exercises

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/backendroadmap/grader/exercises/history"
	"github.com/backendroadmap/grader/runner"
)

// schemaID is where the published schema lives; editors match it by this URL.
const schemaID = "https://grader.dev/schema/exercise.schema.json"

// durationPattern accepts what time.ParseDuration accepts for a positive
// duration without a sign: 30s, 1m30s, 1.5h, 250ms.
const durationPattern = `^(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$`

// Schema returns the JSON Schema (draft 2020-12) of exercise.yaml, for editors
// whose YAML language server validates and completes a spec as it is typed.
// It is generated from the very structs the loader decodes into, and each
// check kind's `with:` block from the parameter struct the kind decodes, so
// the schema cannot drift from the decoder. kinds are the kinds the binary
// registers; the output is deterministic for a given set.
func Schema(kinds runner.Kinds) ([]byte, error) {
	g := &schemaGen{defs: map[string]*jsonSchema{}, defTypes: map[reflect.Type]string{}, used: map[reflect.Type]map[string]bool{}}
	root, err := g.object(reflect.TypeFor[spec]())
	if err != nil {
		return nil, err
	}
	root.Schema = "https://json-schema.org/draft/2020-12/schema"
	root.ID = schemaID
	root.Title = "grader exercise"
	root.Description = "An exercise of the grader catalog: its " + SpecFile + ". See docs/exercise-format.md."
	if err := g.constrain(root, kinds); err != nil {
		return nil, err
	}
	if err := g.unusedDescriptions(); err != nil {
		return nil, err
	}
	root.Defs = g.defs
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // descriptions say "Name <email>", not "Name \u003cemail\u003e"
	enc.SetIndent("", "  ")
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// jsonSchema is the subset of JSON Schema the generator writes. Its field order
// is the output's key order, which keeps the file readable and stable.
type jsonSchema struct {
	Schema               string                 `json:"$schema,omitempty"`
	ID                   string                 `json:"$id,omitempty"`
	Ref                  string                 `json:"$ref,omitempty"`
	Title                string                 `json:"title,omitempty"`
	Description          string                 `json:"description,omitempty"`
	Type                 string                 `json:"type,omitempty"`
	Const                any                    `json:"const,omitempty"`
	Enum                 []string               `json:"enum,omitempty"`
	Pattern              string                 `json:"pattern,omitempty"`
	Minimum              *int                   `json:"minimum,omitempty"`
	MinItems             *int                   `json:"minItems,omitempty"`
	Items                *jsonSchema            `json:"items,omitempty"`
	Properties           map[string]*jsonSchema `json:"properties,omitempty"`
	AdditionalProperties any                    `json:"additionalProperties,omitempty"` // false or *jsonSchema
	Required             []string               `json:"required,omitempty"`
	AnyOf                []*jsonSchema          `json:"anyOf,omitempty"`
	AllOf                []*jsonSchema          `json:"allOf,omitempty"`
	If                   *jsonSchema            `json:"if,omitempty"`
	Then                 *jsonSchema            `json:"then,omitempty"`
	Defs                 map[string]*jsonSchema `json:"$defs,omitempty"`
}

// schemaGen walks Go types the way go.yaml.in/yaml/v3 decodes them.
type schemaGen struct {
	// defs holds the named structs of the spec (recipe, check, step, ...) so
	// each is written once and referenced; defTypes maps a type to its name.
	defs     map[string]*jsonSchema
	defTypes map[reflect.Type]string
	// inline is set while walking a kind's parameters: those structs are
	// written in place, since names from different packages may collide.
	inline   bool
	visiting []reflect.Type
	used     map[reflect.Type]map[string]bool
}

// Field descriptions, keyed by the struct that declares the field and its YAML
// name. They paraphrase the doc comments of spec.go, runner and history.Step;
// a key naming no field fails Schema, so a rename cannot leave one behind.
var fieldDocs = map[reflect.Type]map[string]string{
	reflect.TypeFor[spec](): {
		"format":       fmt.Sprintf("The exercise format this spec is written in; this grader reads format %d.", FormatVersion),
		"id":           "The exercise's id: lower-case words joined by hyphens, like git-branching. It must match the exercise folder's name.",
		"title":        "The exercise's title, shown in `grader list` and the roadmap.",
		"skill":        "The roadmap skill the exercise belongs to.",
		"phase":        "How far along its skill the exercise sits.",
		"summary":      "A one-line summary of what the learner does.",
		"instructions": "The markdown file, beside " + SpecFile + ", shown by `grader start` and `grader show`.",
		"starter":      "The learner's starting workspace: files copied from a folder, then git history steps.",
		"solution":     "The reference solution, applied on top of the starter by `grader validate`: `files` and/or `history`.",
		"wrong":        "Known-wrong solutions. `grader validate` proves each one fails, which keeps checks from being too lenient.",
		"checks":       "The checks that grade the learner's work, run in dependency order.",
		"services":     "The services the checks run against, by name, set up once for all of them: postgres (a schema and seed every attempt gets a fresh copy of), redis.",
	},
	reflect.TypeFor[recipeSpec](): {
		"files":      "A folder inside the exercise whose contents are copied into the workspace.",
		"executable": "Copied files (paths inside `files`) to mark executable, since embedding drops file modes.",
		"git":        "Makes the workspace a git repository (implied by `history`).",
		"history":    "Git history steps, played in order. Each step sets exactly one action (commit, branch, switch, merge, tag, reset, write, remote, push); its other fields modify that action.",
	},
	reflect.TypeFor[wrongSpec](): {
		"name":      "What this wrong solution does wrong, named by `grader validate` when it passes a check it must fail.",
		"must_fail": "Ids of the checks that must fail for it; empty means any one.",
	},
	reflect.TypeFor[checkSpec](): {
		"id":         "The check's id: lower-case words joined by hyphens, unique in the exercise.",
		"name":       "What the check looks for, shown to the learner.",
		"kind":       "The kind of check, which decides the parameters `with` takes.",
		"with":       "The kind's parameters.",
		"depends_on": "Ids of checks declared earlier that must pass first; otherwise this check is skipped.",
		"hints":      "Hints shown when the check fails, revealed one at a time, in order, by `grader hint`.",
		"points":     "Points the check is worth (default 1).",
		"timeout":    fmt.Sprintf("How long the check may take, as a Go duration like 30s or 2m (default %s, at most %s).", runner.DefaultTimeout, maxTimeout),
		"visibility": "hidden checks run only when grading strictly (CI), and their expected and actual values are never shown. Default visible.",
	},
	reflect.TypeFor[history.Step](): {
		"commit":     "Action: record a commit on the current branch with this message. `files` and `delete` say what changes; files already changed by a `write` step are included.",
		"branch":     "Action: create a branch at `at` (default HEAD) and switch to it, unless `stay` is set.",
		"switch":     "Action: check out an existing branch, updating the working tree.",
		"merge":      "Action: merge a ref into the current branch with a merge commit (`message`, or git's default). `ff` fast-forwards instead when possible. Files changed on both sides must be given in `files`: that is the resolution.",
		"tag":        "Action: create a tag at `at` (default HEAD); annotated when `message` is set.",
		"reset":      "Action: move the current branch to a ref; `mode` is hard (default), mixed or soft.",
		"write":      "Action: change the working tree only, as an editor would, without committing. Paths map to their new content.",
		"remote":     "Action: add a remote of this name backed by a bare repository at `path` (default .grader/<name>.git), holding the branches named in `branches` (default: all), as if pushed.",
		"push":       "Action: copy a local branch to a remote (`to`, default origin) and update the remote-tracking ref, as `git push` does.",
		"files":      "For commit and merge: paths mapped to their new content.",
		"delete":     "For commit, merge and write: paths to remove.",
		"executable": "For commit, merge and write: paths (of `files` or `write`) to give mode 0755.",
		"message":    "For merge and tag: a merge commit's or an annotated tag's message.",
		"at":         "For branch and tag: the ref or revision it starts at (default HEAD).",
		"mode":       "For reset: hard (default), mixed or soft.",
		"ff":         "For merge: fast-forward when the current branch is an ancestor.",
		"stay":       "For branch: keep the current branch checked out.",
		"author":     `For commit, merge and tag: "Name <email>"; default "Ada Lovelace <ada@example.com>".`,
		"date":       "For commit, merge and tag: an RFC 3339 time. By default each commit is one minute after the previous one, starting at 2026-01-05T09:00:00Z, so histories are reproducible.",
		"path":       "For remote: where its bare repository lives, relative to the workspace.",
		"branches":   "For remote: the branches it starts with (default: all).",
		"to":         "For push: the remote it goes to (default origin).",
	},
}

var (
	durationType    = reflect.TypeFor[time.Duration]()
	nodeType        = reflect.TypeFor[yaml.Node]()
	unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()
	textType        = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// of returns the schema of values yaml.v3 decodes into t.
func (g *schemaGen) of(t reflect.Type) (*jsonSchema, error) {
	switch {
	case t == nodeType:
		return &jsonSchema{}, nil // any YAML: its consumer decodes it
	case t == durationType:
		return &jsonSchema{Type: "string", Pattern: durationPattern}, nil
	case reflect.PointerTo(t).Implements(unmarshalerType):
		return &jsonSchema{}, nil // decodes itself: its shape is its own business
	case reflect.PointerTo(t).Implements(textType):
		return &jsonSchema{Type: "string"}, nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		return g.of(t.Elem())
	case reflect.String:
		return &jsonSchema{Type: "string"}, nil
	case reflect.Bool:
		return &jsonSchema{Type: "boolean"}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return &jsonSchema{Type: "integer"}, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return &jsonSchema{Type: "integer", Minimum: new(0)}, nil
	case reflect.Float32, reflect.Float64:
		return &jsonSchema{Type: "number"}, nil
	case reflect.Interface:
		return &jsonSchema{}, nil
	case reflect.Slice, reflect.Array:
		items, err := g.of(t.Elem())
		if err != nil {
			return nil, err
		}
		return &jsonSchema{Type: "array", Items: items}, nil
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return nil, fmt.Errorf("schema: %s: only maps with string keys can be written as YAML mappings", t)
		}
		values, err := g.of(t.Elem())
		if err != nil {
			return nil, err
		}
		return &jsonSchema{Type: "object", AdditionalProperties: values}, nil
	case reflect.Struct:
		if slices.Contains(g.visiting, t) {
			return nil, fmt.Errorf("schema: %s refers to itself", t)
		}
		if g.inline || t.Name() == "" {
			return g.object(t)
		}
		return g.ref(t)
	}
	return nil, fmt.Errorf("schema: %s: a %s cannot be written in YAML", t, t.Kind())
}

// ref writes a named struct once under $defs and returns a reference to it.
// The definition's name is the type's, less a Spec suffix: recipeSpec is
// "recipe", history.Step is "step".
func (g *schemaGen) ref(t reflect.Type) (*jsonSchema, error) {
	name, ok := g.defTypes[t]
	if !ok {
		name = strings.TrimSuffix(t.Name(), "Spec")
		name = strings.ToLower(name[:1]) + name[1:]
		if _, taken := g.defs[name]; taken {
			return nil, fmt.Errorf("schema: two types are named %q", name)
		}
		g.defTypes[t] = name
		obj, err := g.object(t)
		if err != nil {
			return nil, err
		}
		g.defs[name] = obj
	}
	return &jsonSchema{Ref: "#/$defs/" + name}, nil
}

// object writes a struct as an object that allows only its fields, as the
// loader's strict decoding does.
func (g *schemaGen) object(t reflect.Type) (*jsonSchema, error) {
	g.visiting = append(g.visiting, t)
	defer func() { g.visiting = g.visiting[:len(g.visiting)-1] }()
	s := &jsonSchema{Type: "object", Properties: map[string]*jsonSchema{}, AdditionalProperties: false}
	if err := g.fields(t, s); err != nil {
		return nil, err
	}
	return s, nil
}

// fields adds t's fields to s by the rules of yaml.v3: the tag names the
// field (default: the Go name in lower case), "-" hides it, unexported fields
// are skipped unless embedded, and ,inline merges a struct's fields (or, for
// a map, admits any other key).
func (g *schemaGen) fields(t reflect.Type, s *jsonSchema) error {
	for f := range t.Fields() {
		if f.PkgPath != "" && !f.Anonymous {
			continue
		}
		tag := f.Tag.Get("yaml")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if slices.Contains(strings.Split(opts, ","), "inline") {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			switch ft.Kind() {
			case reflect.Struct:
				if err := g.fields(ft, s); err != nil {
					return err
				}
			case reflect.Map:
				if s.AdditionalProperties != false {
					return fmt.Errorf("schema: %s: more than one ,inline map", t)
				}
				values, err := g.of(ft)
				if err != nil {
					return err
				}
				s.AdditionalProperties = values.AdditionalProperties
			default:
				return fmt.Errorf("schema: %s.%s: ,inline needs a struct or a map", t, f.Name)
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		if _, dup := s.Properties[name]; dup {
			return fmt.Errorf("schema: %s: two fields are named %q", t, name)
		}
		fs, err := g.of(f.Type)
		if err != nil {
			return err
		}
		if doc := fieldDocs[t][name]; doc != "" {
			fs.Description = doc
			if g.used[t] == nil {
				g.used[t] = map[string]bool{}
			}
			g.used[t][name] = true
		}
		s.Properties[name] = fs
	}
	return nil
}

// unusedDescriptions reports descriptions of fields that no longer exist.
func (g *schemaGen) unusedDescriptions() error {
	var stale []string
	for t, docs := range fieldDocs {
		for name := range docs {
			if !g.used[t][name] {
				stale = append(stale, t.String()+"."+name)
			}
		}
	}
	if len(stale) > 0 {
		slices.Sort(stale)
		return fmt.Errorf("schema: descriptions of fields that do not exist: %s", strings.Join(stale, ", "))
	}
	return nil
}

// constrain adds what the loader checks beyond types: the values a field may
// take, required fields and each kind's parameters.
func (g *schemaGen) constrain(root *jsonSchema, kinds runner.Kinds) error {
	var errs []error
	prop := func(s *jsonSchema, where, name string) *jsonSchema {
		p := s.Properties[name]
		if p == nil {
			errs = append(errs, fmt.Errorf("schema: %s has no field %q", where, name))
			return &jsonSchema{}
		}
		return p
	}
	def := func(name string) *jsonSchema {
		d := g.defs[name]
		if d == nil {
			errs = append(errs, fmt.Errorf("schema: no definition %q", name))
			return &jsonSchema{Properties: map[string]*jsonSchema{}}
		}
		return d
	}
	one := func(s *jsonSchema) { s.MinItems = new(1) }

	root.Required = []string{"format", "id", "title", "skill", "phase", "summary", "instructions", "solution", "wrong", "checks"}
	prop(root, "spec", "format").Const = FormatVersion
	prop(root, "spec", "id").Pattern = idPattern().String()
	prop(root, "spec", "skill").Enum = strs(runner.Skills)
	prop(root, "spec", "phase").Enum = strs(runner.Phases)
	one(prop(root, "spec", "wrong"))
	one(prop(root, "spec", "checks"))

	wrong := def("wrong")
	wrong.Required = []string{"name"}
	wrong.AnyOf = []*jsonSchema{{Required: []string{"files"}}, {Required: []string{"history"}}}

	check := def("check")
	check.Required = []string{"id", "name", "kind", "hints"}
	prop(check, "check", "id").Pattern = idPattern().String()
	one(prop(check, "check", "hints"))
	prop(check, "check", "points").Minimum = new(0)
	prop(check, "check", "timeout").Pattern = durationPattern
	prop(check, "check", "visibility").Enum = []string{"visible", "hidden"}
	prop(check, "check", "with").Type = "object" // the loader wants a mapping
	names := make([]string, 0, len(kinds))
	for name := range kinds {
		names = append(names, name)
	}
	slices.Sort(names)
	prop(check, "check", "kind").Enum = names
	services := prop(root, "spec", "services")
	services.Properties, services.AdditionalProperties = map[string]*jsonSchema{}, false
	for _, name := range names {
		params, err := g.params(name, kinds[name], services)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if params == nil {
			continue // never decodes `with:`, so the loader takes any mapping
		}
		check.AllOf = append(check.AllOf, &jsonSchema{
			If:   &jsonSchema{Properties: map[string]*jsonSchema{"kind": {Const: name}}, Required: []string{"kind"}},
			Then: &jsonSchema{Properties: map[string]*jsonSchema{"with": params}},
		})
	}

	prop(def("step"), "step", "mode").Enum = []string{"hard", "mixed", "soft"}
	return errors.Join(errs...)
}

// errParamsSeen stops a kind's Compile once it has shown what it decodes into.
var errParamsSeen = errors.New("parameters seen")

// params finds the struct a kind decodes its `with:` block into: the one it
// declares ([runner.ParamsDeclarer]), else the one it asks to fill when
// compiled with a Decode that records its argument and fails. It returns nil
// for a kind that declares nothing and never decodes. The services a kind
// declares ([runner.ServicesDeclarer]) or asks for while compiling are added
// to services' properties; a kind that declares one struct and decodes into
// another is an error.
func (g *schemaGen) params(name string, k runner.Kind, services *jsonSchema) (s *jsonSchema, err error) {
	var got any
	decode := func(v any) error {
		if got == nil {
			got = v
		}
		return errParamsSeen
	}
	var svcErr error
	service := func(svc string, v any) error {
		if services.Properties[svc] == nil {
			t := reflect.TypeOf(v)
			if t.Kind() != reflect.Pointer {
				svcErr = fmt.Errorf("schema: kind %s decodes service %s into a %s, not a pointer", name, svc, t)
				return errParamsSeen
			}
			g.inline = true
			ss, err := g.of(t.Elem())
			g.inline = false
			if err != nil {
				svcErr = fmt.Errorf("schema: kind %s: service %s: %w", name, svc, err)
				return errParamsSeen
			}
			ss.Description = fmt.Sprintf("The %s service, as the %s checks use it.", svc, strings.SplitN(name, ".", 2)[0])
			services.Properties[svc] = ss
		}
		return nil
	}
	if d, ok := k.(runner.ServicesDeclarer); ok {
		declared := d.Services()
		for _, svc := range slices.Sorted(maps.Keys(declared)) {
			_ = service(svc, declared[svc]) // fails only through svcErr
		}
		if svcErr != nil {
			return nil, svcErr
		}
	}
	var panicked any
	func() {
		defer func() { panicked = recover() }()
		_, err = k.Compile(runner.Params{Decode: decode, Files: emptyFS{}, Service: service})
	}()
	if svcErr != nil {
		return nil, svcErr
	}
	if panicked != nil {
		return nil, fmt.Errorf("schema: kind %s panicked while compiling: %v", name, panicked)
	}
	if d, ok := k.(runner.ParamsDeclarer); ok {
		declared := d.Params()
		if got != nil && reflect.TypeOf(got) != reflect.TypeOf(declared) {
			return nil, fmt.Errorf("schema: kind %s declares its parameters as %T but decodes into %T", name, declared, got)
		}
		got = declared
	}
	if got == nil {
		if err != nil {
			return nil, fmt.Errorf("schema: kind %s failed before decoding its parameters: %w", name, err)
		}
		return nil, nil
	}
	t := reflect.TypeOf(got)
	if t.Kind() != reflect.Pointer {
		return nil, fmt.Errorf("schema: kind %s decodes into a %s, not a pointer", name, t)
	}
	g.inline = true
	defer func() { g.inline = false }()
	s, err = g.of(t.Elem())
	if err != nil {
		return nil, fmt.Errorf("schema: kind %s: %w", name, err)
	}
	return s, nil
}

// emptyFS is an exercise folder with nothing in it, for compiling kinds
// without an exercise.
type emptyFS struct{}

func (emptyFS) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}
