package miner

import (
	"context"
	"errors"
	"math/bits"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"postwork/chain"
	"postwork/chain/pow"
)

// Targets as compact bits: about one hash in 2^8, one in 2^16, and a target
// of 1, which no search will meet.
const (
	bits8      = 0x2000ffff
	bits16     = 0x1f00ffff
	impossible = 0x03000001
)

func meets(t testing.TB, h *chain.Header) bool {
	t.Helper()
	target, err := pow.TargetBytes(h.Bits)
	if err != nil {
		t.Fatal(err)
	}
	return pow.HashMeetsTarget(h.Hash(), target)
}

// firstSolution finds, by hashing whole headers, the first nonce from start
// whose header meets the target.
func firstSolution(t testing.TB, h chain.Header, start uint64) uint64 {
	t.Helper()
	for h.Nonce = start; h.Nonce != start-1; h.Nonce++ {
		if meets(t, &h) {
			return h.Nonce
		}
	}
	t.Fatal("no solution")
	return 0
}

// within fails the test if f has not returned after a generous deadline: a
// hung search shows as a failure, not as a test binary timeout.
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s did not return", what)
	}
}

func TestScanFindsFirstSolutionAndResumes(t *testing.T) {
	for seed := range uint64(4) {
		h := testHeader(seed)
		h.Bits = bits8
		want := firstSolution(t, h, h.Nonce)
		if want == h.Nonce {
			continue // nothing to resume
		}
		start := h.Nonce
		ok, err := Scan(&h, want-start)
		if err != nil || ok {
			t.Fatalf("Scan before the solution: ok %v err %v", ok, err)
		}
		if h.Nonce != want {
			t.Fatalf("Scan advanced to %d, want %d", h.Nonce, want)
		}
		ok, err = Scan(&h, 1)
		if err != nil || !ok || h.Nonce != want || !meets(t, &h) {
			t.Fatalf("Scan at the solution: ok %v err %v nonce %d, want %d", ok, err, h.Nonce, want)
		}
	}
}

func TestNonceRangesAreDisjointAndCover(t *testing.T) {
	for threads := 1; threads <= 7; threads++ {
		for _, start := range []uint64{0, 12345, ^uint64(0) - 3} {
			next := start
			var total, carry uint64
			for i := range threads {
				first, count := nonceRange(start, i, threads)
				if first != next || count == 0 {
					t.Fatalf("threads %d start %d: range %d is [%d,+%d), want it to start at %d", threads, start, i, first, count, next)
				}
				next = first + count
				total, carry = bits.Add64(total, count, carry)
			}
			if carry != 0 || total != ^uint64(0) {
				t.Fatalf("threads %d: ranges cover %d nonces (carry %d), want 2^64-1", threads, total, carry)
			}
		}
	}
}

// Each goroutine searches its own range from its start, so the solution a
// search returns is the first one in one of the ranges.
func TestSearchReturnsFirstSolutionOfARange(t *testing.T) {
	for _, threads := range []int{1, 2, 3} {
		h := testHeader(uint64(threads))
		h.Bits = bits8
		want := map[uint64]bool{}
		for i := range threads {
			first, _ := nonceRange(h.Nonce, i, threads)
			want[firstSolution(t, h, first)] = true
		}
		got, ok := Search(context.Background(), h, threads, nil)
		if !ok || !want[got.Nonce] {
			t.Fatalf("threads %d: found %v nonce %d, want one of %v", threads, ok, got.Nonce, want)
		}
	}
}

func TestSearchSolvesHeader(t *testing.T) {
	h := testHeader(7)
	h.Bits = bits16
	for _, threads := range []int{1, 2} {
		var hashes uint64
		got, ok := Search(context.Background(), h, threads, func(n uint64) { hashes += n })
		if !ok || !meets(t, &got) {
			t.Fatalf("threads %d: ok %v, hash %s does not meet bits %08x", threads, ok, got.Hash(), got.Bits)
		}
		if hashes == 0 {
			t.Fatal("no progress reported")
		}
		got.Nonce = h.Nonce
		if got != h {
			t.Fatalf("Search changed more than the nonce: %+v", got)
		}
	}
}

