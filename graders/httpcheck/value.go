package httpcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// JSON values here are what encoding/json decodes with UseNumber: nil,
// bool, string, json.Number, []any and map[string]any. Numbers stay
// json.Number so that 1 and 1.0 compare equal by value and large integers
// keep every digit.

// jsonNumber is the JSON grammar for a number.
var jsonNumber = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`) })

// nodeValue converts a YAML node, as an author wrote it, to a JSON value.
// field names the parameter for errors.
func nodeValue(n *yaml.Node, field string) (any, error) {
	switch n.Kind {
	case 0:
		return nil, nil
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return nodeValue(n.Content[0], field)
	case yaml.AliasNode:
		return nodeValue(n.Alias, field)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for i, c := range n.Content {
			v, err := nodeValue(c, fmt.Sprintf("%s[%d]", field, i))
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			v, err := nodeValue(n.Content[i+1], field+"."+k)
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	}
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, paramErr(field, "%v", err)
		}
		return b, nil
	case "!!int", "!!float":
		num, err := numberText(n)
		if err != nil {
			return nil, paramErr(field, "%v", err)
		}
		return json.Number(num), nil
	}
	return n.Value, nil // strings, and timestamps as written
}

// numberText returns a YAML number as JSON number text.
func numberText(n *yaml.Node) (string, error) {
	v := strings.ReplaceAll(n.Value, "_", "")
	if jsonNumber().MatchString(v) {
		return v, nil
	}
	if r, ok := new(big.Rat).SetString(strings.TrimPrefix(v, "+")); ok {
		return ratText(r), nil
	}
	var i int64
	if n.ShortTag() == "!!int" && n.Decode(&i) == nil { // 0x1f, 0o17
		return strconv.FormatInt(i, 10), nil
	}
	return "", fmt.Errorf("%s is not a number JSON can carry", n.Value)
}

// ratText writes r as a JSON number: an integer, or a decimal fraction.
func ratText(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// ratOf returns a JSON number's exact value.
func ratOf(n json.Number) (*big.Rat, bool) {
	return new(big.Rat).SetString(string(n))
}

// decodeJSON decodes a whole body, with numbers kept exact.
func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if err == io.EOF {
			return nil, fmt.Errorf("it is empty")
		}
		return nil, jsonErr(b, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("it holds more after the first JSON value (at byte %d)", dec.InputOffset())
	}
	return v, nil
}

// jsonErr says where a body stops being JSON.
func jsonErr(b []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%v (at byte %d)", se, se.Offset)
	}
	if err == io.ErrUnexpectedEOF {
		return fmt.Errorf("it ends in the middle of a JSON value")
	}
	return err
}

// equal reports whether two JSON values are the same: object keys in any
// order, numbers by value.
func equal(a, b any) bool {
	switch a := a.(type) {
	case nil:
		return b == nil
	case bool:
		bb, ok := b.(bool)
		return ok && a == bb
	case string:
		bs, ok := b.(string)
		return ok && a == bs
	case json.Number:
		bn, ok := b.(json.Number)
		if !ok {
			return false
		}
		if a == bn {
			return true
		}
		ra, oka := ratOf(a)
		rb, okb := ratOf(bn)
		return oka && okb && ra.Cmp(rb) == 0
	case []any:
		bs, ok := b.([]any)
		if !ok || len(a) != len(bs) {
			return false
		}
		for i := range a {
			if !equal(a[i], bs[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			return false
		}
		for k, v := range a {
			w, ok := bm[k]
			if !ok || !equal(v, w) {
				return false
			}
		}
		return true
	}
	return false
}

// difference is the first place two JSON values differ.
type difference struct {
	path     string // $.items[1].title
	expected string // what should be there ("" when nothing should)
	got      string // what is there ("" when nothing is)
}

func (d difference) String() string {
	switch {
	case d.got == "":
		return fmt.Sprintf("%s is missing (expected %s)", d.path, d.expected)
	case d.expected == "":
		return fmt.Sprintf("%s should not be there (got %s)", d.path, d.got)
	}
	return fmt.Sprintf("%s should be %s, got %s", d.path, d.expected, d.got)
}

// quiet says where the values differ and what is there, not what should
// be: for a hidden check.
func (d difference) quiet() string {
	switch {
	case d.got == "":
		return d.path + " is missing"
	case d.expected == "":
		return fmt.Sprintf("%s should not be there (got %s)", d.path, d.got)
	}
	return fmt.Sprintf("it differs at %s (got %s)", d.path, d.got)
}

// diff returns the first difference between want and got, in document
// order (object keys sorted), or nil when they are equal.
func diff(want, got any, path string) *difference {
	if equal(want, got) {
		return nil
	}
	switch w := want.(type) {
	case []any:
		g, ok := got.([]any)
		if !ok {
			break
		}
		for i := range min(len(w), len(g)) {
			if d := diff(w[i], g[i], fmt.Sprintf("%s[%d]", path, i)); d != nil {
				return d
			}
		}
		if len(w) > len(g) {
			return &difference{path: fmt.Sprintf("%s[%d]", path, len(g)), expected: brief(w[len(g)]) + fmt.Sprintf(" (%d elements in all, got %d)", len(w), len(g))}
		}
		return &difference{path: fmt.Sprintf("%s[%d]", path, len(w)), got: brief(g[len(w)]) + fmt.Sprintf(" (%d elements in all, expected %d)", len(g), len(w))}
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			break
		}
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range w {
				if !yield(k) {
					return
				}
			}
		})
		for _, k := range keys {
			gv, ok := g[k]
			if !ok {
				return &difference{path: memberPath(path, k), expected: brief(w[k])}
			}
			if d := diff(w[k], gv, memberPath(path, k)); d != nil {
				return d
			}
		}
		extra := slices.Sorted(func(yield func(string) bool) {
			for k := range g {
				if _, ok := w[k]; !ok && !yield(k) {
					return
				}
			}
		})
		if len(extra) > 0 {
			return &difference{path: memberPath(path, extra[0]), got: brief(g[extra[0]])}
		}
	}
	return &difference{path: path, expected: brief(want), got: brief(got)}
}

// plainMember is a member name JSONPath's dot notation can write.
var plainMember = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`) })

