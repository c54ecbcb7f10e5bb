package exercises

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/backendroadmap/grader/runner"
)

// fakeParams is a kind's parameter struct using every shape yaml.v3 decodes.
type fakeParams struct {
	Branch  string            `yaml:"branch"`
	Count   *int              `yaml:"count,omitempty"`
	Tags    []string          `yaml:"tags"`
	Env     map[string]string `yaml:"env"`
	Wait    time.Duration     `yaml:"wait"`
	Ratio   float64           `yaml:"ratio"`
	Plain   bool              // no tag: yaml.v3 names it "plain"
	Skipped string            `yaml:"-"`
	//lint:ignore U1000 present so the test proves unexported fields stay out of the schema
	hidden     string // unexported: yaml.v3 never sets it
	fakeCommon `yaml:",inline"`
}

type fakeCommon struct {
	Note string `yaml:"note"`
}

var okChecker = runner.CheckerFunc(func(context.Context, runner.Attempt) runner.Outcome { return runner.Passed("") })

// decodes is a kind that decodes into a fresh *T, as real kinds do.
func decodes[T any]() runner.Kind {
	return runner.KindFunc(func(p runner.Params) (runner.Checker, error) {
		var v T
		if err := p.Decode(&v); err != nil {
			return nil, err
		}
		return okChecker, nil
	})
}

// MustSchema returns Schema(kinds) decoded as JSON.
func MustSchema(t *testing.T, kinds runner.Kinds) map[string]any {
	t.Helper()
	b, err := Schema(kinds)
	if err != nil {
		t.Fatalf("Schema: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("Schema wrote invalid JSON: %v\n%s", err, b)
	}
	return m
}

// at follows a path of object keys and array indexes through decoded JSON.
func at(t *testing.T, v any, path ...any) any {
	t.Helper()
	for i, p := range path {
		switch p := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok || m[p] == nil {
				t.Fatalf("no %q at %v", p, path[:i])
			}
			v = m[p]
		case int:
			a, ok := v.([]any)
			if !ok || p >= len(a) {
				t.Fatalf("no [%d] at %v", p, path[:i])
			}
			v = a[p]
		}
	}
	return v
}

