// Package temperature converts and summarises temperatures.
package temperature

import "errors"

// ErrNoValues is returned by MinMax when it is given nothing to compare.
var ErrNoValues = errors.New("no values")

// CToF converts degrees Celsius to Fahrenheit.
func CToF(c float64) float64 { return 0 }

// FToC converts degrees Fahrenheit to Celsius.
func FToC(f float64) float64 { return 0 }

// MinMax returns the smallest and largest of values.
func MinMax(values ...float64) (lo, hi float64, err error) { return 0, 0, nil }

// Describe names how a temperature in Celsius feels.
func Describe(c float64) string { return "" }
