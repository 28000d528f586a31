package store

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"

	"postwork/chain"
	"postwork/chain/chaintest"
	"postwork/chain/nostr"
)

// Test blocks on TestNet (where about every other hash is a valid block) and
// signed posts, from chain/chaintest.

func testKey(seed byte) *btcec.PrivateKey { return chaintest.Key(seed) }

// post returns a signed event of the given kind and tags.
func post(t testing.TB, seed byte, kind int, content string, createdAt int64, tags ...[]string) *nostr.Event {
	t.Helper()
	return chaintest.Event(t, seed, kind, content, createdAt, tags...)
}

// child builds a valid block on parent, one second after it, mined by the
// key of minerSeed, with extra making it differ from its siblings.
func child(t testing.TB, p *chain.Params, parent *chain.Header, minerSeed byte, extra string, events ...*nostr.Event) *chain.Block {
	t.Helper()
	return chaintest.ChildBy(t, p, parent, parent.Time+1, minerSeed, extra, events...)
}

// branch builds n empty blocks on parent.
func branch(t testing.TB, p *chain.Params, parent *chain.Header, n int, tag string) []*chain.Block {
	t.Helper()
	return chaintest.Branch(t, p, parent, n, tag)
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
