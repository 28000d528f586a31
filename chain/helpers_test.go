package chain

import (
	"errors"
	"fmt"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"

	"postwork/chain/nostr"
)

// testKey returns a deterministic private key for tests.
func testKey(seed byte) *btcec.PrivateKey {
	var b [32]byte
	b[31] = seed
	b[0] = 0x42
	sk, _ := btcec.PrivKeyFromBytes(b[:])
	return sk
}

// post returns a signed kind-1 event.
func post(t testing.TB, seed byte, content string, createdAt int64) *nostr.Event {
	t.Helper()
	e := &nostr.Event{Kind: 1, CreatedAt: createdAt, Content: content, Tags: [][]string{}}
	if err := e.Sign(testKey(seed)); err != nil {
		t.Fatal(err)
	}
	return e
}

// solve searches nonces until the header meets its own target.
func solve(t testing.TB, p *Params, h *Header) {
	t.Helper()
	for n := uint64(0); n < 1<<32; n++ {
		h.Nonce = n
		if err := CheckHeaderSanity(p, h); err == nil {
			return
		} else if !errors.Is(err, ErrBadPoW) {
			t.Fatalf("solve: %v", err)
		}
	}
	t.Fatal("solve: no nonce found")
}

// child builds a valid block on parent with the given time and events,
// mined for the target the difficulty rule asks of it.
func child(t testing.TB, p *Params, parent *Header, time int64, events ...*nostr.Event) *Block {
	t.Helper()
	bits, err := NextBits(p, parent)
	if err != nil {
		t.Fatal(err)
	}
	b := &Block{
		Header: Header{
			Version: HeaderVersion,
			Height:  parent.Height + 1,
			Prev:    parent.Hash(),
			Time:    time,
			Bits:    bits,
		},
		Coinbase: Coinbase{PubKey: nostr.PublicKey(testKey(1)), Reward: p.Reward(parent.Height + 1)},
		Events:   events,
	}
	b.Header.Merkle = b.ComputeMerkle()
	solve(t, p, &b.Header)
	return b
}

// branch builds n blocks on parent, one second apart.
func branch(t testing.TB, p *Params, parent *Header, n int, tag string) []*Block {
	t.Helper()
	var out []*Block
	for i := range n {
		b := child(t, p, parent, parent.Time+1)
		b.Coinbase.Extra = []byte(fmt.Sprintf("%s-%d", tag, i))
		b.Header.Merkle = b.ComputeMerkle()
		solve(t, p, &b.Header)
		out = append(out, b)
		parent = &b.Header
	}
	return out
}

// mustProcess feeds blocks to c and fails on any error.
func mustProcess(t testing.TB, c *Chain, now int64, blocks ...*Block) *Result {
	t.Helper()
	var last *Result
	for _, b := range blocks {
		res, err := c.ProcessBlock(b, now)
		if err != nil {
			t.Fatalf("block %d %s: %v", b.Header.Height, b.Hash(), err)
		}
		last = res
	}
	return last
}

func newTestChain(t testing.TB, p *Params, s Store) *Chain {
	t.Helper()
	c, err := New(p, s, Config{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
