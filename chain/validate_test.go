package chain

import (
	"errors"
	"strings"
	"testing"

	"postwork/chain/nostr"
)

// Each consensus rule is reachable and reported with its own kind.
func TestRuleViolations(t *testing.T) {
	p := TestNet
	g := p.Genesis().Header
	now := g.Time + 1000
	e := post(t, 2, "hello", g.Time)
	good := child(t, p, &g, g.Time+1, e)
	if err := CheckBlockSanity(p, good); err != nil {
		t.Fatalf("good block: %v", err)
	}
	if err := CheckHeaderContext(p, &good.Header, &g, []int64{g.Time}, now); err != nil {
		t.Fatalf("good header: %v", err)
	}

	// remine rebuilds the Merkle root (unless keepMerkle) and solves again.
	remine := func(b *Block, keepMerkle bool) *Block {
		if !keepMerkle {
			b.Header.Merkle = b.ComputeMerkle()
		}
		solve(t, p, &b.Header)
		return b
	}
	clone := func() *Block {
		c := *good
		c.Events = append([]*nostr.Event(nil), good.Events...)
		return &c
	}

	sanity := []struct {
		name string
		kind ErrorKind
		b    func() *Block
	}{
		{"version", ErrBadVersion, func() *Block { b := clone(); b.Header.Version = 2; return b }},
		{"target above limit", ErrBadTarget, func() *Block { b := clone(); b.Header.Bits = 0x2100ffff; return b }},
		{"merkle", ErrBadMerkle, func() *Block {
			b := clone()
			b.Coinbase.Reward++
			return remine(b, true)
		}},
		{"duplicate event", ErrDuplicateEvent, func() *Block { b := clone(); b.Events = append(b.Events, e); return remine(b, false) }},
		{"bad signature", ErrBadEvent, func() *Block {
			b := clone()
			forged := *e
			forged.Sig[5] ^= 1
			b.Events = []*nostr.Event{&forged}
			return remine(b, false)
		}},
		{"event from the future", ErrEventTooNew, func() *Block {
			b := clone()
			b.Events = []*nostr.Event{post(t, 3, "later", g.Time+1+p.MaxEventDrift+1)}
			return remine(b, false)
		}},
		{"coinbase extra", ErrBadCoinbase, func() *Block {
			b := clone()
			b.Coinbase.Extra = make([]byte, MaxCoinbaseExtra+1)
			return remine(b, false)
		}},
	}
	for _, tc := range sanity {
		err := CheckBlockSanity(p, tc.b())
		if !errors.Is(err, tc.kind) || !IsRuleError(err) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.kind)
		}
	}

	// Proof of work: a header whose hash misses the target.
	h := good.Header
	for {
		h.Nonce++
		if CheckHeaderSanity(p, &h) != nil {
			break
		}
	}
	if err := CheckHeaderSanity(p, &h); !errors.Is(err, ErrBadPoW) {
		t.Errorf("high hash: %v", err)
	}

	ctx := []struct {
		name string
		kind ErrorKind
		edit func(h *Header)
		mtp  []int64
	}{
		{"prev", ErrBadPrev, func(h *Header) { h.Prev[0] ^= 1 }, nil},
		{"height", ErrBadHeight, func(h *Header) { h.Height = 2 }, nil},
		{"bits", ErrBadBits, func(h *Header) { h.Bits = 0x1f7fffff }, nil},
		{"median time", ErrTimeTooOld, func(h *Header) {}, []int64{g.Time + 5, g.Time + 1, g.Time + 9}},
		{"future", ErrTimeTooNew, func(h *Header) { h.Time = now + p.MaxFutureDrift + 1 }, nil},
	}
	for _, tc := range ctx {
		h := good.Header
		tc.edit(&h)
		times := tc.mtp
		if times == nil {
			times = []int64{g.Time}
		}
		err := CheckHeaderContext(p, &h, &g, times, now)
		if !errors.Is(err, tc.kind) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.kind)
		}
	}

	// Connect: reward and events already in the chain.
	b := clone()
	b.Coinbase.Reward = p.Reward(1) + 1
	if err := CheckBlockConnect(p, b, NewMemStore()); !errors.Is(err, ErrBadReward) {
		t.Errorf("reward: %v", err)
	}
	s := NewMemStore()
	s.ConnectBlock(&Block{Header: g, Events: []*nostr.Event{e}})
	if err := CheckBlockConnect(p, good, s); !errors.Is(err, ErrEventInChain) {
		t.Errorf("event in chain: %v", err)
	}
}

func TestMedianTime(t *testing.T) {
	if got := MedianTime([]int64{5, 1, 9}); got != 5 {
		t.Fatalf("median of 5 1 9: %d", got)
	}
	// Only the last MedianTimeBlocks count.
	times := []int64{1000, 1000, 1000, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	if got := MedianTime(times); got != 6 {
		t.Fatalf("median of the last 11: %d, want 6", got)
	}
}

func TestRewardHalves(t *testing.T) {
	p := TestNet
	if p.Reward(0) != 50*CoinUnits || p.Reward(p.HalvingInterval) != 25*CoinUnits || p.Reward(p.HalvingInterval*64) != 0 {
		t.Fatalf("rewards %d %d %d", p.Reward(0), p.Reward(p.HalvingInterval), p.Reward(p.HalvingInterval*64))
	}
}

// The sanity check's verdict must not depend on how many cores verify.
func TestVerifyEventsReportsFirstFailure(t *testing.T) {
	var events []*nostr.Event
	for i := range 100 {
		events = append(events, post(t, byte(i%7+1), "p", int64(i)))
	}
	bad := *events[60]
	bad.Sig[0] ^= 1
	events[60] = &bad
	bad2 := *events[90]
	bad2.Sig[0] ^= 1
	events[90] = &bad2
	err := verifyEvents(events, nil)
	var re *RuleError
	if !errors.As(err, &re) || re.Kind != ErrBadEvent || !strings.Contains(re.Description, "event 60 ") {
		t.Fatalf("got %v, want a failure of event 60", err)
	}
}
