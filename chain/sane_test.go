package chain

import (
	"errors"
	"testing"
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
