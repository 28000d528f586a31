// Package cputime reads the CPU time the process has used, for benchmarks
// that report CPU per operation beside wall-clock rates (on a shared
// machine the first barely depends on load, the second swings with it).
package cputime

import "time"

// Process is the user and system CPU time the process has used, or 0 where
// the platform does not say (then benchmarks leave the CPU figure out).
func Process() time.Duration { return process() }
