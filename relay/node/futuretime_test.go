package node_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"postwork/chain"
	"postwork/relay/node"
)

// A node whose next block must be later than its clock allows (the median
// of the last 11 blocks is ahead of now + MaxFutureDrift) waits for the
// clock rather than failing: MineOne returns the block once it is valid.
func TestMineOneWaitsForTheClock(t *testing.T) {
	var skew atomic.Int64 // seconds the node's clock is behind the real one
	now := func() time.Time { return time.Now().Add(-time.Duration(skew.Load()) * time.Second) }
	n, err := node.New(node.Config{Params: chain.TestNet, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	for range 12 {
		if _, err := n.MineOne(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	// The chain's median time is about the real time; a clock set back by
	// the drift limit puts the next block just beyond it.
	skew.Store(chain.TestNet.MaxFutureDrift)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	b, err := n.MineOne(ctx)
	if err != nil {
		t.Fatalf("MineOne: %v", err)
	}
	if ahead := b.Header.Time - now().Unix(); ahead > chain.TestNet.MaxFutureDrift {
		t.Errorf("block connected %d s ahead of the clock", ahead)
	}
	if n.Chain().Tip().Hash != b.Hash() {
		t.Error("the block is not the tip")
	}
	// A caller that gives up gets its context's error, and nothing is
	// connected.
	skew.Store(chain.TestNet.MaxFutureDrift + 60)
	short, cancel2 := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel2()
	if _, err := n.MineOne(short); err != context.DeadlineExceeded {
		t.Errorf("MineOne with a short deadline: %v", err)
	}
	if n.Chain().Tip().Hash != b.Hash() {
		t.Error("a block was connected after the caller gave up")
	}
}
