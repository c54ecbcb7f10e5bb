// Package temperature converts and summarises temperatures.
package temperature

import "errors"

// ErrNoValues is returned by MinMax when it is given nothing to compare.
var ErrNoValues = errors.New("no values")

// CToF converts degrees Celsius to Fahrenheit.
func CToF(c float64) float64 { return c * 9 / 5 }

// FToC converts degrees Fahrenheit to Celsius.
func FToC(f float64) float64 { return (f - 32) * 5 / 9 }

// MinMax returns the smallest and largest of values.
func MinMax(values ...float64) (lo, hi float64, err error) {
	if len(values) == 0 {
		return 0, 0, ErrNoValues
	}
	lo, hi = values[0], values[0]
	for _, v := range values[1:] {
		lo, hi = min(lo, v), max(hi, v)
	}
	return lo, hi, nil
}

// Describe names how a temperature in Celsius feels.
func Describe(c float64) string {
	switch {
	case c <= 0:
		return "freezing"
	case c < 15:
		return "cold"
	case c < 25:
		return "mild"
	}
	return "hot"
}
