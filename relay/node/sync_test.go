package node

import (
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"postwork/chain"
	"postwork/chain/nostr"
	"postwork/chain/wire"
)

// peerClient dials n and introduces itself as a node on the same chain.
func peerClient(t *testing.T, n *testNode) *client {
	t.Helper()
	c := dial(t, n.url)
	c.send(n.hello())
	if _, ok := c.next().(*wire.MsgHello); !ok {
		t.Fatal("no HELLO back")
	}
	return c
}

// badBlock returns a solved block on n's tip, changed by spoil (before the
// Merkle root is computed again and the header solved).
func badBlock(t *testing.T, clk *testClock, n *testNode, spoil func(*chain.Block)) *chain.Block {
	t.Helper()
	clk.Tick()
	b, err := n.template()
	if err != nil {
		t.Fatal(err)
	}
	spoil(b)
	b.Header.Merkle = b.ComputeMerkle()
	b.Header, _ = searchHeader(t, b.Header)
	return b
}

// A block that fails its own checks (a forged signature: found by the
// connection's reader) and one that fails against the chain (a reward above
// the schedule: found by the connect loop, after the reader moved on) each
// get the sender a NOTICE and banned, and leave the tip where it was.
func TestInvalidBlockBansSender(t *testing.T) {
	forged := func(t *testing.T, clk *testClock) func(*chain.Block) {
		ev := post(t, clk, "forged in a block")
		ev.Sig[5] ^= 0x01
		return func(b *chain.Block) { b.Events = append(b.Events, ev) }
	}
	greedy := func(*testing.T, *testClock) func(*chain.Block) {
		return func(b *chain.Block) { b.Coinbase.Reward++ }
	}
	// The node holds the post in its mempool: a copy with another, invalid
	// signature is not vouched for by it.
	forgedPending := func(t *testing.T, clk *testClock) func(*chain.Block) {
		return func(b *chain.Block) {
			if len(b.Events) != 1 {
				t.Fatalf("template has %d posts, want the pending one", len(b.Events))
			}
			forged := *b.Events[0]
			forged.Sig[5] ^= 0x01
			b.Events[0] = &forged
		}
	}
	for _, tc := range []struct {
		name    string
		pending bool // the node holds a post in its mempool first
		spoil   func(*testing.T, *testClock) func(*chain.Block)
		want    string
	}{
		{"bad signature", false, forged, "signature"},
		{"bad signature on a pending post", true, forgedPending, "signature"},
		{"reward too high", false, greedy, "reward"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := newClock()
			n := startNode(t, clk)
			for range 2 {
				n.mine(clk)
			}
			if tc.pending {
				if err := n.Submit(t.Context(), post(t, clk, "pending on the node")); err != nil {
					t.Fatal(err)
				}
			}
			tip := n.tip()
			c := peerClient(t, n)
			blk := badBlock(t, clk, n, tc.spoil(t, clk))
			c.send(&wire.MsgBlock{Block: blk})
			var notice string
			for notice == "" {
				if m, ok := c.next().(*wire.MsgNotice); ok && strings.Contains(m.Message, blk.Hash().String()) {
					notice = m.Message
				}
			}
			if !strings.HasPrefix(notice, "invalid: ") || !strings.Contains(notice, tc.want) {
				t.Errorf("NOTICE %q, want invalid: and %q", notice, tc.want)
			}
			if err := c.closed(); !websocket.IsCloseError(err, websocket.ClosePolicyViolation) || !strings.Contains(err.Error(), "blocked") {
				t.Errorf("sender closed with %v, want a ban", err)
			}
			if n.tip() != tip {
				t.Error("the invalid block moved the tip")
			}
		})
	}
}

// A node catching up on blocks full of posts connects them all, in order,
// through the connect loop: every post ends confirmed, and a peer watching
// the node hears each new tip exactly once.
func TestSyncConnectsInOrderAndAnnouncesOnce(t *testing.T) {
	clk := newClock()
	a := startNode(t, clk)
	const blocks, perBlock = 12, 5
	var posts []*nostr.Event
	for i := range blocks {
		for j := range perBlock {
			ev := post(t, clk, "block "+string(rune('a'+i))+" post "+string(rune('a'+j)))
			if err := a.Submit(t.Context(), ev); err != nil {
				t.Fatal(err)
			}
			posts = append(posts, ev)
		}
		if blk := a.mine(clk); len(blk.Events) != perBlock {
			t.Fatalf("block %d has %d posts, want %d", i+1, len(blk.Events), perBlock)
		}
	}

	late := startNode(t, clk)
	watcher := peerClient(t, late)
	if err := late.AddPeer(a.url); err != nil {
		t.Fatal(err)
	}
	want := a.Chain().Tip()
	var heights []uint64
	for len(heights) == 0 || heights[len(heights)-1] < want.Header.Height {
		if m, ok := watcher.next().(*wire.MsgTip); ok {
			heights = append(heights, m.Header.Height)
		}
	}
	for i, h := range heights {
		if h != uint64(i+1) {
			t.Fatalf("TIP heights %v, want 1 to %d once each", heights, want.Header.Height)
		}
	}
	waitFor(t, "the late node on a's tip", func() bool { return late.tip() == want.Hash })
	for _, ev := range posts {
		if in, err := late.Chain().HasEvent(ev.ID); err != nil || !in {
			t.Fatalf("post %x not confirmed on the late node (%v)", ev.ID, err)
		}
	}
}
