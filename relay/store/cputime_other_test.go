//go:build !unix

package store

import "time"

// processCPU is unknown here: the benchmark leaves out the CPU figure.
func processCPU() time.Duration { return 0 }
