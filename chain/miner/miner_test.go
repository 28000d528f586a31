package miner

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"postwork/chain"
)

// templateSeq hands out blocks with increasing heights; bits gives each
// template's target by call number (0-based).
type templateSeq struct {
	calls atomic.Int32
	bits  func(call int) uint32
	hook  func(call int)
}

func (s *templateSeq) next() (*chain.Block, error) {
	n := int(s.calls.Add(1)) - 1
	if s.hook != nil {
		s.hook(n)
	}
	h := testHeader(uint64(n))
	h.Height = uint64(n)
	h.Bits = s.bits(n)
	return &chain.Block{Header: h}, nil
}

// waitFor polls cond until it holds, failing after a generous deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func runAsync(ctx context.Context, m *Miner, seq *templateSeq, tip <-chan struct{}, found func(*chain.Block)) <-chan error {
	errc := make(chan error, 1)
	go func() { errc <- m.Run(ctx, seq.next, tip, found) }()
	return errc
}

func wait(t *testing.T, errc <-chan error) error {
	t.Helper()
	select {
	case err := <-errc:
		return err
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return")
		return nil
	}
}

func TestRunFindsValidBlocks(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	seq := &templateSeq{bits: func(int) uint32 { return bits16 }}
	var mu sync.Mutex
	var blocks []*chain.Block
	m := New(Config{Threads: 2})
	errc := runAsync(ctx, m, seq, nil, func(b *chain.Block) {
		mu.Lock()
		defer mu.Unlock()
		blocks = append(blocks, b)
		if len(blocks) == 3 {
			cancel()
		}
	})
	if err := wait(t, errc); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v, want context.Canceled", err)
	}
	if len(blocks) != 3 {
		t.Fatalf("found %d blocks, want 3", len(blocks))
	}
	for i, b := range blocks {
		if !meets(t, &b.Header) {
			t.Fatalf("block %d: hash %s does not meet its target", i, b.Hash())
		}
		// Each block found is followed by a fresh template.
		if b.Header.Height != uint64(i) {
			t.Fatalf("block %d mined on template %d", i, b.Header.Height)
		}
	}
}

func TestRunRestartsOnNewTip(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tip := make(chan struct{}, 1)
	// The first template cannot be solved; a tip signal must replace it with
	// the second, which can.
	seq := &templateSeq{
		bits: func(n int) uint32 {
			if n == 0 {
				return impossible
			}
			return bits8
		},
		hook: func(n int) {
			if n == 0 {
				tip <- struct{}{}
			}
		},
	}
	var got *chain.Block
	m := New(Config{Threads: 1, Refresh: time.Hour})
	errc := runAsync(ctx, m, seq, tip, func(b *chain.Block) {
		if got == nil {
			got = b
		}
		cancel()
	})
	wait(t, errc)
	if got == nil || got.Header.Height != 1 || !meets(t, &got.Header) {
		t.Fatalf("found %+v, want a solved block from the second template", got)
	}
}

func TestRunRefreshesTemplate(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	seq := &templateSeq{bits: func(int) uint32 { return impossible }}
	m := New(Config{Threads: 1, Refresh: 5 * time.Millisecond})
	errc := runAsync(ctx, m, seq, nil, func(*chain.Block) { t.Error("impossible block found") })
	waitFor(t, "three templates", func() bool { return seq.calls.Load() >= 3 })
	cancel()
	wait(t, errc)
}

func TestRunStopsOnCancel(t *testing.T) {
	for _, threads := range []int{1, 2} {
		ctx, cancel := context.WithCancel(context.Background())
		seq := &templateSeq{bits: func(int) uint32 { return impossible }}
		m := New(Config{Threads: threads, Refresh: time.Hour})
		errc := runAsync(ctx, m, seq, nil, func(*chain.Block) { t.Error("impossible block found") })
		waitFor(t, "a hashrate", func() bool { return m.Hashrate() > 0 })
		cancel()
		if err := wait(t, errc); !errors.Is(err, context.Canceled) {
			t.Fatalf("Run: %v, want context.Canceled", err)
		}
		if r := m.Hashrate(); r != 0 {
			t.Fatalf("Hashrate %f after Run returned", r)
		}
	}
}

func TestRunReportsTemplateErrors(t *testing.T) {
	boom := errors.New("no tip yet")
	m := New(Config{})
	err := m.Run(context.Background(), func() (*chain.Block, error) { return nil, boom }, nil, nil)
	if !errors.Is(err, boom) {
		t.Fatalf("Run: %v, want the template error", err)
	}
}

func TestRunRejectsMissingTemplates(t *testing.T) {
	m := New(Config{})
	if err := m.Run(context.Background(), nil, nil, nil); !errors.Is(err, ErrNoTemplate) {
		t.Fatalf("nil templates: %v, want ErrNoTemplate", err)
	}
	nilBlock := func() (*chain.Block, error) { return nil, nil }
	if err := m.Run(context.Background(), nilBlock, nil, nil); !errors.Is(err, ErrNoTemplate) {
		t.Fatalf("nil block: %v, want ErrNoTemplate", err)
	}
}

func TestRunOnlyOnce(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	seq := &templateSeq{bits: func(int) uint32 { return impossible }}
	m := New(Config{Refresh: time.Hour})
	errc := runAsync(ctx, m, seq, nil, nil)
	waitFor(t, "the first template", func() bool { return seq.calls.Load() > 0 })
	if err := m.Run(ctx, seq.next, nil, nil); !errors.Is(err, ErrRunning) {
		t.Fatalf("second Run: %v, want ErrRunning", err)
	}
	cancel()
	wait(t, errc)
}

func TestHashrateOverWindow(t *testing.T) {
	clock := time.Unix(1_800_000_000, 0)
	m := New(Config{Window: 10 * time.Second})
	m.now = func() time.Time { return clock }
	m.running.Store(true)
	m.started = clock
	step := func(d time.Duration, hashes uint64) {
		clock = clock.Add(d)
		m.record(hashes)
	}
	step(time.Second, 1000)
	step(time.Second, 3000)
	if r := m.Hashrate(); r != 2000 {
		t.Fatalf("2 s after start: %f hashes/s, want 2000", r)
	}
	for range 20 {
		step(time.Second, 500)
	}
	if r := m.Hashrate(); r != 500 {
		t.Fatalf("after a slowdown: %f hashes/s, want 550", r)
	}
	clock = clock.Add(time.Minute)
	if r := m.Hashrate(); r != 0 {
		t.Fatalf("a minute without work: %f hashes/s", r)
	}
}
