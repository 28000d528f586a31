package miner

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"postwork/chain"
	"postwork/chain/mempool"
	"postwork/chain/nostr"
)

func signedPost(t testing.TB, content string, createdAt int64) *nostr.Event {
	t.Helper()
	sk, err := nostr.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	ev := &nostr.Event{Kind: 1, CreatedAt: createdAt, Content: content, Tags: [][]string{}}
	if err := ev.Sign(sk); err != nil {
		t.Fatal(err)
	}
	return ev
}

func solveTemplate(t testing.TB, b *chain.Block) {
	t.Helper()
	h, ok := Search(context.Background(), b.Header, 1, nil)
	if !ok {
		t.Fatal("no solution for the template")
	}
	b.Header = h
}

// Templates mined and handed to the chain become its tip, confirming the
// pool's posts, which then leave the pool: the whole path a node takes.
func TestTemplatesExtendTheChain(t *testing.T) {
	p := chain.TestNet
	c, err := chain.New(p, chain.NewMemStore(), chain.Config{})
	if err != nil {
		t.Fatal(err)
	}
	now := p.GenesisTime + 100
	pool := mempool.New(mempool.Config{})
	var posts []*nostr.Event
	for i := range 5 {
		ev := signedPost(t, fmt.Sprintf("post %d", i), now-10)
		if _, err := pool.Add(ev, time.Unix(now, int64(i))); err != nil {
			t.Fatal(err)
		}
		posts = append(posts, ev)
	}
	var minerKey [32]byte
	minerKey[0] = 7
	for height := uint64(1); height <= 3; height++ {
		parent, times := c.NextParent()
		b, err := NewTemplate(p, &parent, times, pool, minerKey, now)
		if err != nil {
			t.Fatal(err)
		}
		solveTemplate(t, b)
		if _, err := c.ProcessBlock(b, now); err != nil {
			t.Fatalf("block %d rejected: %v", height, err)
		}
		if tip := c.Tip(); tip.Hash != b.Hash() || tip.Header.Height != height {
			t.Fatalf("tip is %s at %d, want the mined block at %d", tip.Hash, tip.Header.Height, height)
		}
		if b.Coinbase.PubKey != minerKey || b.Coinbase.Reward != p.Reward(height) {
			t.Fatalf("coinbase %+v, want the full reward %d to the miner", b.Coinbase, p.Reward(height))
		}
		if height == 1 && len(b.Events) != len(posts) {
			t.Fatalf("first block holds %d posts, want all %d", len(b.Events), len(posts))
		}
		if height > 1 && len(b.Events) != 0 {
			t.Fatalf("block %d repeats %d confirmed posts", height, len(b.Events))
		}
		pool.RemoveConfirmed(b.Events)
		now++
	}
	for _, ev := range posts {
		if in, err := c.HasEvent(ev.ID); err != nil || !in {
			t.Fatalf("post %x not confirmed: %v", ev.ID[:4], err)
		}
	}
}

// listSource returns its posts as they are, ignoring the budget: a careless
// Source must not make an invalid block.
type listSource []*nostr.Event

func (l listSource) Select(int, int) []*nostr.Event { return l }

func TestTemplateKeepsBlockLimits(t *testing.T) {
	now := chain.TestNet.GenesisTime + 100
	var posts []*nostr.Event
	for i := range 6 {
		posts = append(posts, signedPost(t, fmt.Sprintf("limits %d", i), now))
	}
	one := len(posts[0].AppendBinary(nil))
	parent := chain.TestNet.Genesis().Header
	times := []int64{parent.Time}
	var key [32]byte

	q := *chain.TestNet
	q.MaxBlockEvents = 4
	b, err := NewTemplate(&q, &parent, times, listSource(posts), key, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Events) != 4 {
		t.Fatalf("%d events with MaxBlockEvents 4", len(b.Events))
	}

	q = *chain.TestNet
	coinbase := len(b.Coinbase.AppendBinary(nil))
	q.MaxBlockBody = coinbase + 3*one + 3 // three posts and the count
	b, err = NewTemplate(&q, &parent, times, listSource(posts), key, now)
	if err != nil {
		t.Fatal(err)
	}
	if body := len(b.EncodeBody()); body > q.MaxBlockBody || len(b.Events) != 3 {
		t.Fatalf("body %d bytes with %d posts, limit %d bytes (room for 3)", body, len(b.Events), q.MaxBlockBody)
	}
	solveTemplate(t, b)
	if err := chain.CheckBlockSanity(&q, b); err != nil {
		t.Fatalf("template under tight limits is invalid: %v", err)
	}

	// The same post twice, and a post from too far in the future, stay out.
	future := signedPost(t, "from the future", now+chain.TestNet.MaxEventDrift+1)
	edge := signedPost(t, "just in time", now+chain.TestNet.MaxEventDrift)
	b, err = NewTemplate(chain.TestNet, &parent, times, listSource{posts[0], future, posts[0], edge}, key, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Events) != 2 || b.Events[0] != posts[0] || b.Events[1] != edge {
		t.Fatalf("template holds %d posts, want the first post and the one just in time", len(b.Events))
	}
	solveTemplate(t, b)
	if err := chain.CheckBlockSanity(chain.TestNet, b); err != nil {
		t.Fatal(err)
	}
}

func TestTemplateTimeAndTarget(t *testing.T) {
	p := chain.TestNet
	parent := p.Genesis().Header
	times := []int64{parent.Time - 2, parent.Time - 1, parent.Time}
	var key [32]byte
	// A clock behind the median time past is raised to the earliest valid time.
	b, err := NewTemplate(p, &parent, times, nil, key, parent.Time-100)
	if err != nil {
		t.Fatal(err)
	}
	if want := chain.MinTime(times); b.Header.Time != want {
		t.Fatalf("time %d, want the earliest valid time %d", b.Header.Time, want)
	}
	b, err = NewTemplate(p, &parent, times, nil, key, parent.Time+30)
	if err != nil {
		t.Fatal(err)
	}
	if b.Header.Time != parent.Time+30 {
		t.Fatalf("time %d, want the clock's %d", b.Header.Time, parent.Time+30)
	}
	solveTemplate(t, b)
	if err := chain.CheckHeaderContext(p, &b.Header, &parent, times, parent.Time+30); err != nil {
		t.Fatalf("template header rejected by its parent's rules: %v", err)
	}
	if _, err := NewTemplate(nil, &parent, times, nil, key, 0); !errors.Is(err, ErrNoParent) {
		t.Fatalf("nil params: %v, want ErrNoParent", err)
	}
	if _, err := NewTemplate(p, nil, times, nil, key, 0); !errors.Is(err, ErrNoParent) {
		t.Fatalf("nil parent: %v, want ErrNoParent", err)
	}
}