// memberPath writes path.key, or path['key'] when key needs quoting.
func memberPath(path, key string) string {
	if plainMember().MatchString(key) {
		return path + "." + key
	}
	b, _ := json.Marshal(key)
	return path + "[" + string(b) + "]"
}

// typeName is the JSON type of v, in JSON Schema's words (an integral
// number is an integer).
func typeName(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case json.Number:
		if r, ok := ratOf(v); ok && r.IsInt() {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// textOf is a value as text: a string as is, anything else as compact JSON.
func textOf(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return compact(v)
}

// compact encodes a JSON value without HTML escaping.
func compact(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// pretty encodes a JSON value indented, for Expected and Actual.
func pretty(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// brief is a value for a message: compact JSON, cut to about 120 bytes.
func brief(v any) string {
	return trim(compact(v), 120)
}

// trim cuts s to at most n bytes at a character boundary, saying how long
// it was.
func trim(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d bytes in all)", s[:cut], len(s))
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// encodeNode writes a YAML node as JSON, keeping the order its keys were
// written in, with captures substituted as [vars.renderValue] does.
func encodeNode(buf *bytes.Buffer, n *yaml.Node, v vars) error {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			buf.WriteString("null")
			return nil
		}
		return encodeNode(buf, n.Content[0], v)
	case yaml.AliasNode:
		return encodeNode(buf, n.Alias, v)
	case yaml.SequenceNode:
		buf.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := encodeNode(buf, c, v); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	case yaml.MappingNode:
		buf.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.WriteString(compact(v.render(n.Content[i].Value)))
			buf.WriteByte(':')
			if err := encodeNode(buf, n.Content[i+1], v); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
		return nil
	}
	val, err := nodeValue(n, "")
	if err != nil {
		return err
	}
	buf.WriteString(compact(v.renderValue(val)))
	return nil
}
