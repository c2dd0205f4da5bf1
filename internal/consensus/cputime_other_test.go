//go:build !unix

package consensus_test

import "time"

// cpuTime is not measured here; benchmarks then omit the metric.
func cpuTime() time.Duration { return 0 }
