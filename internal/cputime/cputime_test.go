//go:build unix

package cputime

import (
	"crypto/sha256"
	"testing"
	"time"
)

func TestProcessGrowsWithWork(t *testing.T) {
	before := Process()
	if before <= 0 {
		t.Fatalf("CPU time %v", before)
	}
	var sum [32]byte
	for deadline := time.Now().Add(10 * time.Second); Process() == before; {
		if time.Now().After(deadline) {
			t.Fatal("10 s of hashing did not move the process's CPU time")
		}
		sum = sha256.Sum256(sum[:])
	}
}
