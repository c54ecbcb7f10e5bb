// Package pool runs work on a bounded number of goroutines.
package pool

// Map calls f on every input, on at most workers goroutines at a time, and
// returns each input's result. workers below 1 counts as 1.
func Map(inputs []string, workers int, f func(string) int) map[string]int {
	return nil
}
