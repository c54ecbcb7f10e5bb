package httpcheck

import (
	"encoding/json"
	"maps"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// This file makes valid input for an OpenAPI operation from its
// document: an example where the document gives one, else a value
// generated from the schema, which is then validated against it.

// maxGenDepth bounds generation in recursive schemas.
const maxGenDepth = 8

// stringsByFormat are the values generated for a string format.
var stringsByFormat = map[string]string{
	"date-time": "2026-01-05T09:00:00Z",
	"date":      "2026-01-05",
	"time":      "09:00:00Z",
	"email":     "ada@example.com",
	"uuid":      "3fa85f64-5717-4562-b3fc-2c963f66afa6",
	"uri":       "https://example.com/",
	"url":       "https://example.com/",
	"hostname":  "example.com",
	"ipv4":      "192.0.2.1",
	"ipv6":      "2001:db8::1",
	"byte":      "ZXhhbXBsZQ==",
	"password":  "Example-Secret-1",
}

// example returns the value a schema documents (example, const, default,
// the first enum value, the first of examples), if any.
func example(s *openapi3.Schema) (any, bool) {
	switch {
	case s.Example != nil:
		return s.Example, true
	case s.Const != nil:
		return s.Const, true
	case s.Default != nil:
		return s.Default, true
	}
	for _, e := range s.Enum {
		if e != nil {
			return e, true
		}
	}
	if len(s.Examples) > 0 {
		return s.Examples[0], true
	}
	return nil, false
}

// generate makes a value the schema accepts, preferring what the document
// shows. It returns false when it cannot (a pattern it does not know how
// to meet): the document then needs an example.
func generate(ref *openapi3.SchemaRef, depth int) (any, bool) {
	if ref == nil || ref.Value == nil {
		return "example", true
	}
	s := ref.Value
	if v, ok := example(s); ok {
		return plain(v), true
	}
	if depth > maxGenDepth {
		return nil, false
	}
	if len(s.AllOf) > 0 {
		return generate(&openapi3.SchemaRef{Value: mergeAllOf(s)}, depth+1)
	}
	for _, alts := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf} {
		for _, alt := range alts {
			if v, ok := generate(alt, depth+1); ok {
				return v, true
			}
		}
	}
	switch schemaType(s) {
	case "null":
		return nil, true
	case "boolean":
		return true, true
	case "integer":
		return number(s, true), true
	case "number":
		return number(s, false), true
	case "array":
		n := max(int(s.MinItems), 1)
		if s.MaxItems != nil && uint64(n) > *s.MaxItems {
			n = int(*s.MaxItems)
		}
		out := make([]any, 0, n)
		for range n {
			v, ok := generate(s.Items, depth+1)
			if !ok {
				return nil, false
			}
			out = append(out, v)
		}
		return out, true
	case "object":
		out := map[string]any{}
		for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
			p := s.Properties[name]
			if p != nil && p.Value != nil && p.Value.ReadOnly {
				continue
			}
			v, ok := generate(p, depth+1)
			if !ok {
				if slices.Contains(s.Required, name) {
					return nil, false
				}
				continue
			}
			out[name] = v
		}
		return out, true
	}
	return text(s)
}

// schemaType is the one type a value is generated as.
func schemaType(s *openapi3.Schema) string {
	for _, t := range s.Type.Slice() {
		if t != "null" {
			return t
		}
	}
	switch {
	case s.Type.IncludesNull():
		return "null"
	case len(s.Properties) > 0:
		return "object"
	case s.Items != nil:
		return "array"
	}
	return "string"
}

// number picks 1, or the closest value within the schema's bounds.
func number(s *openapi3.Schema, integer bool) any {
	v := 1.0
	if s.Min != nil {
		v = *s.Min
		if s.ExclusiveMin.IsTrue() {
			v++
		}
	}
	if s.ExclusiveMin.Value != nil && v <= *s.ExclusiveMin.Value {
		v = *s.ExclusiveMin.Value + 1
	}
	if integer {
		v = math.Ceil(v)
	}
	if s.MultipleOf != nil && *s.MultipleOf > 0 {
		v = math.Ceil(v / *s.MultipleOf) * *s.MultipleOf
	}
	if s.Max != nil && (v > *s.Max || v == *s.Max && s.ExclusiveMax.IsTrue()) {
		v = *s.Max
		if s.ExclusiveMax.IsTrue() {
			v--
		}
		if integer {
			v = math.Floor(v)
		}
	}
	if s.ExclusiveMax.Value != nil && v >= *s.ExclusiveMax.Value {
		v = *s.ExclusiveMax.Value - 1
	}
	return v
}

// textCandidates are tried, in order, against a string's pattern.
var textCandidates = []string{"example", "Example", "EXAMPLE", "example-1", "a", "A", "1", "abc123", "ABC-123", "a1", "x"}

// text makes a string of the right format and length that matches the
// schema's pattern, if it can.
func text(s *openapi3.Schema) (any, bool) {
	candidates := textCandidates
	if v, ok := stringsByFormat[s.Format]; ok {
		candidates = append([]string{v}, candidates...)
	}
	var re *regexp.Regexp
	if s.Pattern != "" {
		var err error
		if re, err = regexp.Compile(s.Pattern); err != nil {
			return nil, false
		}
	}
	for _, c := range candidates {
		for len(c) < int(s.MinLength) {
			c += "x"
		}
		if s.MaxLength != nil && uint64(len(c)) > *s.MaxLength {
			c = c[:*s.MaxLength]
		}
		if re == nil || re.MatchString(c) {
			return c, true
		}
	}
	return nil, false
}

// mergeAllOf folds s's allOf into one object schema: every part's
// properties and required names.
func mergeAllOf(s *openapi3.Schema) *openapi3.Schema {
	m := &openapi3.Schema{Properties: openapi3.Schemas{}}
	var add func(x *openapi3.Schema, depth int)
	add = func(x *openapi3.Schema, depth int) {
		if x == nil || depth > maxGenDepth {
			return
		}
		for k, v := range x.Properties {
			m.Properties[k] = v
		}
		m.Required = append(m.Required, x.Required...)
		for _, part := range x.AllOf {
			if part != nil {
				add(part.Value, depth+1)
			}
		}
	}
	add(s, 0)
	m.Type = &openapi3.Types{"object"}
	return m
}

// plain turns a value from the document (YAML-decoded numbers of any Go
// type) into what encoding/json would decode: float64 numbers,
// map[string]any, []any.
func plain(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if json.Unmarshal(b, &out) != nil {
		return v
	}
	return out
}

// paramText writes a parameter's value as it goes in a path, query or
// header: text as is, other values as JSON.
func paramText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return strings.TrimSpace(compact(v))
}
