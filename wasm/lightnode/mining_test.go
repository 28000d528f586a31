package lightnode

import (
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"postwork/chain"
	"postwork/chain/chaintest"
	"postwork/chain/miner"
	"postwork/chain/wire"
)

func TestMineOnTheVerifiedTipWithPendingPosts(t *testing.T) {
	blocks := chainOf(t, 5, chaintest.Post(t, 4, "old", chain.TestNet.GenesisTime))
	p := newTestPeer(t, blocks)
	now := time.Now().Unix()
	// Posts sent before EOSE are the relay's stored ones: they may sit in
	// blocks whose bodies the light node never fetched, so it must not mine
	// them. After EOSE a post is new to the relay's pool.
	backlog := chaintest.Post(t, 8, "stored, maybe in an old block", now)
	pending := chaintest.Post(t, 5, "pending, to be mined from the browser", now)
	stale := chaintest.Post(t, 6, "too old to risk", now-MaxPendingAge-60)
	p.after = func(send func(string)) {
		send(string(wire.Encode(&wire.MsgEvent{SubID: subFeed, Event: backlog})))
		send(string(wire.Encode(&wire.MsgEOSE{SubID: subFeed})))
		send(string(wire.Encode(&wire.MsgEvent{SubID: subFeed, Event: pending})))
		send(string(wire.Encode(&wire.MsgEvent{SubID: subFeed, Event: stale})))
	}
	h := startNode(t, p)
	waitState(t, h.node, "synced with the pending posts", func(s State) bool {
		return s.Sync.Synced && len(s.Posts) == 4
	})
	var key [32]byte
	key[0] = 7
	// Bodies of older blocks may still be on their way (the tip's comes
	// first); the page's miner retries a template until they are in.
	b, work, err := h.node.MiningTemplate(key)
	for deadline := time.Now().Add(20 * time.Second); errors.Is(err, ErrNotSynced) && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
		b, work, err = h.node.MiningTemplate(key)
	}
	if err != nil {
		t.Fatal(err)
	}
	tip := blocks[len(blocks)-1]
	if b.Header.Prev != tip.Hash() || b.Header.Height != tip.Header.Height+1 {
		t.Fatalf("template on %s at %d, want a child of the tip %s", b.Header.Prev, b.Header.Height, tip.Hash())
	}
	if b.Coinbase.PubKey != key {
		t.Fatalf("coinbase pays %x, want the wallet's key", b.Coinbase.PubKey)
	}
	if len(b.Events) != 1 || b.Events[0].ID != pending.ID {
		t.Fatalf("template holds %d posts, want only the recent one sent after EOSE", len(b.Events))
	}
	if work < 1 {
		t.Fatalf("expected hashes %v", work)
	}

	// Solve it as a worker would, in slices, and submit.
	for {
		ok, err := miner.Scan(&b.Header, 1<<10)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			break
		}
	}
	if err := h.node.SubmitBlock(b); err != nil {
		t.Fatal(err)
	}
	s := waitState(t, h.node, "the mined block as the tip with its post confirmed", func(s State) bool {
		if s.Tip.Hash != b.Hash().String() {
			return false
		}
		for _, v := range s.Posts {
			if v.ID == hex.EncodeToString(pending.ID[:]) {
				return v.Status == StatusConfirmed
			}
		}
		return false
	})
	if s.Tip.Height != b.Header.Height {
		t.Fatalf("tip height %d", s.Tip.Height)
	}
	// The relay received exactly that block, and a full chain accepts it.
	var got *chain.Block
	deadline := time.Now().Add(10 * time.Second)
	for got == nil && time.Now().Before(deadline) {
		p.mu.Lock()
		for _, m := range p.received {
			if mb, ok := m.(*wire.MsgBlock); ok {
				got = mb.Block
			}
		}
		p.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
	}
	if got == nil || got.Hash() != b.Hash() {
		t.Fatal("the relay did not receive the mined block")
	}
	if _, err := p.chain.ProcessBlock(got, time.Now().Unix()); err != nil {
		t.Fatalf("a full node refuses the browser's block: %v", err)
	}
}

func TestMiningTemplateNeedsASyncedRelay(t *testing.T) {
	_, _, err := New(Config{}).MiningTemplate([32]byte{})
	if !errors.Is(err, errNoNetwork) {
		t.Fatalf("template without a network: %v", err)
	}
	// A relay that never answers GETHEADERS: the node knows the network
	// (NIP-11, HELLO) but has not caught up.
	p := newTestPeer(t, chainOf(t, 3, chaintest.Post(t, 4, "x", chain.TestNet.GenesisTime)))
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	p.tamper = func(hs []chain.Header) []chain.Header { <-stop; return hs }
	h := startNode(t, p)
	waitState(t, h.node, "the network known", func(s State) bool { return s.Network == "test" })
	if _, _, err := h.node.MiningTemplate([32]byte{}); !errors.Is(err, ErrNotSynced) {
		t.Fatalf("template before sync: %v", err)
	}
}