func TestSearchStopsOnCancel(t *testing.T) {
	for _, threads := range []int{1, 2} {
		h := testHeader(3)
		h.Bits = impossible
		ctx, cancel := context.WithCancel(context.Background())
		var hashes uint64
		before := runtime.NumGoroutine()
		var got chain.Header
		var ok bool
		within(t, "cancelled search", func() {
			got, ok = Search(ctx, h, threads, func(n uint64) {
				hashes += n
				if hashes >= 3*batch {
					cancel()
				}
			})
		})
		if ok || got != h {
			t.Fatalf("threads %d: cancelled search returned ok %v, %+v", threads, ok, got)
		}
		if hashes < 3*batch {
			t.Fatalf("threads %d: %d hashes reported, want at least %d", threads, hashes, 3*batch)
		}
		// within's goroutine may still be exiting; Search's own must be gone.
		if n := runtime.NumGoroutine(); n > before+1 {
			t.Fatalf("threads %d: %d goroutines after Search, %d before", threads, n, before)
		}
	}
}

// A deadline stops a search too, including a single-goroutine search in
// js/wasm, where nothing preempts a busy goroutine.
func TestSearchStopsAtDeadline(t *testing.T) {
	h := testHeader(4)
	h.Bits = impossible
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	var ok bool
	within(t, "search with a deadline", func() { _, ok = Search(ctx, h, 1, nil) })
	if ok {
		t.Fatal("impossible target solved")
	}
	if ctx.Err() == nil {
		t.Fatal("search returned before its deadline")
	}
}

func TestSearchRejectsBadTargets(t *testing.T) {
	for _, b := range []uint32{0, 0x04800001 /* negative */, 0xff123456 /* overflow */} {
		h := testHeader(5)
		h.Bits = b
		var calls atomic.Int32
		if _, ok := Search(context.Background(), h, 2, func(uint64) { calls.Add(1) }); ok || calls.Load() != 0 {
			t.Fatalf("bits %08x: ok %v after %d progress calls", b, ok, calls.Load())
		}
		if ok, err := Scan(&h, 10); ok || err == nil {
			t.Fatalf("bits %08x: Scan ok %v err %v, want an error", b, ok, err)
		}
	}
	h := testHeader(5)
	h.Bits = 0
	if _, err := Scan(&h, 1); !errors.Is(err, ErrZeroTarget) {
		t.Fatalf("zero bits: %v, want ErrZeroTarget", err)
	}
	h.Bits = bits8
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, ok := Search(ctx, h, 1, func(uint64) { t.Fatal("progress after cancel") }); ok {
		t.Fatal("a cancelled context still searched")
	}
}

// BenchmarkSearch2Threads measures Search's aggregate rate on two goroutines
// (an op is a search of 2^17 hashes), and its ratios to one goroutine and to
// the raw compression rate (BenchmarkRawCompression), measured in the same
// run.
func BenchmarkSearch2Threads(b *testing.B) {
	var hashes uint64
	for b.Loop() {
		hashes += search(2, 2*batch)
	}
	b.ReportMetric(float64(hashes)/b.Elapsed().Seconds()/1e6, "Mhash/s")
	r := bestRates(rawLoop,
		func(n int) int { return int(search(1, uint64(n))) },
		func(n int) int { return int(search(2, uint64(n))) })
	b.ReportMetric(r[1]/1e6, "1thread_Mhash/s")
	b.ReportMetric(r[2]/r[1], "ratio_vs_1thread")
	b.ReportMetric(r[2]/r[0], "ratio_vs_raw")
}

// search runs Search on an impossible target until at least n hashes are
// done and returns how many were.
func search(threads int, n uint64) uint64 {
	h := testHeader(8)
	h.Bits = impossible
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var total uint64
	Search(ctx, h, threads, func(k uint64) {
		if total += k; total >= n {
			cancel()
		}
	})
	return total
}
