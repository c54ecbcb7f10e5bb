package runner_test

import (
	"errors"
	"testing"

	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/runner/runnertest"
)

// rangeParams is a kind's parameters that check themselves.
type rangeParams struct {
	Min int `yaml:"min"`
	Max int `yaml:"max"`
}

func (p *rangeParams) Validate() error {
	if p.Max < p.Min {
		return runner.ParamErrorf("max", "must be at least min (%d), not %d", p.Min, p.Max)
	}
	return nil
}

// TestDecodeParams: no `with:` block is an empty one, an unknown field is
// the loader's error, and a Validator's verdict is the kind's ParamError.
func TestDecodeParams(t *testing.T) {
	for _, tc := range []struct {
		name  string
		p     runner.Params
		want  rangeParams
		field string // of the ParamError; "" for none
		err   bool
	}{
		{name: "no block", p: runner.Params{}},
		{name: "empty block", p: runnertest.Params(t, "", nil)},
		{name: "values", p: runnertest.Params(t, "{min: 1, max: 3}", nil), want: rangeParams{Min: 1, Max: 3}},
		{name: "a map", p: runnertest.Params(t, map[string]any{"max": 2}, nil), want: rangeParams{Max: 2}},
		{name: "validated", p: runnertest.Params(t, "{min: 4, max: 3}", nil), want: rangeParams{Min: 4, Max: 3}, field: "max", err: true},
		{name: "unknown field", p: runnertest.Params(t, "{mni: 4}", nil), err: true},
	} {
		var got rangeParams
		err := runner.DecodeParams(tc.p, &got)
		if (err != nil) != tc.err {
			t.Errorf("%s: error %v, want one: %v", tc.name, err, tc.err)
		}
		var pe *runner.ParamError
		if tc.field != "" && (!errors.As(err, &pe) || pe.Field != tc.field) {
			t.Errorf("%s: error %v, want a ParamError at %s", tc.name, err, tc.field)
		}
		if !tc.err && got != tc.want {
			t.Errorf("%s: decoded %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

// TestParamErrorf: the message reads "field: what is wrong".
func TestParamErrorf(t *testing.T) {
	err := runner.ParamErrorf("branch", "%q is not a valid branch name", "-x")
	if got, want := err.Error(), `branch: "-x" is not a valid branch name`; got != want {
		t.Errorf("ParamErrorf = %q, want %q", got, want)
	}
}

// TestParamsKind: a typed kind decodes and validates its parameters before
// its function sees them, and declares their type.
func TestParamsKind(t *testing.T) {
	var seen *rangeParams
	k := runner.ParamsKind[rangeParams](func(_ runner.Params, prm *rangeParams) (runner.Checker, error) {
		seen = prm
		return nil, nil
	})
	if _, err := k.Compile(runnertest.Params(t, "{min: 1, max: 2}", nil)); err != nil || seen == nil || *seen != (rangeParams{Min: 1, Max: 2}) {
		t.Errorf("Compile = %v, saw %+v; want min 1, max 2", err, seen)
	}
	seen = nil
	var pe *runner.ParamError
	if _, err := k.Compile(runnertest.Params(t, "{min: 4, max: 3}", nil)); !errors.As(err, &pe) || pe.Field != "max" || seen != nil {
		t.Errorf("Compile of invalid parameters = %v (function called: %v); want a ParamError at max before the function", err, seen != nil)
	}
	if _, ok := k.Params().(*rangeParams); !ok {
		t.Errorf("Params() = %T, want *rangeParams", k.Params())
	}
}
