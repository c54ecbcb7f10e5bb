// Package pool runs work on a bounded number of goroutines.
package pool

import (
	"fmt"
	"sync"
)

// Map calls f on every input, on at most workers goroutines at a time, and
// returns each input's result. workers below 1 counts as 1.
//
// Wrong: the results map is locked, but the count of finished jobs is not.
// Its increments race, and a lost one goes unnoticed (the sanity check only
// catches too many): the results stay right, so only the race detector
// shows the bug.
func Map(inputs []string, workers int, f func(string) int) map[string]int {
	workers = max(workers, 1)
	jobs := make(chan string)
	results := make(map[string]int, len(inputs))
	var mu sync.Mutex
	var wg sync.WaitGroup
	done := 0
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for in := range jobs {
				r := f(in)
				mu.Lock()
				results[in] = r
				mu.Unlock()
				done++
			}
		}()
	}
	for _, in := range inputs {
		jobs <- in
	}
	close(jobs)
	wg.Wait()
	if done > len(inputs) {
		panic(fmt.Sprintf("pool: %d jobs finished out of %d", done, len(inputs)))
	}
	return results
}
