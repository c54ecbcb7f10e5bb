package workflow

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/rhysd/actionlint"
)

// Status is a job's status as the status functions see it: success()
// is true while no step has failed, failure() once one has.
type Status string

// The job statuses an expression can be evaluated under.
const (
	StatusSuccess Status = "success"
	StatusFailure Status = "failure"
)

// Context is what an expression can read: the contexts by name (github,
// env, matrix, runner, ...; objects are map[string]any with lower-case
// keys) and the job's status for success() and failure(). cancelled() is
// always false: a graded run is never cancelled by hand.
type Context struct {
	Values map[string]any
	Status Status
}

// exprError is an expression this emulation cannot evaluate (a function
// or context it does not know), said for the learner.
type exprError struct{ msg string }

func (e *exprError) Error() string { return e.msg }

func exprErrorf(format string, args ...any) error {
	return &exprError{msg: fmt.Sprintf(format, args...)}
}

// parseExpr parses the inside of one ${{ }} (without the braces).
func parseExpr(src string) (actionlint.ExprNode, error) {
	n, err := actionlint.NewExprParser().Parse(actionlint.NewExprLexer(src + "}}"))
	if err != nil {
		return nil, exprErrorf("expression %q does not parse: %s", src, err.Message)
	}
	return n, nil
}

// EvalCondition evaluates an `if:` value as GitHub does: with or without
// ${{ }}, and wrapped in success() && (...) unless it calls a status
// function itself.
func EvalCondition(cond string, c Context) (bool, error) {
	s := strings.TrimSpace(cond)
	if s == "" {
		return c.Status == StatusSuccess, nil
	}
	if strings.HasPrefix(s, "${{") && strings.HasSuffix(s, "}}") && strings.Count(s, "${{") == 1 {
		s = strings.TrimSpace(s[3 : len(s)-2])
	}
	n, err := parseExpr(s)
	if err != nil {
		return false, err
	}
	if !callsStatus(n) {
		n = &actionlint.LogicalOpNode{Kind: actionlint.LogicalOpNodeKindAnd,
			Left: &actionlint.FuncCallNode{Callee: "success"}, Right: n}
	}
	v, err := eval(n, c)
	if err != nil {
		return false, err
	}
	return truthy(v), nil
}

// callsStatus reports whether n calls success(), failure(), always() or
// cancelled() anywhere.
func callsStatus(n actionlint.ExprNode) bool {
	found := false
	actionlint.VisitExprNode(n, func(node, _ actionlint.ExprNode, entering bool) {
		if f, ok := node.(*actionlint.FuncCallNode); ok && entering {
			switch strings.ToLower(f.Callee) {
			case "success", "failure", "always", "cancelled":
				found = true
			}
		}
	})
	return found
}

// Interpolate replaces every ${{ expr }} in s with its value as a string.
func Interpolate(s string, c Context) (string, error) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${{")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		rest := s[i+3:]
		_, end, lerr := actionlint.LexExpression(rest)
		if lerr != nil {
			return "", exprErrorf("expression in %q does not parse: %s", s, lerr.Message)
		}
		inner := strings.TrimSuffix(strings.TrimSpace(rest[:end]), "}}")
		n, err := parseExpr(inner)
		if err != nil {
			return "", err
		}
		v, err := eval(n, c)
		if err != nil {
			return "", err
		}
		b.WriteString(toString(v))
		s = rest[end:]
	}
}

// Eval evaluates one expression (the inside of ${{ }}).
func Eval(src string, c Context) (any, error) {
	n, err := parseExpr(src)
	if err != nil {
		return nil, err
	}
	return eval(n, c)
}

func eval(n actionlint.ExprNode, c Context) (any, error) {
	switch n := n.(type) {
	case *actionlint.NullNode:
		return nil, nil
	case *actionlint.BoolNode:
		return n.Value, nil
	case *actionlint.IntNode:
		return float64(n.Value), nil
	case *actionlint.FloatNode:
		return n.Value, nil
	case *actionlint.StringNode:
		return n.Value, nil
	case *actionlint.VariableNode:
		name := strings.ToLower(n.Name)
		v, ok := c.Values[name]
		if !ok {
			return nil, exprErrorf("the context %q is not emulated by the grader's runner", n.Name)
		}
		return v, nil
	case *actionlint.ObjectDerefNode:
		r, err := eval(n.Receiver, c)
		if err != nil {
			return nil, err
		}
		return property(r, n.Property), nil
	case *actionlint.IndexAccessNode:
		r, err := eval(n.Operand, c)
		if err != nil {
			return nil, err
		}
		i, err := eval(n.Index, c)
		if err != nil {
			return nil, err
		}
		switch r := r.(type) {
		case []any:
			f, ok := i.(float64)
			if !ok || f < 0 || int(f) >= len(r) {
				return nil, nil
			}
			return r[int(f)], nil
		default:
			return property(r, toString(i)), nil
		}
	case *actionlint.ArrayDerefNode:
		return nil, exprErrorf("object filters (.*) are not emulated by the grader's runner")
	case *actionlint.NotOpNode:
		v, err := eval(n.Operand, c)
		if err != nil {
			return nil, err
		}
		return !truthy(v), nil
	case *actionlint.LogicalOpNode:
		l, err := eval(n.Left, c)
		if err != nil {
			return nil, err
		}
		if (n.Kind == actionlint.LogicalOpNodeKindAnd) != truthy(l) {
			return l, nil // && stops at a falsy left, || at a truthy one
		}
		return eval(n.Right, c)
	case *actionlint.CompareOpNode:
		l, err := eval(n.Left, c)
		if err != nil {
			return nil, err
		}
		r, err := eval(n.Right, c)
		if err != nil {
			return nil, err
		}
		return compare(n.Kind, l, r), nil
	case *actionlint.FuncCallNode:
		return call(n, c)
	}
	return nil, exprErrorf("an expression node of type %T is not emulated", n)
}

