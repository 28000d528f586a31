package web

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"

	"postwork/chain"
	"postwork/chain/mempool"
	"postwork/chain/miner"
	"postwork/chain/nostr"
)

// testNode is a Source over a real chain (TestNet, in memory) and a real
// mempool; only the indexes a full node keeps in SQLite are replaced by
// scans of the best chain. It is what the handler tests read.
type testNode struct {
	*chain.Chain
	pool *mempool.Pool

	mu     sync.Mutex
	clock  int64 // the chain's clock, unix seconds
	peers  []Peer
	status Status
}

var _ Source = (*testNode)(nil)

func newTestNode(t testing.TB) *testNode {
	t.Helper()
	c, err := chain.New(chain.TestNet, chain.NewMemStore(), chain.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return &testNode{
		Chain: c,
		pool:  mempool.New(mempool.Config{MinBits: 0}),
		clock: chain.TestNet.GenesisTime,
		status: Status{Version: "postwork test", Started: time.Unix(chain.TestNet.GenesisTime, 0),
			StorageBytes: 12345, Mining: true, Hashrate: 2e6},
	}
}

// testKey returns a deterministic key.
func testKey(seed byte) *btcec.PrivateKey {
	var b [32]byte
	b[0], b[31] = 0x42, seed
	sk, _ := btcec.PrivKeyFromBytes(b[:])
	return sk
}

func pubOf(seed byte) [32]byte { return nostr.PublicKey(testKey(seed)) }

// sign returns a signed event of author seed, with NIP-13 work of bits.
func sign(t testing.TB, seed byte, kind int, content string, createdAt int64, bits int, tags ...[]string) *nostr.Event {
	t.Helper()
	if tags == nil {
		tags = [][]string{}
	}
	ev := &nostr.Event{Kind: kind, CreatedAt: createdAt, Content: content, Tags: tags, PubKey: pubOf(seed)}
	if bits > 0 {
		if err := nostr.MinePoW(context.Background(), ev, bits, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := ev.Sign(testKey(seed)); err != nil {
		t.Fatal(err)
	}
	return ev
}

// addPost signs a post and admits it to the mempool.
func (n *testNode) addPost(t testing.TB, seed byte, kind int, content string, tags ...[]string) *nostr.Event {
	t.Helper()
	n.mu.Lock()
	created := n.clock
	n.mu.Unlock()
	ev := sign(t, seed, kind, content, created, 4, tags...)
	if _, err := n.pool.Add(ev, time.Unix(created, 0)); err != nil {
		t.Fatalf("mempool refused %q: %v", content, err)
	}
	return ev
}

// mine builds a block on the tip holding the mempool's posts, paying the key
// of minerSeed, solves it, and connects it.
func (n *testNode) mine(t testing.TB, minerSeed byte) *chain.Block {
	t.Helper()
	n.mu.Lock()
	n.clock += chain.TestNet.TargetSpacing
	now := n.clock
	n.mu.Unlock()
	parent, times := n.NextParent()
	b, err := miner.NewTemplate(chain.TestNet, &parent, times, n.pool, pubOf(minerSeed), now)
	if err != nil {
		t.Fatal(err)
	}
	for {
		ok, err := miner.Scan(&b.Header, 1<<16)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			break
		}
	}
	res, err := n.ProcessBlock(b, now)
	if err != nil {
		t.Fatalf("mined block refused: %v", err)
	}
	if len(res.Connected) == 0 {
		t.Fatal("mined block not connected")
	}
	n.pool.RemoveConfirmed(b.Events)
	return b
}

// bestBlocks calls fn for each block of the best chain, tip first, until fn
// returns false.
func (n *testNode) bestBlocks(fn func(b *chain.Block) bool) error {
	tip := n.Tip()
	for h := int64(tip.Header.Height); h >= 0; h-- {
		hd, ok := n.HeaderAt(uint64(h))
		if !ok {
			return fmt.Errorf("no header at %d", h)
		}
		b, err := n.Block(hd.Hash())
		if err != nil {
			return err
		}
		if !fn(b) {
			return nil
		}
	}
	return nil
}

func (n *testNode) Post(ctx context.Context, id [32]byte) (Post, error) {
	var found Post
	err := n.bestBlocks(func(b *chain.Block) bool {
		for i, ev := range b.Events {
			if ev.ID == id {
				found = Post{Event: ev, Confirmed: true, BlockHash: b.Hash(), Height: b.Header.Height, Index: i}
				return false
			}
		}
		return true
	})
	if err != nil || found.Event != nil {
		return found, err
	}
	if ev, ok := n.pool.Get(id); ok {
		return Post{Event: ev}, nil
	}
	return Post{}, fmt.Errorf("post %x: %w", id, chain.ErrNotFound)
}

func (n *testNode) Posts(ctx context.Context, author [32]byte, kinds []int, limit int) ([]Post, error) {
	match := func(ev *nostr.Event) bool {
		if ev.PubKey != author {
			return false
		}
		if kinds == nil {
			return true
		}
		for _, k := range kinds {
			if ev.Kind == k {
				return true
			}
		}
		return false
	}
	var out []Post
	err := n.bestBlocks(func(b *chain.Block) bool {
		for i, ev := range b.Events {
			if match(ev) {
				out = append(out, Post{Event: ev, Confirmed: true, BlockHash: b.Hash(), Height: b.Header.Height, Index: i})
			}
		}
		return true
	})
	for _, ev := range n.pool.All() {
		if match(ev) {
			out = append(out, Post{Event: ev})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Event.CreatedAt > out[j].Event.CreatedAt })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, err
}

func (n *testNode) Balance(ctx context.Context, pub [32]byte) (uint64, int, error) {
	var total uint64
	var blocks int
	err := n.bestBlocks(func(b *chain.Block) bool {
		if b.Coinbase.PubKey == pub {
			total += b.Coinbase.Reward
			blocks++
		}
		return true
	})
	return total, blocks, err
}

func (n *testNode) Mempool(ctx context.Context, limit int) (Mempool, error) {
	all := n.pool.All()
	m := Mempool{Count: len(all), Bytes: n.pool.Bytes(), MinBits: 0}
	if limit > len(all) {
		limit = len(all)
	}
	m.Posts = all[:limit]
	return m, nil
}

func (n *testNode) Peers(ctx context.Context) ([]Peer, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]Peer(nil), n.peers...), nil
}

func (n *testNode) Status(ctx context.Context) (Status, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.status, nil
}

// minerScan tries a slice of nonces on h.
func minerScan(h *chain.Header) (bool, error) { return miner.Scan(h, 1<<16) }
