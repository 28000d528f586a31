package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"

	"postwork/chain"
	"postwork/chain/nostr"
	"postwork/relay/store"
)

// verifyFixture is a data directory holding a TestNet chain of five blocks
// after genesis, with posts in blocks 1 and 2, and a side branch.
type verifyFixture struct {
	dir    string
	blocks []*chain.Block // the best chain, genesis first
	posts  int
}

func newVerifyFixture(t *testing.T) *verifyFixture {
	t.Helper()
	p := chain.TestNet
	f := &verifyFixture{dir: t.TempDir()}
	s, err := store.Open(context.Background(), store.Path(f.dir), p)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := chain.New(p, s, chain.Config{})
	if err != nil {
		t.Fatal(err)
	}
	g := p.Genesis()
	f.blocks = []*chain.Block{g}
	now := g.Header.Time + 10_000
	var evs [][]*nostr.Event
	for i := range 5 {
		var bl []*nostr.Event
		if i < 2 {
			for j := range 2 {
				e := &nostr.Event{Kind: 1, CreatedAt: g.Header.Time, Content: fmt.Sprintf("post %d.%d", i, j), Tags: [][]string{}}
				if err := e.Sign(verifyKey(byte(2 + j))); err != nil {
					t.Fatal(err)
				}
				bl = append(bl, e)
			}
		}
		evs = append(evs, bl)
		f.posts += len(bl)
	}
	side := verifyBlock(t, p, &g.Header, "side")
	if _, err := c.ProcessBlock(side, now); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		b := verifyBlock(t, p, &f.blocks[len(f.blocks)-1].Header, fmt.Sprintf("main %d", i), evs[i]...)
		if _, err := c.ProcessBlock(b, now); err != nil {
			t.Fatal(err)
		}
		f.blocks = append(f.blocks, b)
	}
	if c.Tip().Hash != f.blocks[5].Hash() {
		t.Fatal("test setup: the main branch is not the best chain")
	}
	return f
}

func verifyKey(seed byte) *btcec.PrivateKey {
	var b [32]byte
	b[0], b[31] = 0x42, seed
	sk, _ := btcec.PrivKeyFromBytes(b[:])
	return sk
}

// verifyBlock mines a TestNet block on parent.
func verifyBlock(t *testing.T, p *chain.Params, parent *chain.Header, extra string, events ...*nostr.Event) *chain.Block {
	t.Helper()
	bits, err := chain.NextBits(p, parent)
	if err != nil {
		t.Fatal(err)
	}
	b := &chain.Block{
		Header: chain.Header{Version: chain.HeaderVersion, Height: parent.Height + 1, Prev: parent.Hash(),
			Time: parent.Time + 1, Bits: bits},
		Coinbase: chain.Coinbase{PubKey: nostr.PublicKey(verifyKey(1)), Reward: p.Reward(parent.Height + 1), Extra: []byte(extra)},
		Events:   events,
	}
	b.Header.Merkle = b.ComputeMerkle()
	for b.Header.Nonce = 0; ; b.Header.Nonce++ {
		err := chain.CheckHeaderSanity(p, &b.Header)
		if err == nil {
			return b
		}
		if !errors.Is(err, chain.ErrBadPoW) {
			t.Fatal(err)
		}
	}
}

// damage runs SQL on the store file directly, as a disk fault or a careless
// hand would change it. It knows relay/store's tables: that is the point.
func (f *verifyFixture) damage(t *testing.T, query string, args ...any) {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(f.dir, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec(query, args...)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("damage changed %d rows, want 1", n)
	}
}

func TestChainVerifyOK(t *testing.T) {
	f := newVerifyFixture(t)
	want := fmt.Sprintf("ok: 6 blocks, %d posts, tip %s\n", f.posts, f.blocks[5].Hash())
	for _, args := range [][]string{
		{"chain", "verify", "--data", f.dir},
		{"chain", "verify", "--data", f.dir, "--network", "test"},
	} {
		code, stdout, stderr := runCmd(t, "", args...)
		if code != 0 || stdout != want {
			t.Fatalf("%v: exit %d, stdout %q, want 0 and %q (stderr %q)", args, code, stdout, want, stderr)
		}
		if !strings.Contains(stderr, "verified 6 of 6 blocks") {
			t.Fatalf("no progress on stderr: %q", stderr)
		}
	}
}

func TestChainVerifyFindsDamagedBody(t *testing.T) {
	f := newVerifyFixture(t)
	b := f.blocks[2]
	body := b.EncodeBody()
	// Flip a bit of the first post's signature: the body still decodes,
	// but its Merkle root is no longer the header's.
	off := len(b.Coinbase.AppendBinary(nil)) + 1 + 32
	body[off] ^= 1
	hash := b.Hash()
	f.damage(t, "UPDATE bodies SET data = ? WHERE block = (SELECT id FROM blocks WHERE hash = ?)", body, hash[:])

	code, stdout, stderr := runCmd(t, "", "chain", "verify", "--data", f.dir)
	want := fmt.Sprintf("problem at height 2, block %s: merkle root does not match body", hash)
	if code != 1 || !strings.HasPrefix(stdout, want) {
		t.Fatalf("exit %d, stdout %q, want 1 and %q... (stderr %q)", code, stdout, want, stderr)
	}
}

func TestChainVerifyFindsIndexDisagreeing(t *testing.T) {
	f := newVerifyFixture(t)
	e := f.blocks[1].Events[1]
	f.damage(t, "UPDATE posts SET block = NULL, idx = NULL WHERE id = ?", e.ID[:])
	code, stdout, _ := runCmd(t, "", "chain", "verify", "--data", f.dir)
	want := fmt.Sprintf("problem at height 1, block %s: post 1 (%x): the store records it", f.blocks[1].Hash(), e.ID)
	if code != 1 || !strings.HasPrefix(stdout, want) {
		t.Fatalf("exit %d, stdout %q, want 1 and %q...", code, stdout, want)
	}
}

func TestChainVerifyUsage(t *testing.T) {
	f := newVerifyFixture(t)
	missing := filepath.Join(t.TempDir(), "nothing here")
	for _, tt := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"chain"}, 2, "missing subcommand"},
		{[]string{"chain", "check"}, 2, `unknown subcommand "check"`},
		{[]string{"chain", "verify"}, 2, "missing --data"},
		{[]string{"chain", "verify", "--data", f.dir, "--network", "moon"}, 2, `unknown network "moon"`},
		{[]string{"chain", "verify", "--data", f.dir, "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"chain", "verify", "--data", missing}, 1, "no store at"},
		{[]string{"chain", "verify", "--data", f.dir, "--network", "dev"}, 1, "store holds another network"},
	} {
		code, stdout, stderr := runCmd(t, "", tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.stderr) || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %d and %q", tt.args, code, stdout, stderr, tt.code, tt.stderr)
		}
	}
	// Nothing was created where no store was.
	if _, err := store.NetworkOf(context.Background(), store.Path(missing)); err == nil {
		t.Fatal("verify created a store")
	}
}
