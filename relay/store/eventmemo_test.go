package store

import (
	"fmt"
	"testing"

	"postwork/chain"
	"postwork/chain/nostr"
)

// HasEvent answers the same whether it asks per post or, for the posts of
// the block stored last, in one query per 64 (eventMemo), across the writes
// that change the answers: a connect, a disconnect, another stored block.
func TestHasEventForTheLastStoredBlock(t *testing.T) {
	p := chain.TestNet
	s := openStore(t, tempPath(t))
	newChain(t, s) // genesis
	g := p.Genesis().Header
	var posts []*nostr.Event
	for i := range 150 {
		posts = append(posts, post(t, byte(2+i%5), 1, fmt.Sprint("post ", i), g.Time))
	}
	want := make(map[[32]byte]bool)
	check := func(step string, evs []*nostr.Event) {
		t.Helper()
		for i, e := range evs {
			in, err := s.HasEvent(e.ID)
			if err != nil || in != want[e.ID] {
				t.Fatalf("%s: post %d: HasEvent %v (%v), want %v", step, i, in, err, want[e.ID])
			}
		}
	}

	b1 := child(t, p, &g, 1, "", posts[:100]...)
	if err := s.PutBlock(b1); err != nil {
		t.Fatal(err)
	}
	check("block 1 stored", posts)
	if err := s.ConnectBlock(b1); err != nil {
		t.Fatal(err)
	}
	for _, e := range posts[:100] {
		want[e.ID] = true
	}
	check("block 1 connected", posts)

	// A block repeating 70 confirmed posts beside 50 new ones: more than
	// one query's worth of each.
	b2 := child(t, p, &b1.Header, 1, "", posts[30:]...)
	if err := s.PutBlock(b2); err != nil {
		t.Fatal(err)
	}
	check("block 2 stored", posts)
	if err := s.DisconnectBlock(b1); err != nil {
		t.Fatal(err)
	}
	clear(want)
	check("block 1 disconnected", posts)
}
