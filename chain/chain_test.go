package chain

import (
	"errors"
	"slices"
	"testing"
)

func TestExtendAndRestart(t *testing.T) {
	p := TestNet
	s := NewMemStore()
	c := newTestChain(t, p, s)
	g := p.Genesis().Header
	now := g.Time + 1000
	e := post(t, 2, "first post", g.Time)
	b1 := child(t, p, &g, g.Time+1, e)
	res := mustProcess(t, c, now, b1)
	if len(res.Connected) != 1 || res.Connected[0].Hash() != b1.Hash() {
		t.Fatalf("connected %v, want block 1", res.Connected)
	}
	blocks := branch(t, p, &b1.Header, 5, "a")
	mustProcess(t, c, now, blocks...)
	tip := c.Tip()
	if tip.Header.Height != 6 || tip.Hash != blocks[4].Hash() {
		t.Fatalf("tip %d %s, want 6 %s", tip.Header.Height, tip.Hash, blocks[4].Hash())
	}
	if in, _ := c.HasEvent(e.ID); !in {
		t.Fatal("event of block 1 not confirmed")
	}
	if got := c.Confirmations(b1.Hash()); got != 6 {
		t.Fatalf("confirmations of block 1: %d, want 6", got)
	}
	if _, err := c.ProcessBlock(b1, now); !errors.Is(err, ErrDuplicateBlock) {
		t.Fatalf("resubmitted block: %v, want ErrDuplicateBlock", err)
	}

	// A node restarting on the same store resumes at the same tip.
	c2 := newTestChain(t, p, s)
	if got := c2.Tip(); got.Hash != tip.Hash || got.Work.Cmp(tip.Work) != 0 {
		t.Fatalf("after restart tip %s work %v, want %s %v", got.Hash, got.Work, tip.Hash, tip.Work)
	}
	more := branch(t, p, &blocks[4].Header, 1, "b")
	mustProcess(t, c2, now, more...)
	if c2.Tip().Header.Height != 7 {
		t.Fatal("restarted chain does not extend")
	}
}

func TestWrongGenesisRefused(t *testing.T) {
	s := NewMemStore()
	newTestChain(t, TestNet, s)
	if _, err := New(DevNet, s, Config{}); !errors.Is(err, ErrBadGenesis) {
		t.Fatalf("opening a test store as dev: %v, want ErrBadGenesis", err)
	}
}

func TestReorgReturnsPosts(t *testing.T) {
	p := TestNet
	c := newTestChain(t, p, NewMemStore())
	g := p.Genesis().Header
	now := g.Time + 1000
	e1 := post(t, 2, "on the losing branch", g.Time)
	e2 := post(t, 3, "on both branches", g.Time)
	a1 := child(t, p, &g, g.Time+1, e1, e2)
	a := append([]*Block{a1}, branch(t, p, &a1.Header, 2, "a")...)
	mustProcess(t, c, now, a...)

	// A competing branch with one block more: it has more work and wins.
	b1 := child(t, p, &g, g.Time+1, e2)
	b := append([]*Block{b1}, branch(t, p, &b1.Header, 3, "b")...)
	mustProcess(t, c, now, b[:3]...) // equal work: the first seen stays
	if c.Tip().Hash != a[2].Hash() {
		t.Fatal("equal-work branch replaced the first seen")
	}
	res := mustProcess(t, c, now, b[3])
	if c.Tip().Hash != b[3].Hash() {
		t.Fatal("branch with more work did not win")
	}
	if len(res.Disconnected) != 3 || len(res.Connected) != 4 {
		t.Fatalf("disconnected %d connected %d, want 3 and 4", len(res.Disconnected), len(res.Connected))
	}
	if res.Disconnected[0].Hash() != a[2].Hash() {
		t.Fatal("disconnected blocks not tip first")
	}
	returned := eventsOf(res.Disconnected)
	if !slices.Contains(returned, e1.ID) {
		t.Fatal("post of the losing branch not returned")
	}
	if in, _ := c.HasEvent(e1.ID); in {
		t.Fatal("post of the losing branch still confirmed")
	}
	if in, _ := c.HasEvent(e2.ID); !in {
		t.Fatal("post on both branches not confirmed")
	}
	if c.Confirmations(a1.Hash()) != 0 {
		t.Fatal("block of the losing branch still confirmed")
	}
}

func eventsOf(blocks []*Block) [][32]byte {
	var ids [][32]byte
	for _, b := range blocks {
		for _, e := range b.Events {
			ids = append(ids, e.ID)
		}
	}
	return ids
}

