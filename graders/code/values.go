package code

import (
	"bytes"
	"encoding/json"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
)

// decodeValue reads a value the learner's code returned, with numbers kept
// exact.
func decodeValue(raw json.RawMessage) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil, false
	}
	return v, true
}

// equal compares an expected value with an actual one. Both come from JSON
// (strings, bools, nil, json.Number, []any, map[string]any); nothing the
// learner's code defines takes part, so no __eq__ or Equal method can lie.
// Numbers are equal when they are the same number (2 equals 2.0), within
// tol when given; lists compare in order unless unordered.
func equal(want, got any, tol float64, unordered bool) bool {
	switch w := want.(type) {
	case nil:
		return got == nil
	case string:
		g, ok := got.(string)
		return ok && g == w
	case bool:
		g, ok := got.(bool)
		return ok && g == w
	case json.Number:
		g, ok := got.(json.Number)
		return ok && numbersEqual(w, g, tol)
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		if unordered {
			return sameMultiset(w, g, tol)
		}
		for i := range w {
			if !equal(w[i], g[i], tol, unordered) {
				return false
			}
		}
		return true
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok || !equal(wv, gv, tol, unordered) {
				return false
			}
		}
		return true
	}
	return false
}

func sameMultiset(w, g []any, tol float64) bool {
	used := make([]bool, len(g))
	for _, wv := range w {
		found := false
		for j, gv := range g {
			if !used[j] && equal(wv, gv, tol, true) {
				used[j], found = true, true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func numbersEqual(a, b json.Number, tol float64) bool {
	if a == b {
		return true
	}
	ra, oka := new(big.Rat).SetString(string(a))
	rb, okb := new(big.Rat).SetString(string(b))
	if oka && okb && ra.Cmp(rb) == 0 {
		return true
	}
	fa, err1 := strconv.ParseFloat(string(a), 64)
	fb, err2 := strconv.ParseFloat(string(b), 64)
	if err1 != nil || err2 != nil {
		return false
	}
	if tol == 0 {
		// Only float rounding: 0.1+0.2 is 0.3 to a learner.
		tol = 1e-9 * math.Max(1, math.Abs(fa))
	}
	return math.Abs(fa-fb) <= tol
}

// render shows a value as the exercise's language writes it, cut to n
// characters.
func render(v any, lang string, n int) string {
	var b strings.Builder
	writeValue(&b, v, lang)
	return cut(b.String(), n)
}

func writeValue(b *strings.Builder, v any, lang string) {
	switch x := v.(type) {
	case nil:
		if lang == Python {
			b.WriteString("None")
		} else {
			b.WriteString("nil")
		}
	case bool:
		s := strconv.FormatBool(x)
		if lang == Python {
			s = strings.ToUpper(s[:1]) + s[1:]
		}
		b.WriteString(s)
	case string:
		b.WriteString(strconv.Quote(x))
	case json.Number:
		b.WriteString(string(x))
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writeValue(b, e, lang)
			if b.Len() > 4096 {
				b.WriteString(", ...")
				break
			}
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.Quote(k))
			b.WriteString(": ")
			writeValue(b, x[k], lang)
			if b.Len() > 4096 {
				b.WriteString(", ...")
				break
			}
		}
		b.WriteByte('}')
	default:
		b.WriteString("?")
	}
}

// callString shows a call with its arguments: fizzbuzz(15).
func callString(name string, args []any, lang string) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = render(a, lang, 80)
	}
	return cut(name+"("+strings.Join(parts, ", ")+")", 200)
}

// cut shortens s to about n characters, saying how much was left out.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "… (" + strconv.Itoa(len(r)-n) + " more characters)"
}

// excerpt is cut for output shown in a message: trimmed, control characters
// other than newlines and tabs made visible.
func excerpt(s string, n int) string {
	s = strings.TrimSpace(s)
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || r >= 0x20 && r != 0x7f {
			return r
		}
		return '\uFFFD'
	}, s)
	return cut(s, n)
}
