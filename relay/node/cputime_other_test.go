//go:build !unix

package node_test

import "time"

// processCPU is unknown here: the benchmark leaves out the CPU figures.
func processCPU() time.Duration { return 0 }