// Fork choice is by cumulative work, not length: a shorter branch of harder
// blocks beats a longer one of easy blocks.
func TestMostWorkNotLongest(t *testing.T) {
	p := fastRetarget()
	c := newTestChain(t, p, NewMemStore())
	g := p.Genesis().Header
	now := g.Time + 100000

	long := branch(t, p, &g, 12, "long") // on schedule: every block at the easiest target
	mustProcess(t, c, now, long...)

	// Blocks behind schedule (each at the earliest time the median rule
	// allows) raise the difficulty: each is harder than the last.
	var short []*Block
	parent := &g
	times := []int64{g.Time}
	for range 10 {
		bl := child(t, p, parent, MinTime(times))
		times = append(times, bl.Header.Time)
		short = append(short, bl)
		parent = &bl.Header
	}
	if short[9].Header.Bits == long[11].Header.Bits {
		t.Fatal("test setup: short branch is not harder")
	}
	mustProcess(t, c, now, short...)
	longWork, shortWork := c.index[long[11].Hash()].work, c.index[short[9].Hash()].work
	if shortWork.Cmp(longWork) <= 0 {
		t.Fatalf("test setup: the short branch should carry more work (short %v, long %v)", shortWork, longWork)
	}
	if c.Tip().Hash != short[9].Hash() {
		t.Fatalf("tip is the longer branch, not the one with most work (short %v, long %v)", shortWork, longWork)
	}
}

// fastRetarget is the test network with a half-life of one block, so a few
// blocks behind schedule change the target a lot.
func fastRetarget() *Params {
	q := *TestNet
	q.PowLimitBits = 0x2000ffff
	q.GenesisBits = 0x2000ffff
	q.HalfLife = 1
	q.Name = "fast"
	return newParams(q)
}

func TestOrphansConnectWhenParentArrives(t *testing.T) {
	p := TestNet
	c := newTestChain(t, p, NewMemStore())
	g := p.Genesis().Header
	now := g.Time + 1000
	bs := branch(t, p, &g, 4, "o")
	for _, b := range []*Block{bs[3], bs[1], bs[2]} {
		res, err := c.ProcessBlock(b, now)
		if err != nil || !res.Orphan {
			t.Fatalf("block %d: orphan %v err %v, want orphan", b.Header.Height, res.Orphan, err)
		}
	}
	if c.OrphanCount() != 3 {
		t.Fatalf("orphans %d, want 3", c.OrphanCount())
	}
	res := mustProcess(t, c, now, bs[0])
	if len(res.Connected) != 4 || c.Tip().Hash != bs[3].Hash() || c.OrphanCount() != 0 {
		t.Fatalf("connected %d, tip height %d, orphans %d", len(res.Connected), c.Tip().Header.Height, c.OrphanCount())
	}
}

