package store

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"postwork/chain"
	"postwork/chain/nostr"
)

// The chain package's scenarios (extend, reorganise, restart) run on a
// SQLite file, then again on a reopened file.

func TestChainExtendAndRestart(t *testing.T) {
	ctx := context.Background()
	p := chain.TestNet
	path := tempPath(t)
	s := openStore(t, path)
	c := newChain(t, s)
	g := p.Genesis().Header

	e1 := post(t, 2, 1, "first post", g.Time)
	e2 := post(t, 3, 1, "second post", g.Time)
	waiting := post(t, 4, 1, "still waiting", g.Time)
	for _, e := range []*nostr.Event{e1, e2, waiting} {
		if err := s.SavePending(e, time.Unix(g.Time, 0)); err != nil {
			t.Fatal(err)
		}
	}
	b1 := child(t, p, &g, 5, "one", e1, e2)
	res := mustProcess(t, c, b1)
	if len(res.Connected) != 1 || res.Connected[0].Hash() != b1.Hash() {
		t.Fatalf("connected %v, want block 1", res.Connected)
	}
	more := branch(t, p, &b1.Header, 5, "a")
	mustProcess(t, c, more...)
	tip := c.Tip()
	if tip.Header.Height != 6 || tip.Hash != more[4].Hash() {
		t.Fatalf("tip %d %s, want 6 %s", tip.Header.Height, tip.Hash, more[4].Hash())
	}
	rec, err := s.Post(ctx, e2.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !rec.Confirmed || rec.BlockHash != b1.Hash() || rec.Height != 1 || rec.Index != 1 {
		t.Fatalf("post of block 1: %+v, want confirmed in %s at height 1, index 1", rec, b1.Hash())
	}
	if rec, _ := s.Post(ctx, waiting.ID); rec.Confirmed {
		t.Fatal("a post in no block is confirmed")
	}
	if got, err := s.Block(b1.Hash()); err != nil || !slices.Equal(got.Encode(), b1.Encode()) {
		t.Fatalf("stored block 1 differs from the block given (err %v)", err)
	}

	// Restart: the same file resumes at the same tip with the same events.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Tip(); !errors.Is(err, ErrClosed) {
		t.Fatalf("tip of a closed store: %v, want ErrClosed", err)
	}
	s2 := openStore(t, path)
	c2 := newChain(t, s2)
	if got := c2.Tip(); got.Hash != tip.Hash || got.Work.Cmp(tip.Work) != 0 {
		t.Fatalf("after restart tip %s work %v, want %s %v", got.Hash, got.Work, tip.Hash, tip.Work)
	}
	for _, e := range []*nostr.Event{e1, e2} {
		if in, err := c2.HasEvent(e.ID); err != nil || !in {
			t.Fatalf("after restart event %x confirmed %v (err %v)", e.ID, in, err)
		}
	}
	pending, err := s2.LoadPending()
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 1 || pending[0].ID != waiting.ID {
		t.Fatalf("after restart %d pending posts, want the one still waiting", len(pending))
	}
	if c2.Confirmations(b1.Hash()) != 6 {
		t.Fatalf("confirmations of block 1 after restart: %d, want 6", c2.Confirmations(b1.Hash()))
	}
	mustProcess(t, c2, branch(t, p, &more[4].Header, 1, "b")...)
	if c2.Tip().Header.Height != 7 {
		t.Fatal("restarted chain does not extend")
	}
	// A block already confirmed cannot confirm its events again.
	top := c2.Tip().Header
	if _, err := c2.ProcessBlock(child(t, p, &top, 5, "again", e1), testNow); !errors.Is(err, chain.ErrEventInChain) {
		t.Fatalf("block repeating a confirmed post: %v, want ErrEventInChain", err)
	}
}

