//go:build unix

package sandbox

import (
	"errors"
	"syscall"
)

// processAlive reports whether process pid exists on this machine: signal 0
// checks without sending anything, and a process of another user answers
// EPERM. A pid reused since its owner died looks alive: its leftovers then
// wait for the next sweep.
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
