package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"

	"postwork/chain"
	"postwork/chain/nostr"
)

// Helpers copied, in small, from chain/helpers_test.go: blocks on TestNet
// (where about every other hash is a valid block) and signed posts.

// testKey returns a deterministic private key.
func testKey(seed byte) *btcec.PrivateKey {
	var b [32]byte
	b[31] = seed
	b[0] = 0x42
	sk, _ := btcec.PrivKeyFromBytes(b[:])
	return sk
}

// post returns a signed event of the given kind and tags.
func post(t testing.TB, seed byte, kind int, content string, createdAt int64, tags ...[]string) *nostr.Event {
	t.Helper()
	if tags == nil {
		tags = [][]string{}
	}
	e := &nostr.Event{Kind: kind, CreatedAt: createdAt, Content: content, Tags: tags}
	if err := e.Sign(testKey(seed)); err != nil {
		t.Fatal(err)
	}
	return e
}

// solve searches nonces until the header meets its own target.
func solve(t testing.TB, p *chain.Params, h *chain.Header) {
	t.Helper()
	for n := uint64(0); n < 1<<32; n++ {
		h.Nonce = n
		if err := chain.CheckHeaderSanity(p, h); err == nil {
			return
		} else if !errors.Is(err, chain.ErrBadPoW) {
			t.Fatalf("solve: %v", err)
		}
	}
	t.Fatal("solve: no nonce found")
}

// child builds a valid block on parent, mined by the key of minerSeed, with
// extra making it differ from its siblings.
func child(t testing.TB, p *chain.Params, parent *chain.Header, minerSeed byte, extra string, events ...*nostr.Event) *chain.Block {
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
			Time:    parent.Time + 1,
			Bits:    bits,
		},
		Coinbase: chain.Coinbase{PubKey: nostr.PublicKey(testKey(minerSeed)), Reward: p.Reward(parent.Height + 1), Extra: []byte(extra)},
		Events:   events,
	}
	b.Header.Merkle = b.ComputeMerkle()
	solve(t, p, &b.Header)
	return b
}

// branch builds n empty blocks on parent.
func branch(t testing.TB, p *chain.Params, parent *chain.Header, n int, tag string) []*chain.Block {
	t.Helper()
	var out []*chain.Block
	for i := range n {
		b := child(t, p, parent, 1, fmt.Sprintf("%s-%d", tag, i))
		out = append(out, b)
		parent = &b.Header
	}
	return out
}

// mustProcess feeds blocks to c and fails on any error.
func mustProcess(t testing.TB, c *chain.Chain, blocks ...*chain.Block) *chain.Result {
	t.Helper()
	var last *chain.Result
	for _, b := range blocks {
		res, err := c.ProcessBlock(b, testNow)
		if err != nil {
			t.Fatalf("block %d %s: %v", b.Header.Height, b.Hash(), err)
		}
		last = res
	}
	return last
}

// testNow is the clock the tests' chains run at: well after the blocks
// they build.
var testNow = chain.TestNet.GenesisTime + 1_000_000

// openStore opens (or creates) the store at path on TestNet and closes it
// when the test ends.
func openStore(t testing.TB, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path, chain.TestNet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func tempPath(t testing.TB) string { return filepath.Join(t.TempDir(), FileName) }

func newChain(t testing.TB, s chain.Store) *chain.Chain {
	t.Helper()
	c, err := chain.New(chain.TestNet, s, chain.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
