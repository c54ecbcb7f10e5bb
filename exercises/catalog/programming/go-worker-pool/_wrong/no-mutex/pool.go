// Package pool runs work on a bounded number of goroutines.
package pool

import "sync"

// Map calls f on every input, on at most workers goroutines at a time, and
// returns each input's result. workers below 1 counts as 1.
func Map(inputs []string, workers int, f func(string) int) map[string]int {
	workers = max(workers, 1)
	jobs := make(chan string)
	results := make(map[string]int, len(inputs))
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for in := range jobs {
				r := f(in)
				results[in] = r
			}
		}()
	}
	for _, in := range inputs {
		jobs <- in
	}
	close(jobs)
	wg.Wait()
	return results
}
