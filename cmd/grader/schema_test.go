package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/backendroadmap/grader/exercises"
	"github.com/backendroadmap/grader/runner"
)

// schemaFile is the published schema, generated from the binary's kinds.
var schemaFile = filepath.Join("..", "..", "exercises", "exercise.schema.json")

// TestSchema keeps the committed schema equal to what the spec structs and
// this binary's kinds generate, so editors never validate against a stale one.
func TestSchema(t *testing.T) {
	got, err := exercises.Schema(kinds(&services{}))
	if err != nil {
		t.Fatalf("exercises.Schema: %v", err)
	}
	if *update {
		if err := os.WriteFile(schemaFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatalf("%v: run go test ./cmd/grader -run TestSchema -update", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is out of date with the spec structs or the check kinds (%s): run go test ./cmd/grader -run TestSchema -update",
			schemaFile, firstDiff(want, got))
	}
}

// TestEveryKindDeclaresItsParameters: the schema generator reads each of
// grader's kinds' parameters from the type the kind declares
// (runner.ParamsKind, runner.DecodesItself), not from what compiling it
// without an exercise happens to decode; a new kind that declares nothing
// fails here.
func TestEveryKindDeclaresItsParameters(t *testing.T) {
	for name, k := range kinds(&services{}) {
		d, ok := k.(runner.ParamsDeclarer)
		if !ok || d.Params() == nil {
			t.Errorf("kind %s does not declare its parameters: register it with runner.ParamsKind (or runner.DecodesItself when it decodes them itself)", name)
		}
	}
}

// firstDiff names the first line where the committed and generated files differ.
func firstDiff(old, new []byte) string {
	a, b := strings.Split(string(old), "\n"), strings.Split(string(new), "\n")
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return fmt.Sprintf("line %d is %q, generated %q", i+1, strings.TrimSpace(a[i]), strings.TrimSpace(b[i]))
		}
	}
	return fmt.Sprintf("committed %d lines, generated %d", len(a), len(b))
}

// MustCompileSchema compiles the generated schema with a 2020-12 validator.
func MustCompileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	b, err := exercises.Schema(kinds(&services{}))
	if err != nil {
		t.Fatalf("exercises.Schema: %v", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("exercise.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("exercise.schema.json")
	if err != nil {
		t.Fatalf("the schema does not compile: %v", err)
	}
	return sch
}

// MustYAMLInstance decodes YAML into the JSON values a validator takes, as
// an editor's YAML language server does.
func MustYAMLInstance(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(jsonKeys(v))
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

// jsonKeys turns YAML mappings with non-string keys (like 1: x) into JSON
// objects, whose keys are always strings.
func jsonKeys(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = jsonKeys(e)
		}
	case map[any]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[fmt.Sprint(k)] = jsonKeys(e)
		}
		return m
	case []any:
		for i, e := range v {
			v[i] = jsonKeys(e)
		}
	}
	return v
}

