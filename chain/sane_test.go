package chain

import (
	"errors"
	"testing"

	"postwork/chain/nostr"
)

func TestSaneBlocksCheckedAheadConnectInOrder(t *testing.T) {
	p := TestNet
	c := newTestChain(t, p, NewMemStore())
	g := p.Genesis().Header
	blocks := branch(t, p, &g, 3, "sane")
	now := g.Time + 100
	// Check all three first, as a node does while earlier ones connect.
	var sane []*SaneBlock
	for _, b := range blocks {
		if err := c.CheckNew(b.Hash()); err != nil {
			t.Fatalf("new block reported %v", err)
		}
		sb, err := CheckSane(p, b)
		if err != nil {
			t.Fatal(err)
		}
		sane = append(sane, sb)
	}
	for _, sb := range sane {
		if _, err := c.ProcessSaneBlock(sb, now); err != nil {
			t.Fatal(err)
		}
	}
	if tip := c.Tip(); tip.Hash != blocks[2].Hash() {
		t.Fatalf("tip at %d, want the third block", tip.Header.Height)
	}
	if err := c.CheckNew(blocks[1].Hash()); !errors.Is(err, ErrDuplicateBlock) {
		t.Fatalf("a connected block is new again: %v", err)
	}
	if _, err := c.ProcessSaneBlock(sane[1], now); !errors.Is(err, ErrDuplicateBlock) {
		t.Fatalf("second connect: %v", err)
	}
}

func TestSaneBlockRefusesBadBodyAndOtherNetwork(t *testing.T) {
	p := TestNet
	g := p.Genesis().Header
	b := child(t, p, &g, g.Time+1, post(t, 2, "hello", g.Time))
	forged := *b.Events[0]
	forged.Sig[5] ^= 1
	bad := child(t, p, &g, g.Time+1, &forged)
	if _, err := CheckSane(p, bad); !errors.Is(err, ErrBadEvent) {
		t.Fatalf("forged signature: %v", err)
	}
	sb, err := CheckSane(p, b)
	if err != nil {
		t.Fatal(err)
	}
	dev := newTestChain(t, DevNet, NewMemStore())
	if _, err := dev.ProcessSaneBlock(sb, g.Time+10); err == nil {
		t.Fatal("a block checked for the test network was taken by a dev chain")
	}
}

func TestKnownSignaturesSpareOnlyTheSameSignedContent(t *testing.T) {
	p := TestNet
	g := p.Genesis().Header
	good := post(t, 3, "seen in the mempool", g.Time)
	ok := child(t, p, &g, g.Time+1, good)
	calls := 0
	known := func(e *nostr.Event) bool {
		calls++
		return e.ID == good.ID && e.Sig == good.Sig
	}
	if _, err := CheckSaneKnown(p, ok, known); err != nil {
		t.Fatalf("block of a known post: %v", err)
	}
	if calls != 1 {
		t.Fatalf("known asked %d times for one event", calls)
	}

	// Same id and signature, other content: the id no longer matches it.
	swapped := *good
	swapped.Content = "not what was signed"
	bad := child(t, p, &g, g.Time+1, &swapped)
	if _, err := CheckSaneKnown(p, bad, known); !errors.Is(err, ErrBadEvent) {
		t.Fatalf("content swapped under a known id and signature: %v", err)
	}

	// Same id, a forged signature: known does not vouch, Verify runs.
	forged := *good
	forged.Sig[0] ^= 1
	bad = child(t, p, &g, g.Time+1, &forged)
	if _, err := CheckSaneKnown(p, bad, known); !errors.Is(err, ErrBadEvent) {
		t.Fatalf("forged signature on a known id: %v", err)
	}

	// A vouching function that lies cannot make a bad id pass either.
	liar := func(*nostr.Event) bool { return true }
	if _, err := CheckSaneKnown(p, child(t, p, &g, g.Time+1, &swapped), liar); !errors.Is(err, ErrBadEvent) {
		t.Fatalf("a lying vouch passed content that does not hash to its id: %v", err)
	}
}
