package node

import (
	"testing"

	"postwork/chain/wire"
)

// Three nodes in a line, A–B–C: a post sent to A reaches a live REQ on C,
// a block mined on C reaches A, and all end on the same tip.
func TestLineOfThree(t *testing.T) {
	clk := newClock()
	a := startNode(t, clk)
	c := startNode(t, clk)
	b := startNode(t, clk, func(cfg *Config) { cfg.Peers = []string{a.url, c.url} })
	waitFor(t, "B to greet A and C", func() bool { return b.peerCount() == 2 && a.peerCount() == 1 && c.peerCount() == 1 })

	reader := dial(t, c.url)
	reader.subscribe("feed", wire.Filter{Kinds: []int{1}})
	author := dial(t, a.url)
	ev := post(t, clk, "hello from A")
	if ok := author.publish(ev); !ok.Accepted {
		t.Fatalf("A refused the post: %s", ok.Reason)
	}
	if got := reader.waitEvent("feed"); got.ID != ev.ID {
		t.Fatalf("C delivered %x, want %x", got.ID, ev.ID)
	}
	waitFor(t, "the post in every mempool", func() bool {
		return a.Pool().Has(ev.ID) && b.Pool().Has(ev.ID) && c.Pool().Has(ev.ID)
	})

	blk := c.mine(clk)
	if len(blk.Events) != 1 || blk.Events[0].ID != ev.ID {
		t.Fatalf("C mined %d posts, want the one post", len(blk.Events))
	}
	waitFor(t, "A to reach C's block", func() bool { return a.tip() == blk.Hash() })
	waitFor(t, "B on the same tip", func() bool { return b.tip() == blk.Hash() })
	for name, n := range map[string]*testNode{"A": a, "B": b, "C": c} {
		if n.Pool().Has(ev.ID) {
			t.Errorf("%s still has the mined post pending", name)
		}
		if in, _ := n.Chain().HasEvent(ev.ID); !in {
			t.Errorf("%s does not have the post confirmed", name)
		}
	}
	// And the other way: a block mined on A reaches C through B.
	blk2 := a.mine(clk)
	waitFor(t, "C to reach A's block", func() bool { return c.tip() == blk2.Hash() && b.tip() == blk2.Hash() })
}

// Two nodes mine apart, then connect: both end on the branch with the most
// work, and the posts of the losing branch are pending again and mined later.
func TestPartitionAndHeal(t *testing.T) {
	clk := newClock()
	x := startNode(t, clk)
	y := startNode(t, clk)

	px := post(t, clk, "mined on x")
	if err := x.Submit(t.Context(), px); err != nil {
		t.Fatal(err)
	}
	py := post(t, clk, "mined on y, the losing side")
	if err := y.Submit(t.Context(), py); err != nil {
		t.Fatal(err)
	}
	for range 4 {
		x.mine(clk)
	}
	for range 2 {
		y.mine(clk)
	}
	if x.Chain().Tip().Work.Cmp(y.Chain().Tip().Work) <= 0 {
		t.Fatal("x's branch does not have more work; the test assumes it")
	}
	if in, _ := y.Chain().HasEvent(py.ID); !in || y.Pool().Has(py.ID) {
		t.Fatal("py not confirmed on y before the heal")
	}
	winner := x.tip()

	if err := y.AddPeer(x.url); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "y to reorganise onto x's branch", func() bool { return y.tip() == winner })
	if x.tip() != winner {
		t.Fatal("x left its own, heavier branch")
	}
	if in, _ := y.Chain().HasEvent(py.ID); in {
		t.Error("py still confirmed on y after the reorganisation")
	}
	waitFor(t, "py pending on y and forwarded to x", func() bool { return y.Pool().Has(py.ID) && x.Pool().Has(py.ID) })
	if in, _ := y.Chain().HasEvent(px.ID); !in {
		t.Error("px from the winning branch not confirmed on y")
	}

	blk := x.mine(clk)
	found := false
	for _, ev := range blk.Events {
		found = found || ev.ID == py.ID
	}
	if !found {
		t.Fatal("the losing branch's post was not mined in the next block")
	}
	waitFor(t, "y to follow", func() bool { return y.tip() == blk.Hash() })
	if y.Pool().Has(py.ID) {
		t.Error("py still pending on y after it was mined")
	}
}

// A node that was offline catches up when it reconnects, and a block pushed
// by a light node (a peer that mined it) is accepted and announced.
func TestCatchUpAndPushedBlock(t *testing.T) {
	clk := newClock()
	a := startNode(t, clk)
	for range 5 {
		a.mine(clk)
	}
	late := startNode(t, clk, func(cfg *Config) { cfg.Peers = []string{a.url} })
	waitFor(t, "the late node to catch up", func() bool { return late.tip() == a.tip() })

	// A light node: says HELLO, mines on its own and pushes the block.
	light := dial(t, a.url)
	light.send(a.hello())
	if _, ok := light.next().(*wire.MsgHello); !ok {
		t.Fatal("no HELLO back")
	}
	clk.Tick()
	blk, err := late.template()
	if err != nil {
		t.Fatal(err)
	}
	solved, _ := searchHeader(t, blk.Header)
	blk.Header = solved
	light.send(&wire.MsgBlock{Block: blk})
	waitFor(t, "the pushed block on both nodes", func() bool { return a.tip() == blk.Hash() && late.tip() == blk.Hash() })
}