func TestChainReorgOnDisk(t *testing.T) {
	ctx := context.Background()
	p := chain.TestNet
	path := tempPath(t)
	s := openStore(t, path)
	c := newChain(t, s)
	mem := newChain(t, chain.NewMemStore()) // the reference
	g := p.Genesis().Header

	e1 := post(t, 2, 1, "on the losing branch", g.Time)
	e2 := post(t, 3, 1, "on both branches", g.Time)
	a1 := child(t, p, &g, 7, "a", e1, e2)
	a := append([]*chain.Block{a1}, branch(t, p, &a1.Header, 2, "a")...)
	b1 := child(t, p, &g, 8, "b", e2)
	b := append([]*chain.Block{b1}, branch(t, p, &b1.Header, 3, "b")...)
	for _, ch := range []*chain.Chain{c, mem} {
		mustProcess(t, ch, a...)
		mustProcess(t, ch, b[:3]...) // equal work: the first seen stays
	}
	if c.Tip().Hash != a[2].Hash() {
		t.Fatal("equal-work branch replaced the first seen")
	}
	if r, n, _ := s.Balance(ctx, [32]byte(a1.Coinbase.PubKey)); n != 1 || r != a1.Coinbase.Reward {
		t.Fatalf("balance of a1's miner before the reorg: %d in %d blocks", r, n)
	}

	res := mustProcess(t, c, b[3])
	mustProcess(t, mem, b[3])
	if c.Tip().Hash != b[3].Hash() || mem.Tip().Hash != c.Tip().Hash {
		t.Fatal("branch with more work did not win")
	}
	if len(res.Disconnected) != 3 || len(res.Connected) != 4 {
		t.Fatalf("disconnected %d connected %d, want 3 and 4", len(res.Disconnected), len(res.Connected))
	}
	checkBestChain := func(s *Store, c *chain.Chain) {
		t.Helper()
		for h := uint64(0); h <= 4; h++ {
			got, err := s.BlockHashAt(ctx, h)
			want, _ := c.HeaderAt(h)
			if err != nil || got != want.Hash() {
				t.Fatalf("block at %d: %s (err %v), want %s", h, got, err, want.Hash())
			}
		}
		if _, err := s.BlockHashAt(ctx, 5); !errors.Is(err, ErrNotFound) {
			t.Fatalf("block above the tip: %v, want ErrNotFound", err)
		}
		rec, err := s.Post(ctx, e1.ID)
		if err != nil || rec.Confirmed {
			t.Fatalf("post of the losing branch: %+v (err %v), want pending", rec, err)
		}
		rec, err = s.Post(ctx, e2.ID)
		if err != nil || !rec.Confirmed || rec.BlockHash != b1.Hash() || rec.Index != 0 {
			t.Fatalf("post on both branches: %+v (err %v), want confirmed in b1 at 0", rec, err)
		}
		if r, n, _ := s.Balance(ctx, [32]byte(a1.Coinbase.PubKey)); n != 0 || r != 0 {
			t.Fatalf("miner of the losing branch still has %d in %d blocks", r, n)
		}
		if r, n, _ := s.Balance(ctx, [32]byte(b1.Coinbase.PubKey)); n != 1 || r != b1.Coinbase.Reward {
			t.Fatalf("miner of b1 has %d in %d blocks", r, n)
		}
		pending, err := s.LoadPending()
		if err != nil || len(pending) != 1 || pending[0].ID != e1.ID {
			t.Fatalf("pending after reorg: %d posts (err %v), want the losing branch's", len(pending), err)
		}
		for _, e := range []*nostr.Event{e1, e2} {
			want, _ := mem.HasEvent(e.ID)
			if got, _ := c.HasEvent(e.ID); got != want {
				t.Fatalf("event %x confirmed %v on disk, %v in memory", e.ID, got, want)
			}
		}
	}
	checkBestChain(s, c)

	s.Close()
	s2 := openStore(t, path)
	c2 := newChain(t, s2)
	if c2.Tip().Hash != b[3].Hash() {
		t.Fatal("restart lost the reorganisation")
	}
	checkBestChain(s2, c2)
	st, err := s2.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := Stats{PendingPosts: 1, ConfirmedPosts: 1, Blocks: 5, StoredBlocks: 8}
	st.FileBytes, want.FileBytes = 0, 0
	if st != want {
		t.Fatalf("stats %+v, want %+v", st, want)
	}
}