// embeddedSpecs returns every exercise.yaml of the embedded catalog by path.
func embeddedSpecs(t *testing.T) map[string][]byte {
	t.Helper()
	specs := map[string][]byte{}
	cat := exercises.Embedded()
	err := fs.WalkDir(cat, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Base(p) != exercises.SpecFile {
			return err
		}
		specs[p], err = fs.ReadFile(cat, p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(specs) == 0 {
		t.Fatal("the embedded catalog has no " + exercises.SpecFile)
	}
	return specs
}

// TestSchemaAcceptsCatalog proves the schema is not stricter than the loader:
// every spec the binary ships validates.
func TestSchemaAcceptsCatalog(t *testing.T) {
	sch := MustCompileSchema(t)
	for p, data := range embeddedSpecs(t) {
		if err := sch.Validate(MustYAMLInstance(t, data)); err != nil {
			t.Errorf("%s does not validate against the schema:\n%v", p, err)
		}
	}
}

// schemaProblem is one leaf of a validation error: where in the spec, and
// which keyword it broke.
type schemaProblem struct{ at, keyword string }

func schemaProblems(err error) []schemaProblem {
	var out []schemaProblem
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			kw := e.ErrorKind.KeywordPath()
			out = append(out, schemaProblem{"/" + strings.Join(e.InstanceLocation, "/"), kw[len(kw)-1]})
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	if ve, ok := err.(*jsonschema.ValidationError); ok {
		walk(ve)
	}
	return out
}

// TestSchemaRejects proves the schema catches the mistakes the loader catches,
// each at its own field, starting from the complete example exercise.
func TestSchemaRejects(t *testing.T) {
	sch := MustCompileSchema(t)
	const example = "version-control/git-branching/exercise.yaml"
	base, ok := embeddedSpecs(t)[example]
	if !ok {
		t.Fatalf("no %s in the embedded catalog", example)
	}
	if err := sch.Validate(MustYAMLInstance(t, base)); err != nil {
		t.Fatalf("%s does not validate: %v", example, err)
	}
	// checkOfKind returns the first check of a kind, and its index.
	checkOfKind := func(t *testing.T, spec map[string]any, kind string) (map[string]any, int) {
		t.Helper()
		for i, c := range spec["checks"].([]any) {
			if c := c.(map[string]any); c["kind"] == kind {
				return c, i
			}
		}
		t.Fatalf("%s has no %s check", example, kind)
		return nil, 0
	}
	tests := []struct {
		name   string
		change func(t *testing.T, spec map[string]any) (at string)
		want   string // the keyword broken at the returned location
	}{
		{"unknown top-level field", func(t *testing.T, s map[string]any) string {
			s["colour"] = "blue"
			return "/"
		}, "additionalProperties"},
		{"unknown with parameter for git.branch", func(t *testing.T, s map[string]any) string {
			c, i := checkOfKind(t, s, "git.branch")
			c["with"].(map[string]any)["ahead"] = "main"
			return fmt.Sprintf("/checks/%d/with", i)
		}, "additionalProperties"},
		{"bad skill", func(t *testing.T, s map[string]any) string {
			s["skill"] = "cooking"
			return "/skill"
		}, "enum"},
		{"bad kind", func(t *testing.T, s map[string]any) string {
			c, i := checkOfKind(t, s, "git.branch")
			c["kind"] = "git.branches"
			return fmt.Sprintf("/checks/%d/kind", i)
		}, "enum"},
		{"wrong type of with parameter", func(t *testing.T, s map[string]any) string {
			c, i := checkOfKind(t, s, "git.branch")
			c["with"].(map[string]any)["branch"] = []any{"main"}
			return fmt.Sprintf("/checks/%d/with/branch", i)
		}, "type"},
		{"bad format", func(t *testing.T, s map[string]any) string {
			s["format"] = 2
			return "/format"
		}, "const"},
		{"bad id", func(t *testing.T, s map[string]any) string {
			s["id"] = "Git_Branching"
			return "/id"
		}, "pattern"},
		{"bad timeout", func(t *testing.T, s map[string]any) string {
			s["checks"].([]any)[0].(map[string]any)["timeout"] = "30 seconds"
			return "/checks/0/timeout"
		}, "pattern"},
		{"bad visibility", func(t *testing.T, s map[string]any) string {
			s["checks"].([]any)[0].(map[string]any)["visibility"] = "secret"
			return "/checks/0/visibility"
		}, "enum"},
		{"check without hints", func(t *testing.T, s map[string]any) string {
			delete(s["checks"].([]any)[0].(map[string]any), "hints")
			return "/checks/0"
		}, "required"},
		{"unknown history step field", func(t *testing.T, s map[string]any) string {
			st := s["solution"].(map[string]any)["history"].([]any)[0].(map[string]any)
			st["rebase"] = "main"
			return "/solution/history/0"
		}, "additionalProperties"},
		{"no checks", func(t *testing.T, s map[string]any) string {
			s["checks"] = []any{}
			return "/checks"
		}, "minItems"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := MustYAMLInstance(t, base).(map[string]any)
			at := tt.change(t, spec)
			err := sch.Validate(spec)
			if err == nil {
				t.Fatal("the schema accepted it")
			}
			want := schemaProblem{at, tt.want}
			if got := schemaProblems(err); !slices.Equal(got, []schemaProblem{want}) {
				t.Errorf("problems = %v, want only %v\n%v", got, want, err)
			}
		})
	}
}
