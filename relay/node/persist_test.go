package node

import (
	"context"
	"path/filepath"
	"testing"

	"postwork/chain"
	"postwork/relay/store"
)

// With the SQLite store, a post is on disk when OK true is sent: a node
// opened again on the same file has it pending, and blocks are kept.
func TestPostsAndBlocksSurviveRestart(t *testing.T) {
	clk := newClock()
	path := filepath.Join(t.TempDir(), store.FileName)
	open := func() *store.Store {
		s, err := store.Open(context.Background(), path, chain.TestNet)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s1 := open()
	n1, err := New(Config{Params: chain.TestNet, Store: s1, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	mined := post(t, clk, "mined before the restart")
	if err := n1.Submit(t.Context(), mined); err != nil {
		t.Fatal(err)
	}
	clk.Tick()
	blk, err := n1.MineOne(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	pending := post(t, clk, "pending across the restart")
	if err := n1.Submit(t.Context(), pending); err != nil {
		t.Fatal(err)
	}
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}

	s2 := open()
	defer s2.Close()
	n2, err := New(Config{Params: chain.TestNet, Store: s2, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	if n2.Chain().Tip().Hash != blk.Hash() {
		t.Error("tip lost across the restart")
	}
	if !n2.Pool().Has(pending.ID) {
		t.Error("pending post lost across the restart")
	}
	if n2.Pool().Has(mined.ID) {
		t.Error("mined post pending again after the restart")
	}
	if err := n2.Submit(t.Context(), pending); err == nil {
		t.Error("restored post accepted again as new")
	}
}
