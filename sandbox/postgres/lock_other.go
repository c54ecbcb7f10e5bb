//go:build !unix

package postgres

import "context"

// lockFile is a no-op where flock is unavailable: two processes starting at
// the same moment may each start a warm server, and the later Acquire replaces
// the one the state file does not name.
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	return func() {}, nil
}
