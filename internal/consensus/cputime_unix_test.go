//go:build unix

package consensus_test

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time the process has used, user and system. On a
// shared machine it measures a benchmark's cost where wall time also counts
// the neighbours.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
