package miner

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"postwork/chain"
)

// Defaults for Config fields left zero.
const (
	// DefaultRefresh is how often Miner rebuilds its template when no new
	// tip arrives: the block time stays close to the clock and posts that
	// arrived meanwhile get in.
	DefaultRefresh = 10 * time.Second
	// DefaultWindow is the span Hashrate averages over.
	DefaultWindow = 10 * time.Second
)

// Errors from Run.
var (
	ErrRunning    = errors.New("miner: already running")
	ErrNoTemplate = errors.New("miner: no template")
)

// Config sets up a Miner.
type Config struct {
	Threads int           // search goroutines; below 1 means 1 (js/wasm: use 1)
	Refresh time.Duration // rebuild the template this often; zero means DefaultRefresh
	Window  time.Duration // Hashrate's averaging span; zero means DefaultWindow
}

// Miner keeps a nonce search going on the latest template. Its methods are
// safe for concurrent use; one Run at a time.
type Miner struct {
	threads int
	refresh time.Duration
	window  time.Duration
	now     func() time.Time // the clock, for Hashrate only

	running atomic.Bool

	mu      sync.Mutex
	started time.Time
	samples []sample // oldest first, none older than window
}

type sample struct {
	at     time.Time
	hashes uint64
}

// New returns a Miner.
func New(cfg Config) *Miner {
	m := &Miner{threads: min(max(cfg.Threads, 1), MaxThreads), refresh: cfg.Refresh, window: cfg.Window, now: time.Now}
	if m.refresh <= 0 {
		m.refresh = DefaultRefresh
	}
	if m.window <= 0 {
		m.window = DefaultWindow
	}
	return m
}

// Run mines until ctx ends. It asks templates for a block to work on and
// searches its nonces; it starts over with a new template when newTip
// receives (the chain moved, the work is stale), when Refresh has passed,
// and after each block found, which it hands to found with the solved header
// (found runs on Run's goroutine; it should connect the block and signal
// newTip; nil discards blocks). It returns ctx.Err(), or the first error
// from templates (ErrNoTemplate for a nil block): a node that cannot build
// a template has nothing to mine.
func (m *Miner) Run(ctx context.Context, templates func() (*chain.Block, error), newTip <-chan struct{}, found func(*chain.Block)) error {
	if templates == nil {
		return fmt.Errorf("%w: templates is nil", ErrNoTemplate)
	}
	if !m.running.CompareAndSwap(false, true) {
		return ErrRunning
	}
	defer m.running.Store(false)
	m.mu.Lock()
	m.started = m.now()
	m.samples = m.samples[:0]
	m.mu.Unlock()

	for ctx.Err() == nil {
		blk, err := templates()
		if err != nil {
			return err
		}
		if blk == nil {
			return fmt.Errorf("%w: templates returned a nil block", ErrNoTemplate)
		}
		hdr, ok := m.searchUntilStale(ctx, blk.Header, newTip)
		if ok && found != nil {
			blk.Header = hdr
			found(blk)
		}
	}
	return ctx.Err()
}

// searchUntilStale runs one Search, cancelled when a tip arrives or the
// refresh interval passes.
func (m *Miner) searchUntilStale(ctx context.Context, h chain.Header, newTip <-chan struct{}) (chain.Header, bool) {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ended := make(chan struct{})
	var wg sync.WaitGroup
	// The watcher exits when it has cancelled the search or the search has
	// ended; searchUntilStale waits for it.
	wg.Go(func() {
		t := time.NewTimer(m.refresh)
		defer t.Stop()
		select {
		case <-newTip:
			cancel()
		case <-t.C:
			cancel()
		case <-ended:
		}
	})
	hdr, ok := Search(sctx, h, m.threads, m.record)
	close(ended)
	wg.Wait()
	return hdr, ok
}

// record notes hashes done; Search calls it on Run's goroutine.
func (m *Miner) record(hashes uint64) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.samples = append(m.pruneLocked(now), sample{now, hashes})
}

// pruneLocked drops samples taken at or before the window's start: their
// hashes were done before it.
func (m *Miner) pruneLocked(now time.Time) []sample {
	cut := now.Add(-m.window)
	i := 0
	for i < len(m.samples) && !m.samples[i].at.After(cut) {
		i++
	}
	if i == 0 {
		return m.samples
	}
	// Shift rather than reslice, so the backing array does not creep.
	n := copy(m.samples, m.samples[i:])
	return m.samples[:n]
}

// Hashrate returns hashes per second over the last Window, or since Run
// started if that is more recent; zero when not running. It is for display.
func (m *Miner) Hashrate() float64 {
	if !m.running.Load() {
		return 0
	}
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.samples = m.pruneLocked(now)
	var total uint64
	for _, s := range m.samples {
		total += s.hashes
	}
	from := now.Add(-m.window)
	if m.started.After(from) {
		from = m.started
	}
	secs := now.Sub(from).Seconds()
	if secs <= 0 {
		return 0
	}
	return float64(total) / secs
}
