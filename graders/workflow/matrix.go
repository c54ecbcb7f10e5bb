package workflow

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/rhysd/actionlint"
)

// combination is one matrix combination: key (lower case) → value.
type combination map[string]any

func (c combination) String() string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + toString(c[k])
	}
	return strings.Join(parts, ", ")
}

// hasValue reports whether some key of c has the value v (compared as
// strings).
func (c combination) hasValue(v string) bool {
	for _, x := range c {
		if toString(x) == v {
			return true
		}
	}
	return false
}

// expand lists a job's matrix combinations as GitHub does: the cartesian
// product of the rows (in key order), less `exclude`, then `include`
// entries extending the combinations they match or added as their own. A
// job without a matrix has one empty combination. A matrix built by an
// expression is not expanded (an error for the learner).
func (s *source) expand(j *actionlint.Job) ([]combination, error) {
	if j.Strategy == nil || j.Strategy.Matrix == nil {
		return []combination{{}}, nil
	}
	m := j.Strategy.Matrix
	if m.Expression != nil {
		return nil, fmt.Errorf("a matrix built by an expression (%s) is not expanded by the grader's runner", m.Expression.Value)
	}
	keys := make([]string, 0, len(m.Rows))
	for k, row := range m.Rows {
		if row.Expression != nil {
			return nil, fmt.Errorf("matrix row %s built by an expression is not expanded by the grader's runner", k)
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	combos := []combination{{}}
	for _, k := range keys {
		var next []combination
		for _, c := range combos {
			for _, v := range m.Rows[k].Values {
				n := combination{}
				for ck, cv := range c {
					n[ck] = cv
				}
				n[k] = s.rawValue(v)
				next = append(next, n)
			}
		}
		combos = next
	}
	if len(keys) == 0 {
		combos = nil
	}
	if m.Exclude != nil {
		if m.Exclude.Expression != nil {
			return nil, fmt.Errorf("a matrix exclude built by an expression is not expanded by the grader's runner")
		}
		combos = slices.DeleteFunc(combos, func(c combination) bool {
			for _, ex := range m.Exclude.Combinations {
				if s.matches(c, ex) {
					return true
				}
			}
			return false
		})
	}
	if m.Include != nil {
		if m.Include.Expression != nil {
			return nil, fmt.Errorf("a matrix include built by an expression is not expanded by the grader's runner")
		}
		base := len(combos)
		for _, in := range m.Include.Combinations {
			extended := false
			for _, c := range combos[:base] {
				if s.matchesOriginal(c, in, m.Rows) {
					for k, a := range in.Assigns {
						c[k] = s.rawValue(a.Value)
					}
					extended = true
				}
			}
			if !extended {
				n := combination{}
				for k, a := range in.Assigns {
					n[k] = s.rawValue(a.Value)
				}
				combos = append(combos, n)
			}
		}
	}
	if len(combos) == 0 {
		return nil, fmt.Errorf("the matrix has no combination left to run")
	}
	return combos, nil
}

// matches reports whether c has every assignment of ex.
func (s *source) matches(c combination, ex *actionlint.MatrixCombination) bool {
	for k, a := range ex.Assigns {
		if v, ok := c[k]; !ok || toString(v) != toString(s.rawValue(a.Value)) {
			return false
		}
	}
	return true
}

// matchesOriginal reports whether an include entry extends c: every one of
// its keys that is a row of the matrix has c's value.
func (s *source) matchesOriginal(c combination, in *actionlint.MatrixCombination, rows map[string]*actionlint.MatrixRow) bool {
	for k, a := range in.Assigns {
		if _, isRow := rows[k]; !isRow {
			continue
		}
		if toString(c[k]) != toString(s.rawValue(a.Value)) {
			return false
		}
	}
	return true
}

// rawValue turns a YAML value into an expression value. A quoted scalar
// stays the string written; an unquoted number is a number, as GitHub
// reads it, so `[3.10]` gives setup-python "3.1" (the classic surprise).
func (s *source) rawValue(v actionlint.RawYAMLValue) any {
	switch v := v.(type) {
	case *actionlint.RawYAMLString:
		if yamlNumber.MatchString(v.Value) && !s.quotedAt(v.Pos()) {
			if f, err := strconv.ParseFloat(v.Value, 64); err == nil {
				return strconv.FormatFloat(f, 'f', -1, 64)
			}
		}
		return v.Value
	case *actionlint.RawYAMLArray:
		out := make([]any, len(v.Elems))
		for i, e := range v.Elems {
			out[i] = s.rawValue(e)
		}
		return out
	case *actionlint.RawYAMLObject:
		out := map[string]any{}
		for k, e := range v.Props {
			out[k] = s.rawValue(e)
		}
		return out
	}
	return nil
}

// yamlNumber matches the plain scalars YAML 1.2 reads as decimal numbers.
var yamlNumber = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

// quotedAt reports whether the scalar at p starts with a quote in the
// workflow's text (without the text, a nil source, it is taken as quoted:
// the value stays as written).
func (s *source) quotedAt(p *actionlint.Pos) bool {
	if s == nil || p == nil || p.Line < 1 || p.Col < 1 {
		return true
	}
	line := 1
	for i := 0; i < len(s.src); i++ {
		if line == p.Line {
			k := i + p.Col - 1
			return k >= len(s.src) || s.src[k] == '"' || s.src[k] == '\''
		}
		if s.src[i] == '\n' {
			line++
		}
	}
	return true
}
