// Package pool runs work on a bounded number of goroutines.
package pool

import "sync"

// Map calls f on every input, on at most workers goroutines at a time, and
// returns each input's result. workers below 1 counts as 1.
func Map(inputs []string, workers int, f func(string) int) map[string]int {
	workers = max(workers, 1)
	jobs := make(chan string)
	results := make(map[string]int, len(inputs))
	var mu sync.Mutex
	var wg sync.WaitGroup
	close(jobs)
	mu.Lock()
	for _, in := range inputs {
		results[in] = f(in)
	}
	mu.Unlock()
	wg.Wait()
	return results
}
