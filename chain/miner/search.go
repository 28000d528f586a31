// Package miner builds block templates and searches for the nonce that makes
// a header's hash meet its target. Hashing uses a midstate, so each nonce costs
// one SHA-256 compression (hash.go); the search splits the 64-bit nonce space
// among goroutines; Miner keeps a search going on fresh templates. It does no
// I/O. Hashrates are for display only: nothing in consensus depends on them.
package miner

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"postwork/chain"
	"postwork/chain/pow"
)

const (
	// batch is how many nonces a search tries between looks at the outside
	// world: reporting progress, noticing a stop. At 16 M hashes/s natively it
	// is 4 ms, at 3 M/s in wasm 22 ms, which bounds how late a search stops.
	batch = 1 << 16

	// MaxThreads bounds Search's goroutines, so a bad argument cannot spawn
	// millions of them.
	MaxThreads = 1024
)

// ErrZeroTarget reports bits that encode a target of zero, which no hash can
// meet in practice.
var ErrZeroTarget = errors.New("miner: target is zero")

// job is one header being mined: its encoding and target. Each goroutine
// hashes with a midstate of its own.
type job struct {
	enc    [chain.HeaderSize]byte
	target [32]byte
	top    uint64 // target's first 8 bytes, big-endian: the fast comparison
}

func newJob(h *chain.Header) (*job, error) {
	target, err := pow.TargetBytes(h.Bits)
	if err != nil {
		return nil, fmt.Errorf("miner: %w", err)
	}
	if target == [32]byte{} {
		return nil, fmt.Errorf("%w: bits %#08x", ErrZeroTarget, h.Bits)
	}
	return &job{enc: h.Encode(), target: target, top: binary.BigEndian.Uint64(target[:8])}, nil
}

// scan tries count nonces from start (wrapping) and returns the first whose
// hash is at most the target, and how many nonces it tried.
func (j *job) scan(ms *defaultMidstate, start, count uint64) (nonce, tried uint64, ok bool) {
	var out [32]byte
	for i := range count {
		n := start + i
		ms.hash(n, &out)
		// A hash is a big-endian number: its first 8 bytes decide unless
		// they equal the target's, which almost never happens.
		if top := binary.BigEndian.Uint64(out[:8]); top <= j.top {
			if top < j.top || bytes.Compare(out[:], j.target[:]) <= 0 {
				return n, i + 1, true
			}
		}
	}
	return 0, count, false
}

// Scan tries count nonces from h.Nonce upward, synchronously, on the calling
// goroutine. On a solution it sets h.Nonce to it and returns true; otherwise
// it advances h.Nonce past the nonces tried, so the next call goes on where
// this one stopped. It is for js/wasm workers, which must return to the
// JavaScript event loop between slices of work to receive messages: a worker
// k of n starts at h.Nonce = k·(2^64/n) and calls Scan in slices.
func Scan(h *chain.Header, count uint64) (bool, error) {
	j, err := newJob(h)
	if err != nil {
		return false, err
	}
	n, tried, ok := j.scan(newDefaultMidstate(&j.enc), h.Nonce, count)
	if ok {
		h.Nonce = n
	} else {
		h.Nonce += tried
	}
	return ok, nil
}

// nonceRange is the part of the nonce space worker i of threads searches:
// count nonces from first. The ranges are disjoint and, laid end to end from
// start, cover all nonces but one (start-1), which nobody will miss.
func nonceRange(start uint64, i, threads int) (first, count uint64) {
	span := ^uint64(0) / uint64(threads)
	first = start + uint64(i)*span
	count = span
	if i == threads-1 {
		count = ^uint64(0) - span*uint64(threads-1)
	}
	return first, count
}

// Search looks for a nonce that makes h's hash meet the target of h.Bits,
// on threads goroutines (at least 1, at most MaxThreads), each over its own
// part of the nonce space starting from h.Nonce. It returns the solved header
// and true, or h and false when ctx ends first (the caller cancels it when a
// new tip arrives) or h.Bits is not a usable target.
//
// progress, if not nil, is called on the caller's goroutine with the number
// of hashes done since its previous call, about every 2^16 hashes per thread.
//
// With threads == 1 the search runs on the caller's goroutine: that is what a
// js/wasm worker wants, which has no second core and no preemption. The
// search yields to other goroutines between batches, so Go timers and
// context deadlines still fire; JavaScript events (a worker's messages) wait
// until all Go code blocks, so a worker that must hear them uses Scan. With
// more threads, every goroutine Search starts has exited when it returns.
func Search(ctx context.Context, h chain.Header, threads int, progress func(hashes uint64)) (chain.Header, bool) {
	j, err := newJob(&h)
	if err != nil || ctx.Err() != nil {
		return h, false
	}
	threads = min(max(threads, 1), MaxThreads)
	if threads == 1 {
		return j.searchInline(ctx, h, progress)
	}
	return j.searchParallel(ctx, h, threads, progress)
}

func (j *job) searchInline(ctx context.Context, h chain.Header, progress func(uint64)) (chain.Header, bool) {
	first, count := nonceRange(h.Nonce, 0, 1)
	ms := newDefaultMidstate(&j.enc)
	for count > 0 && ctx.Err() == nil {
		n, tried, ok := j.scan(ms, first, min(count, batch))
		if progress != nil {
			progress(tried)
		}
		if ok {
			h.Nonce = n
			return h, true
		}
		first += tried
		count -= tried
		runtime.Gosched()
	}
	return h, false
}

// report is what a search goroutine tells the caller's goroutine.
type report struct {
	hashes uint64
	done   bool // the goroutine is exiting after this report
	found  bool
	nonce  uint64
}

func (j *job) searchParallel(ctx context.Context, h chain.Header, threads int, progress func(uint64)) (chain.Header, bool) {
	var stop atomic.Bool
	reports := make(chan report, threads)
	var wg sync.WaitGroup
	for i := range threads {
		first, count := nonceRange(h.Nonce, i, threads)
		// Each goroutine exits when its range is exhausted, it finds a
		// solution, or stop is set; its last report has done set.
		wg.Go(func() {
			ms := newDefaultMidstate(&j.enc)
			for {
				n, tried, ok := j.scan(ms, first, min(count, batch))
				first += tried
				count -= tried
				last := ok || count == 0 || stop.Load()
				reports <- report{hashes: tried, done: last, found: ok, nonce: n}
				if last {
					return
				}
				runtime.Gosched()
			}
		})
	}

	done := ctx.Done()
	var found bool
	for running := threads; running > 0; {
		select {
		case <-done:
			stop.Store(true)
			done = nil
		case r := <-reports:
			if progress != nil && r.hashes > 0 {
				progress(r.hashes)
			}
			if r.found && !found {
				found = true
				h.Nonce = r.nonce
				stop.Store(true)
			}
			if r.done {
				running--
			}
		}
	}
	wg.Wait()
	return h, found
}