func asJSON(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSchemaKindParams(t *testing.T) {
	s := MustSchema(t, runner.Kinds{
		"fake.params": decodes[fakeParams](),
		"fake.none":   runner.KindFunc(func(runner.Params) (runner.Checker, error) { return okChecker, nil }),
	})
	allOf := at(t, s, "$defs", "check", "allOf").([]any)
	if len(allOf) != 1 {
		t.Fatalf("allOf has %d entries, want 1 (fake.none decodes nothing):\n%v", len(allOf), allOf)
	}
	want := asJSON(t, `{
		"if": {"properties": {"kind": {"const": "fake.params"}}, "required": ["kind"]},
		"then": {"properties": {"with": {
			"type": "object",
			"properties": {
				"branch": {"type": "string"},
				"count":  {"type": "integer"},
				"tags":   {"type": "array", "items": {"type": "string"}},
				"env":    {"type": "object", "additionalProperties": {"type": "string"}},
				"wait":   {"type": "string", "pattern": "`+strings.ReplaceAll(durationPattern, `\`, `\\`)+`"},
				"ratio":  {"type": "number"},
				"plain":  {"type": "boolean"},
				"note":   {"type": "string"}
			},
			"additionalProperties": false
		}}}
	}`)
	if !reflect.DeepEqual(allOf[0], want) {
		got, _ := json.MarshalIndent(allOf[0], "", "  ")
		t.Errorf("fake.params rule:\n%s", got)
	}
	if got := at(t, s, "$defs", "check", "properties", "kind", "enum"); !reflect.DeepEqual(got, []any{"fake.none", "fake.params"}) {
		t.Errorf("kind enum = %v, want sorted names", got)
	}
}

// declared is a kind that declares its parameters ([runner.ParamsDeclarer]).
type declared struct {
	runner.Kind
	params any
}

func (d declared) Params() any { return d.params }

// TestSchemaDeclaredParams: a kind that declares its parameters gets the
// same rule as one that decodes them, even when compiling it without an
// exercise fails before it decodes anything.
func TestSchemaDeclaredParams(t *testing.T) {
	failing := runner.KindFunc(func(runner.Params) (runner.Checker, error) { return nil, errors.New("no files") })
	s := MustSchema(t, runner.Kinds{
		"fake.a-decodes":  decodes[fakeParams](),
		"fake.b-declares": declared{Kind: failing, params: &fakeParams{}},
		"fake.c-typed":    runner.ParamsKind[fakeParams](func(runner.Params, *fakeParams) (runner.Checker, error) { return okChecker, nil }),
	})
	allOf := at(t, s, "$defs", "check", "allOf").([]any)
	if len(allOf) != 3 {
		t.Fatalf("allOf has %d entries, want 3", len(allOf))
	}
	want := at(t, allOf[0], "then")
	for i, name := range []string{"fake.b-declares", "fake.c-typed"} {
		if got := at(t, allOf[i+1], "then"); !reflect.DeepEqual(got, want) {
			t.Errorf("%s's rule differs from the decoding kind's:\n%v\n%v", name, got, want)
		}
	}
}

// TestSchemaDeclaredServices: a kind that declares the services it reads
// ([runner.WithServices]) gets their blocks in the schema, though compiling
// it without an exercise stops at its parameters before it asks for them.
func TestSchemaDeclaredServices(t *testing.T) {
	type storeBlock struct {
		Path string `yaml:"path"`
	}
	k := runner.WithServices(runner.ParamsKind[fakeParams](func(p runner.Params, _ *fakeParams) (runner.Checker, error) {
		var b storeBlock
		return okChecker, p.Service("store", &b)
	}), map[string]any{"store": &storeBlock{}})
	s := MustSchema(t, runner.Kinds{"fake.stores": k})
	if got := at(t, s, "properties", "services", "properties", "store", "properties", "path", "type"); got != "string" {
		t.Errorf("services.store.path type = %v, want string", got)
	}
	if _, ok := k.(runner.ParamsDeclarer); !ok {
		t.Fatal("WithServices hides the parameters the kind declares")
	}
}

func TestSchemaSpec(t *testing.T) {
	s := MustSchema(t, runner.Kinds{"fake.params": decodes[fakeParams]()})
	if at(t, s, "$id") != schemaID || at(t, s, "$schema") != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$id or $schema wrong: %v %v", s["$id"], s["$schema"])
	}
	for _, path := range [][]any{
		{"additionalProperties"},
		{"$defs", "recipe", "additionalProperties"},
		{"$defs", "wrong", "additionalProperties"},
		{"$defs", "check", "additionalProperties"},
		{"$defs", "step", "additionalProperties"},
	} {
		m := s
		for _, p := range path[:len(path)-1] {
			m = m[p.(string)].(map[string]any)
		}
		if v, ok := m["additionalProperties"]; !ok || v != false {
			t.Errorf("%v = %v, want false: the loader rejects unknown fields", path, v)
		}
	}
	tests := []struct {
		path []any
		want any
	}{
		{[]any{"properties", "format", "const"}, float64(FormatVersion)},
		{[]any{"properties", "id", "pattern"}, `^[a-z0-9]+(-[a-z0-9]+)*$`},
		{[]any{"properties", "skill", "enum"}, toAny(strs(runner.Skills))},
		{[]any{"properties", "phase", "enum"}, toAny(strs(runner.Phases))},
		{[]any{"properties", "starter", "$ref"}, "#/$defs/recipe"},
		{[]any{"properties", "checks", "items", "$ref"}, "#/$defs/check"},
		{[]any{"$defs", "check", "properties", "visibility", "enum"}, []any{"visible", "hidden"}},
		{[]any{"$defs", "check", "properties", "points", "type"}, "integer"},
		{[]any{"$defs", "check", "properties", "with", "type"}, "object"},
		{[]any{"$defs", "recipe", "properties", "history", "items", "$ref"}, "#/$defs/step"},
		{[]any{"$defs", "step", "properties", "write", "additionalProperties", "type"}, "string"},
		{[]any{"$defs", "step", "properties", "mode", "enum"}, []any{"hard", "mixed", "soft"}},
	}
	for _, tt := range tests {
		if got := at(t, s, tt.path...); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%v = %v, want %v", tt.path, got, tt.want)
		}
	}
	// wrong inlines recipeSpec: its fields sit beside name and must_fail.
	var wrong []string
	for k := range at(t, s, "$defs", "wrong", "properties").(map[string]any) {
		wrong = append(wrong, k)
	}
	slices.Sort(wrong)
	if want := []string{"executable", "files", "git", "history", "must_fail", "name"}; !slices.Equal(wrong, want) {
		t.Errorf("wrong's fields = %v, want %v", wrong, want)
	}
	// Every top-level field is described.
	for name, p := range at(t, s, "properties").(map[string]any) {
		if d, _ := p.(map[string]any)["description"].(string); d == "" {
			t.Errorf("top-level field %s has no description", name)
		}
	}
}

func toAny(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

func TestSchemaDeterministic(t *testing.T) {
	kinds := runner.Kinds{}
	for _, n := range []string{"b.x", "a.y", "c.z", "a.a", "d.q"} {
		kinds[n] = decodes[fakeParams]()
	}
	first, err := Schema(kinds)
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		again, err := Schema(kinds)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, again) {
			t.Fatal("Schema's output changed between calls")
		}
	}
	if bytes.Contains(first, []byte(`\u003c`)) {
		t.Error("Schema escaped < in descriptions")
	}
}

// TestSchemaIsValid compiles the schema against the 2020-12 metaschema and
// checks that a kind's parameters are enforced.
func TestSchemaIsValid(t *testing.T) {
	b, err := Schema(runner.Kinds{"fake.params": decodes[fakeParams]()})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(schemaID, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(schemaID)
	if err != nil {
		t.Fatalf("the schema does not compile: %v", err)
	}
	spec := func(with string) any {
		return asJSON(t, `{"format": 1, "id": "x", "title": "X", "skill": "databases", "phase": "beginner",
			"summary": "s", "instructions": "i.md", "solution": {"files": "solution"},
			"wrong": [{"name": "w", "files": "wrong"}],
			"checks": [{"id": "c", "name": "C", "kind": "fake.params", "hints": ["h"], "with": `+with+`}]}`)
	}
	if err := sch.Validate(spec(`{"branch": "main", "wait": "1m30s", "note": "n", "plain": true}`)); err != nil {
		t.Errorf("valid spec rejected: %v", err)
	}
	for _, with := range []string{`{"bogus": 1}`, `{"wait": "soon"}`, `{"tags": "a"}`, `{"Skipped": "x"}`, `"main"`} {
		if err := sch.Validate(spec(with)); err == nil {
			t.Errorf("with: %s accepted", with)
		}
	}
}

func TestSchemaErrors(t *testing.T) {
	type self struct {
		Next *self `yaml:"next"`
	}
	tests := []struct {
		name string
		kind runner.Kind
		want string
	}{
		{"channel", decodes[struct {
			C chan int `yaml:"c"`
		}](), "cannot be written in YAML"},
		{"int keys", decodes[struct {
			M map[int]string `yaml:"m"`
		}](), "string keys"},
		{"recursive", decodes[self](), "refers to itself"},
		{"duplicate", decodes[struct {
			A string `yaml:"a"`
			B string `yaml:"a"`
		}](), `two fields are named "a"`},
		{"not a pointer", runner.KindFunc(func(p runner.Params) (runner.Checker, error) {
			return nil, p.Decode(fakeParams{})
		}), "not a pointer"},
		{"fails first", runner.KindFunc(func(p runner.Params) (runner.Checker, error) {
			return nil, errors.New("no files")
		}), "failed before decoding its parameters: no files"},
		{"panics", runner.KindFunc(func(p runner.Params) (runner.Checker, error) {
			panic("boom")
		}), "panicked while compiling: boom"},
		{"declares another", declared{Kind: decodes[fakeCommon](), params: &fakeParams{}}, "declares its parameters as *exercises.fakeParams but decodes into *exercises.fakeCommon"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Schema(runner.Kinds{"fake.bad": tt.kind})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "fake.bad") {
				t.Errorf("err = %v, want one naming fake.bad and saying %q", err, tt.want)
			}
		})
	}
}

// TestDurationPattern keeps the timeout pattern in step with time.ParseDuration.
func TestDurationPattern(t *testing.T) {
	re := regexp.MustCompile(durationPattern)
	for _, s := range []string{"30s", "2m", "1m30s", "1.5h", "250ms", "10us", "3µs", ".5s", "1.s", "", "30", "s", "-1s", "+1s", "30 s", "1d", "1m30"} {
		_, err := time.ParseDuration(s)
		parses := err == nil && !strings.HasPrefix(s, "-") && !strings.HasPrefix(s, "+")
		if re.MatchString(s) != parses {
			t.Errorf("%q: pattern matches = %v, ParseDuration accepts as unsigned = %v", s, re.MatchString(s), parses)
		}
	}
}
