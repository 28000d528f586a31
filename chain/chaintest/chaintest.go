// Package chaintest builds valid test blocks and signed posts for tests of
// the packages that use the chain: the relay, the stores, the light node.
// Blocks are mined for real, on chain.TestNet, where about half of all hashes
// meet the target, so building one costs microseconds.
package chaintest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"

	"postwork/chain"
	"postwork/chain/nostr"
)

// Key returns a deterministic private key: the same seed gives the same key.
func Key(seed byte) *btcec.PrivateKey {
	var b [32]byte
	b[0], b[31] = 0x42, seed
	sk, _ := btcec.PrivKeyFromBytes(b[:])
	return sk
}

// Post returns a kind-1 event signed by Key(seed).
func Post(t testing.TB, seed byte, content string, createdAt int64) *nostr.Event {
	t.Helper()
	return Event(t, seed, 1, content, createdAt)
}

// Event returns an event of any kind and tags signed by Key(seed).
func Event(t testing.TB, seed byte, kind int, content string, createdAt int64, tags ...[]string) *nostr.Event {
	t.Helper()
	if tags == nil {
		tags = [][]string{}
	}
	e := &nostr.Event{Kind: kind, CreatedAt: createdAt, Content: content, Tags: tags}
	if err := e.Sign(Key(seed)); err != nil {
		t.Fatal(err)
	}
	return e
}

// Solve searches nonces until the header meets its target.
func Solve(t testing.TB, p *chain.Params, h *chain.Header) {
	t.Helper()
	for n := uint64(0); n < 1<<32; n++ {
		h.Nonce = n
		err := chain.CheckHeaderSanity(p, h)
		if err == nil {
			return
		}
		if !errors.Is(err, chain.ErrBadPoW) {
			t.Fatalf("solve: %v", err)
		}
	}
	t.Fatal("solve: no nonce found")
}

// Child returns a valid block on parent at the given time, confirming events,
// paying Key(1), with extra in its coinbase (so siblings differ).
func Child(t testing.TB, p *chain.Params, parent *chain.Header, time int64, extra string, events ...*nostr.Event) *chain.Block {
	t.Helper()
	return ChildBy(t, p, parent, time, 1, extra, events...)
}

// ChildBy is Child paying the key of minerSeed.
func ChildBy(t testing.TB, p *chain.Params, parent *chain.Header, time int64, minerSeed byte, extra string, events ...*nostr.Event) *chain.Block {
	t.Helper()
	bits, err := chain.NextBits(p, parent)
	if err != nil {
		t.Fatal(err)
	}
	b := &chain.Block{
		Header: chain.Header{
			Version: chain.HeaderVersion,
			Height:  parent.Height + 1,
			Prev:    parent.Hash(),
			Time:    time,
			Bits:    bits,
		},
		Coinbase: chain.Coinbase{PubKey: nostr.PublicKey(Key(minerSeed)), Reward: p.Reward(parent.Height + 1), Extra: []byte(extra)},
		Events:   events,
	}
	b.Header.Merkle = b.ComputeMerkle()
	Solve(t, p, &b.Header)
	return b
}

// Branch returns n empty blocks on parent, one second apart, their coinbases
// tagged with tag so that branches built on the same parent differ.
func Branch(t testing.TB, p *chain.Params, parent *chain.Header, n int, tag string) []*chain.Block {
	t.Helper()
	var out []*chain.Block
	for i := range n {
		b := Child(t, p, parent, parent.Time+1, fmt.Sprintf("%s-%d", tag, i))
		out = append(out, b)
		parent = &b.Header
	}
	return out
}
