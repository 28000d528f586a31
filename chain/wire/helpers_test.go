package wire

import (
	"math/big"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"

	"postwork/chain"
	"postwork/chain/nostr"
)

func testKey(seed byte) *btcec.PrivateKey {
	var b [32]byte
	b[0], b[31] = 0x42, seed
	sk, _ := btcec.PrivKeyFromBytes(b[:])
	return sk
}

// signed returns a signed kind-1 event with the given tags.
func signed(t testing.TB, seed byte, content string, createdAt int64, tags ...[]string) *nostr.Event {
	t.Helper()
	if tags == nil {
		tags = [][]string{}
	}
	e := &nostr.Event{Kind: 1, CreatedAt: createdAt, Content: content, Tags: tags}
	if err := e.Sign(testKey(seed)); err != nil {
		t.Fatal(err)
	}
	return e
}

// testBlock returns the test network's genesis block with events added (its
// Merkle root recomputed; the proof of work is not checked by the codec).
func testBlock(t testing.TB, events ...*nostr.Event) *chain.Block {
	t.Helper()
	g := chain.TestNet.Genesis()
	b := &chain.Block{Header: g.Header, Coinbase: g.Coinbase, Events: events}
	b.Header.Merkle = b.ComputeMerkle()
	return b
}

func work(n int64) *big.Int { return big.NewInt(n) }
