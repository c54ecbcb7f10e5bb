//go:build !unix

package sandbox

// processAlive cannot tell here: every owner counts as gone, and `grader gc`
// sweeps by age alone, as --older-than says.
func processAlive(int) bool { return false }