func property(v any, name string) any {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	return m[strings.ToLower(name)]
}

func call(n *actionlint.FuncCallNode, c Context) (any, error) {
	args := make([]any, len(n.Args))
	for i, a := range n.Args {
		v, err := eval(a, c)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	name := strings.ToLower(n.Callee)
	need := func(k int) error {
		if len(args) != k {
			return exprErrorf("%s() takes %d arguments, not %d", n.Callee, k, len(args))
		}
		return nil
	}
	switch name {
	case "success":
		return c.Status == StatusSuccess, nil
	case "failure":
		return c.Status == StatusFailure, nil
	case "always":
		return true, nil
	case "cancelled":
		return false, nil
	case "contains":
		if err := need(2); err != nil {
			return nil, err
		}
		if arr, ok := args[0].([]any); ok {
			for _, e := range arr {
				if compare(actionlint.CompareOpNodeKindEq, e, args[1]).(bool) {
					return true, nil
				}
			}
			return false, nil
		}
		return strings.Contains(strings.ToLower(toString(args[0])), strings.ToLower(toString(args[1]))), nil
	case "startswith":
		if err := need(2); err != nil {
			return nil, err
		}
		return strings.HasPrefix(strings.ToLower(toString(args[0])), strings.ToLower(toString(args[1]))), nil
	case "endswith":
		if err := need(2); err != nil {
			return nil, err
		}
		return strings.HasSuffix(strings.ToLower(toString(args[0])), strings.ToLower(toString(args[1]))), nil
	case "format":
		if len(args) == 0 {
			return nil, exprErrorf("format() needs a format string")
		}
		s := toString(args[0])
		for i, a := range args[1:] {
			s = strings.ReplaceAll(s, "{"+strconv.Itoa(i)+"}", toString(a))
		}
		return strings.NewReplacer("{{", "{", "}}", "}").Replace(s), nil
	case "join":
		if len(args) < 1 || len(args) > 2 {
			return nil, exprErrorf("join() takes 1 or 2 arguments")
		}
		sep := ","
		if len(args) == 2 {
			sep = toString(args[1])
		}
		arr, ok := args[0].([]any)
		if !ok {
			return toString(args[0]), nil
		}
		parts := make([]string, len(arr))
		for i, e := range arr {
			parts[i] = toString(e)
		}
		return strings.Join(parts, sep), nil
	case "tojson":
		if err := need(1); err != nil {
			return nil, err
		}
		b, _ := json.MarshalIndent(args[0], "", "  ")
		return string(b), nil
	case "fromjson":
		if err := need(1); err != nil {
			return nil, err
		}
		var v any
		if err := json.Unmarshal([]byte(toString(args[0])), &v); err != nil {
			return nil, exprErrorf("fromJSON(): %v", err)
		}
		return v, nil
	}
	return nil, exprErrorf("the function %s() is not emulated by the grader's runner", n.Callee)
}

// truthy is GitHub's coercion to boolean: false, 0, -0, NaN, "" and null
// are false.
func truthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	case float64:
		return v != 0 && !math.IsNaN(v)
	case string:
		return v != ""
	}
	return true
}

// toNumber is GitHub's coercion to a number for loose comparison.
func toNumber(v any) float64 {
	switch v := v.(type) {
	case nil:
		return 0
	case bool:
		if v {
			return 1
		}
		return 0
	case float64:
		return v
	case string:
		s := strings.TrimSpace(v)
		if s == "" {
			return 0
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
		if i, err := strconv.ParseInt(s, 0, 64); err == nil {
			return float64(i)
		}
	}
	return math.NaN()
}

// compare is GitHub's loose comparison: strings ignore case, values of
// different types compare as numbers, objects and arrays only by identity
// (never equal here).
func compare(kind actionlint.CompareOpNodeKind, l, r any) any {
	ls, lok := l.(string)
	rs, rok := r.(string)
	var c int
	switch {
	case lok && rok:
		c = strings.Compare(strings.ToLower(ls), strings.ToLower(rs))
	default:
		_, lobj := l.(map[string]any)
		_, robj := r.(map[string]any)
		_, larr := l.([]any)
		_, rarr := r.([]any)
		if lobj || robj || larr || rarr {
			return kind == actionlint.CompareOpNodeKindNotEq
		}
		if l == nil && r == nil {
			c = 0
			break
		}
		a, b := toNumber(l), toNumber(r)
		if math.IsNaN(a) || math.IsNaN(b) {
			return kind == actionlint.CompareOpNodeKindNotEq
		}
		switch {
		case a < b:
			c = -1
		case a > b:
			c = 1
		}
	}
	switch kind {
	case actionlint.CompareOpNodeKindEq:
		return c == 0
	case actionlint.CompareOpNodeKindNotEq:
		return c != 0
	case actionlint.CompareOpNodeKindLess:
		return c < 0
	case actionlint.CompareOpNodeKindLessEq:
		return c <= 0
	case actionlint.CompareOpNodeKindGreater:
		return c > 0
	case actionlint.CompareOpNodeKindGreaterEq:
		return c >= 0
	}
	return false
}

// toString is how a value is written into a string: null is empty,
// numbers without a needless fraction, objects and arrays as JSON.
func toString(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case bool:
		return strconv.FormatBool(v)
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1e15 {
			return strconv.FormatInt(int64(v), 10)
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	case string:
		return v
	}
	b, _ := json.Marshal(v)
	return string(b)
}
