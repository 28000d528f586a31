package chain

import (
	"math/rand/v2"
	"testing"
)

// The header check compares a time with the median time past by counting;
// it must agree with MedianTime on every input, duplicates and short
// histories included.
func TestAfterMedianAgreesWithMedianTime(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < 100000; i++ {
		times := make([]int64, r.IntN(MedianTimeBlocks+5))
		for j := range times {
			times[j] = int64(r.IntN(20))
		}
		ts := int64(r.IntN(22) - 1)
		if got, want := afterMedian(ts, times), ts > MedianTime(times); got != want {
			t.Fatalf("afterMedian(%d, %v) = %v, MedianTime says %v", ts, times, got, want)
		}
	}
}
