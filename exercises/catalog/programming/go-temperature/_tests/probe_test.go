package temperature

// Drives the learner's functions for grader's hidden cases. No expected values here.

import (
	graderJSON "encoding/json"
	graderErrors "errors"
	graderFmt "fmt"
)

func graderProbe(call string, args []graderJSON.RawMessage) (any, error) {
	var xs []float64
	for _, a := range args {
		var x float64
		if err := graderJSON.Unmarshal(a, &x); err != nil {
			return nil, graderFmt.Errorf("probe: %v", err)
		}
		xs = append(xs, x)
	}
	switch call {
	case "CToF":
		return CToF(xs[0]), nil
	case "FToC":
		return FToC(xs[0]), nil
	case "MinMax":
		lo, hi, err := MinMax(xs...)
		if err != nil {
			if !graderErrors.Is(err, ErrNoValues) {
				return nil, graderFmt.Errorf("an error that is not ErrNoValues: %w", err)
			}
			return nil, err
		}
		return []float64{lo, hi}, nil
	case "Describe":
		return Describe(xs[0]), nil
	}
	return nil, graderFmt.Errorf("probe: unknown call %q", call)
}