func TestOrphanPoolBounded(t *testing.T) {
	p := TestNet
	c, err := New(p, NewMemStore(), Config{MaxOrphans: 3, MaxOrphanAge: 60})
	if err != nil {
		t.Fatal(err)
	}
	g := p.Genesis().Header
	bs := branch(t, p, &g, 8, "b")
	now := g.Time + 1000
	for i, b := range bs[1:] {
		if _, err := c.ProcessBlock(b, now+int64(i)); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.OrphanCount(); n != 3 {
		t.Fatalf("orphan pool holds %d, limit 3", n)
	}
	if c.IsOrphan(bs[1].Hash()) || !c.IsOrphan(bs[7].Hash()) {
		t.Fatal("pool did not evict the oldest orphan")
	}
	// Orphans older than MaxOrphanAge are dropped on the next arrival.
	other := branch(t, p, &g, 2, "x")
	if _, err := c.ProcessBlock(other[1], now+1000); err != nil {
		t.Fatal(err)
	}
	if n := c.OrphanCount(); n != 1 {
		t.Fatalf("after expiry the pool holds %d, want 1", n)
	}
}

func TestInvalidBranchMarked(t *testing.T) {
	p := TestNet
	c := newTestChain(t, p, NewMemStore())
	g := p.Genesis().Header
	now := g.Time + 1000
	e := post(t, 2, "confirmed once", g.Time)
	a := child(t, p, &g, g.Time+1, e)
	mustProcess(t, c, now, a)
	// A block repeating a confirmed event is sane on its own but cannot
	// connect; its branch is marked invalid and the tip stays.
	bad := child(t, p, &a.Header, a.Header.Time+1, e)
	if _, err := c.ProcessBlock(bad, now); !errors.Is(err, ErrEventInChain) {
		t.Fatalf("block repeating a confirmed event: %v, want ErrEventInChain", err)
	}
	if c.Tip().Hash != a.Hash() {
		t.Fatal("invalid block became the tip")
	}
	if _, err := c.ProcessBlock(bad, now); !errors.Is(err, ErrKnownInvalid) {
		t.Fatalf("invalid block sent again: %v, want ErrKnownInvalid", err)
	}
	kid := child(t, p, &bad.Header, bad.Header.Time+1)
	if _, err := c.ProcessBlock(kid, now); !errors.Is(err, ErrInvalidParent) {
		t.Fatalf("child of an invalid block: %v, want ErrInvalidParent", err)
	}
	good := child(t, p, &a.Header, a.Header.Time+1)
	mustProcess(t, c, now, good)
	if c.Tip().Hash != good.Hash() {
		t.Fatal("valid block after an invalid sibling did not connect")
	}
}

func TestHeadersOnlyMatchesFull(t *testing.T) {
	p := TestNet
	full := newTestChain(t, p, NewMemStore())
	light, err := New(p, NewMemStore(), Config{HeadersOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	g := p.Genesis().Header
	now := g.Time + 1000
	a := branch(t, p, &g, 3, "a")
	b := branch(t, p, &g, 5, "b")
	for _, bl := range append(a, b...) {
		mustProcess(t, full, now, bl)
		if _, err := light.ProcessHeader(&bl.Header, now); err != nil {
			t.Fatal(err)
		}
	}
	if full.Tip().Hash != light.Tip().Hash {
		t.Fatal("light and full chains disagree on the tip")
	}
	bad := b[4].Header
	bad.Bits--
	if _, err := light.ProcessHeader(&bad, now); err == nil || !IsRuleError(err) {
		t.Fatalf("header with wrong bits: %v, want a rule error", err)
	}
	orphan := branch(t, p, &b[4].Header, 2, "c")[1].Header
	if _, err := light.ProcessHeader(&orphan, now); !errors.Is(err, ErrUnknownParent) {
		t.Fatalf("header with unknown parent: %v", err)
	}
}

// A full node can take headers first and bodies later, in any order.
func TestHeadersFirstThenBodies(t *testing.T) {
	p := TestNet
	c := newTestChain(t, p, NewMemStore())
	g := p.Genesis().Header
	now := g.Time + 1000
	bs := branch(t, p, &g, 6, "h")
	for _, b := range bs {
		if _, err := c.ProcessHeader(&b.Header, now); err != nil {
			t.Fatal(err)
		}
	}
	missing := c.MissingBodies(100)
	if len(missing) != 6 || missing[0] != bs[0].Hash() {
		t.Fatalf("missing bodies %d, want 6 starting at height 1", len(missing))
	}
	if c.Tip().Header.Height != 0 {
		t.Fatal("full chain advanced on headers alone")
	}
	mustProcess(t, c, now, bs[2], bs[0], bs[1])
	if c.Tip().Header.Height != 3 {
		t.Fatalf("tip height %d after bodies 1-3, want 3", c.Tip().Header.Height)
	}
	mustProcess(t, c, now, bs[3:]...)
	if c.Tip().Hash != bs[5].Hash() || len(c.MissingBodies(10)) != 0 {
		t.Fatal("chain did not reach the best header")
	}
}

func TestLocatorAndHeadersAfter(t *testing.T) {
	p := TestNet
	a := newTestChain(t, p, NewMemStore())
	b := newTestChain(t, p, NewMemStore())
	g := p.Genesis().Header
	now := g.Time + 10000
	bs := branch(t, p, &g, 40, "l")
	mustProcess(t, a, now, bs...)
	mustProcess(t, b, now, bs[:25]...)
	loc := b.Locator()
	if loc[0] != bs[24].Hash() || loc[len(loc)-1] != p.GenesisHash() {
		t.Fatal("locator must start at the tip and end at genesis")
	}
	hs := a.HeadersAfter(loc, Hash{}, 10)
	if len(hs) != 10 || hs[0].Height != 26 {
		t.Fatalf("got %d headers from height %d, want 10 from 26", len(hs), hs[0].Height)
	}
	hs = a.HeadersAfter(loc, bs[27].Hash(), 100)
	if len(hs) != 3 {
		t.Fatalf("stop hash: got %d headers, want 3", len(hs))
	}
	for _, h := range a.HeadersAfter(loc, Hash{}, 100) {
		if _, err := b.ProcessHeader(&h, now); err != nil {
			t.Fatal(err)
		}
	}
	if len(b.MissingBodies(100)) != 15 {
		t.Fatal("synced headers do not leave 15 bodies to fetch")
	}
}

// failingStore fails ConnectBlock after a number of calls, as a crash would.
type failingStore struct {
	*MemStore
	connectsLeft int
}

var errCrash = errors.New("simulated crash")

func (s *failingStore) ConnectBlock(b *Block) error {
	if s.connectsLeft == 0 {
		return errCrash
	}
	s.connectsLeft--
	return s.MemStore.ConnectBlock(b)
}

// A reorganisation cut short by a crash is finished when the node restarts.
func TestRestartFinishesInterruptedReorg(t *testing.T) {
	p := TestNet
	mem := NewMemStore()
	fs := &failingStore{MemStore: mem, connectsLeft: -1}
	c := newTestChain(t, p, fs)
	g := p.Genesis().Header
	now := g.Time + 1000
	a := branch(t, p, &g, 4, "a")
	b := branch(t, p, &g, 5, "b")
	mustProcess(t, c, now, a...)
	mustProcess(t, c, now, b[:4]...) // equal work: a stays
	fs.connectsLeft = 2              // the switch to b needs 5 connects; crash after 2
	if _, err := c.ProcessBlock(b[4], now); !errors.Is(err, errCrash) {
		t.Fatalf("want the simulated crash, got %v", err)
	}
	c2 := newTestChain(t, p, mem)
	if c2.Tip().Hash != b[4].Hash() {
		t.Fatalf("restart ended at height %d, not the branch with most work", c2.Tip().Header.Height)
	}
}