// A crash in the middle of a reorganisation leaves the store with the better
// branch stored and part of the old one disconnected; the next start
// finishes the job.
func TestChainFinishesInterruptedReorg(t *testing.T) {
	p := chain.TestNet
	path := tempPath(t)
	s := openStore(t, path)
	c := newChain(t, s)
	g := p.Genesis().Header
	e := post(t, 2, 1, "in a2", g.Time)
	a1 := child(t, p, &g, 1, "a1")
	a2 := child(t, p, &a1.Header, 1, "a2", e)
	a3 := child(t, p, &a2.Header, 1, "a3")
	mustProcess(t, c, a1, a2, a3)
	b := branch(t, p, &a1.Header, 3, "b") // heights 2..4 on a1

	// What ProcessBlock(b[2]) does up to a crash: store the blocks,
	// disconnect a3 and a2, then die before connecting b.
	for _, blk := range b {
		if err := s.PutBlock(blk); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DisconnectBlock(a3); err != nil {
		t.Fatal(err)
	}
	if err := s.DisconnectBlock(a2); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s2 := openStore(t, path)
	if tip, _ := s2.Tip(); tip != a1.Hash() {
		t.Fatalf("store tip %s, want a1 after the two disconnects", tip)
	}
	c2 := newChain(t, s2)
	if c2.Tip().Hash != b[2].Hash() {
		t.Fatalf("restart stopped at height %d, want the b branch's tip", c2.Tip().Header.Height)
	}
	if in, _ := s2.HasEvent(e.ID); in {
		t.Fatal("post of the abandoned branch still confirmed")
	}
}

func TestChainStoreGuards(t *testing.T) {
	p := chain.TestNet
	s := openStore(t, tempPath(t))
	c := newChain(t, s)
	g := p.Genesis().Header
	bs := branch(t, p, &g, 3, "x")
	mustProcess(t, c, bs[0])
	for _, blk := range bs[1:] {
		if err := s.PutBlock(blk); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.ConnectBlock(bs[2]); err == nil {
		t.Fatal("connected a block that is not a child of the tip")
	}
	if err := s.DisconnectBlock(bs[1]); err == nil {
		t.Fatal("disconnected a block that is not the tip")
	}
	if err := s.DisconnectBlock(bs[0]); err != nil {
		t.Fatal(err)
	}
	if err := s.DisconnectBlock(p.Genesis()); err == nil {
		t.Fatal("disconnected the genesis block")
	}
	unstored := child(t, p, &g, 1, "unstored")
	if err := s.ConnectBlock(unstored); err == nil {
		t.Fatal("connected a block that was never stored")
	}
	if tip, _ := s.Tip(); tip != p.GenesisHash() {
		t.Fatalf("refused calls moved the tip to %s", tip)
	}

	// A header without its body is indexed but has no block.
	h := child(t, p, &bs[2].Header, 1, "header only").Header
	if err := s.PutHeader(&h); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Block(h.Hash()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("block of a header-only entry: %v, want ErrNotFound", err)
	}
	seen := map[chain.Hash]bool{}
	var last uint64
	err := s.ForEachHeader(func(hd *chain.Header, hasBody bool) error {
		if hd.Height < last {
			t.Fatalf("header at %d after one at %d", hd.Height, last)
		}
		last = hd.Height
		seen[hd.Hash()] = hasBody
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 5 || seen[h.Hash()] || !seen[bs[2].Hash()] {
		t.Fatalf("ForEachHeader saw %d headers (header-only has body %v), want 5", len(seen), seen[h.Hash()])
	}
}

func TestOpenRefusesOtherNetwork(t *testing.T) {
	path := tempPath(t)
	s := openStore(t, path)
	newChain(t, s)
	s.Close()
	_, err := Open(context.Background(), path, chain.DevNet)
	if !errors.Is(err, ErrWrongNetwork) {
		t.Fatalf("opening a test store as dev: %v, want ErrWrongNetwork", err)
	}
	if name, err := NetworkOf(context.Background(), path); err != nil || name != "test" {
		t.Fatalf("NetworkOf: %q %v, want test", name, err)
	}
	// The refused open changed nothing.
	s2 := openStore(t, path)
	if tip, err := s2.Tip(); err != nil || tip != chain.TestNet.GenesisHash() {
		t.Fatalf("tip after a refused open: %s %v", tip, err)
	}
}

// A block whose posts the store does not record as confirmed by it is not
// disconnected: the transaction is rolled back and the tip stays.
func TestDisconnectRefusesInconsistentPosts(t *testing.T) {
	p := chain.TestNet
	path := tempPath(t)
	s := openStore(t, path)
	c := newChain(t, s)
	g := p.Genesis().Header
	e := post(t, 2, 1, "in block 1", g.Time)
	b1 := child(t, p, &g, 1, "", e)
	mustProcess(t, c, b1)
	db := rawDB(t, path)
	if _, err := db.Exec("UPDATE posts SET block = NULL, idx = NULL, received = 1 WHERE id = ?", e.ID[:]); err != nil {
		t.Fatal(err)
	}
	if err := s.DisconnectBlock(b1); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("disconnect: %v, want ErrCorrupt", err)
	}
	if tip, _ := s.Tip(); tip != b1.Hash() {
		t.Fatal("a refused disconnect moved the tip")
	}
}
