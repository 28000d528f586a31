package chaintest_test

import (
	"context"
	"testing"
	"time"

	"postwork/chain"
	"postwork/chain/chaintest"
	"postwork/chain/mempool"
	"postwork/chain/miner"
	"postwork/chain/nostr"
)

// node is the part of a full node this test needs: a chain and its mempool,
// kept in step the way the relay keeps them.
type node struct {
	c    *chain.Chain
	pool *mempool.Pool
}

func (n *node) process(t *testing.T, b *chain.Block, now time.Time) {
	t.Helper()
	res, err := n.c.ProcessBlock(b, now.Unix())
	if err != nil {
		t.Fatalf("block %d: %v", b.Header.Height, err)
	}
	for _, d := range res.Disconnected {
		n.pool.Restore(d.Events, now)
	}
	for _, c := range res.Connected {
		n.pool.RemoveConfirmed(c.Events)
	}
}

// mine builds a template from the mempool and searches its nonce, as the
// node's miner does.
func (n *node) mine(t *testing.T, now time.Time) *chain.Block {
	t.Helper()
	parent, times := n.c.NextParent()
	b, err := miner.NewTemplate(n.c.Params(), &parent, times, n.pool, nostr.PublicKey(chaintest.Key(9)), now.Unix())
	if err != nil {
		t.Fatal(err)
	}
	h, ok := miner.Search(context.Background(), b.Header, 1, nil)
	if !ok {
		t.Fatal("no nonce found")
	}
	b.Header = h
	return b
}

// Posts confirmed only on a branch that loses a reorganisation go back to the
// mempool and are mined again on the winning branch.
func TestReorgReturnsPostsToMempool(t *testing.T) {
	p := chain.TestNet
	c, err := chain.New(p, chain.NewMemStore(), chain.Config{})
	if err != nil {
		t.Fatal(err)
	}
	n := &node{c: c, pool: mempool.New(mempool.Config{})}
	g := p.Genesis().Header
	now := time.Unix(g.Time+1, 0)

	posts := []*nostr.Event{
		chaintest.Post(t, 2, "first", g.Time),
		chaintest.Post(t, 3, "second", g.Time),
	}
	for _, e := range posts {
		if _, err := n.pool.Add(e, now); err != nil {
			t.Fatal(err)
		}
	}
	mined := n.mine(t, now)
	if len(mined.Events) != 2 {
		t.Fatalf("template holds %d posts, want 2", len(mined.Events))
	}
	n.process(t, mined, now)
	if n.pool.Len() != 0 {
		t.Fatal("confirmed posts still pending")
	}

	// Another miner, unaware of the posts, builds a longer branch.
	other := chaintest.Branch(t, p, &g, 2, "other")
	for _, b := range other {
		n.process(t, b, now)
	}
	if c.Tip().Hash != other[1].Hash() {
		t.Fatal("longer branch did not win")
	}
	for _, e := range posts {
		if !n.pool.Has(e.ID) {
			t.Fatalf("post %q not back in the mempool", e.Content)
		}
		if in, _ := c.HasEvent(e.ID); in {
			t.Fatalf("post %q still confirmed", e.Content)
		}
	}

	// The next block on the winning branch confirms them again.
	later := now.Add(time.Second)
	again := n.mine(t, later)
	n.process(t, again, later)
	for _, e := range posts {
		if in, _ := c.HasEvent(e.ID); !in {
			t.Fatalf("post %q not mined again", e.Content)
		}
	}
	if n.pool.Len() != 0 {
		t.Fatal("mempool not empty after the posts were mined again")
	}
}
