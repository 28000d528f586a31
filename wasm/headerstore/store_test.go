package headerstore

import (
	"encoding/hex"
	"errors"
	"runtime"
	"testing"
	"time"

	"postwork/chain"
	"postwork/chain/chaintest"
	"postwork/wasm/kv"
)

var p = chain.TestNet

func open(t *testing.T, db kv.DB) (*Store, *chain.Chain) {
	t.Helper()
	s, err := Open(db)
	if err != nil {
		t.Fatal(err)
	}
	c, err := chain.New(p, s, chain.Config{HeadersOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

func addHeaders(t *testing.T, c *chain.Chain, blocks []*chain.Block) {
	t.Helper()
	for _, b := range blocks {
		if _, err := c.ProcessHeader(&b.Header, b.Header.Time); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReopenKeepsFlushedHeaders(t *testing.T) {
	db := kv.NewMem()
	s, c := open(t, db)
	blocks := chaintest.Branch(t, p, &p.Genesis().Header, 30, "a")
	addHeaders(t, c, blocks)
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	_, c2 := open(t, db)
	if got, want := c2.Tip().Hash, blocks[29].Hash(); got != want {
		t.Fatalf("reopened tip %s, want %s", got, want)
	}
	if h, ok := c2.HeaderAt(15); !ok || h != blocks[14].Header {
		t.Fatal("reopened chain lost header 15")
	}
}

// A tab closed before Flush loses the unflushed headers, never consistency:
// the reopened chain ends at the last flushed tip and syncs on from there.
func TestUnflushedHeadersAreLostCleanly(t *testing.T) {
	db := kv.NewMem()
	s, c := open(t, db)
	blocks := chaintest.Branch(t, p, &p.Genesis().Header, 20, "a")
	addHeaders(t, c, blocks[:10])
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	addHeaders(t, c, blocks[10:])
	s2, c2 := open(t, db) // no Flush: the tab died
	if got := c2.Tip().Header.Height; got != 10 {
		t.Fatalf("tip height %d after a crash, want 10", got)
	}
	addHeaders(t, c2, blocks[10:])
	if err := s2.Flush(); err != nil {
		t.Fatal(err)
	}
	if _, c3 := open(t, db); c3.Tip().Hash != blocks[19].Hash() {
		t.Fatal("resync after the crash did not stick")
	}
}

func TestFailedFlushKeepsChanges(t *testing.T) {
	db := kv.NewMem()
	s, c := open(t, db)
	blocks := chaintest.Branch(t, p, &p.Genesis().Header, 5, "a")
	addHeaders(t, c, blocks)
	db.Fail = errors.New("disk full")
	if err := s.Flush(); err == nil {
		t.Fatal("Flush reported success on a failed write")
	}
	db.Fail = nil
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if _, c2 := open(t, db); c2.Tip().Hash != blocks[4].Hash() {
		t.Fatal("changes of a failed flush were lost")
	}
}

func TestReorgMovesStoredTip(t *testing.T) {
	db := kv.NewMem()
	s, c := open(t, db)
	g := &p.Genesis().Header
	a := chaintest.Branch(t, p, g, 3, "a")
	b := chaintest.Branch(t, p, g, 5, "b")
	addHeaders(t, c, a)
	addHeaders(t, c, b)
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	_, c2 := open(t, db)
	if c2.Tip().Hash != b[4].Hash() {
		t.Fatal("stored tip is not the branch with more work")
	}
	if s.Len() != 1+3+5 {
		t.Fatalf("store holds %d headers, want both branches (9)", s.Len())
	}
}

func TestBadStoredDataIsRefusedOrSkipped(t *testing.T) {
	db := kv.NewMem()
	s, c := open(t, db)
	addHeaders(t, c, chaintest.Branch(t, p, &p.Genesis().Header, 3, "a"))
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	// A header entry that does not decode is skipped, not trusted.
	db.Apply([]kv.Op{kv.Put(kv.StoreHeaders, "junk", []byte("short"))})
	if _, err := Open(db); err != nil {
		t.Fatalf("a junk header entry made Open fail: %v", err)
	}
	// A tip without its header cannot be resumed from.
	db.Apply([]kv.Op{kv.Put(kv.StoreHeaders, tipKey, make([]byte, 32))})
	if _, err := Open(db); err == nil {
		t.Fatal("Open accepted a tip with no stored header")
	}
	db.Apply([]kv.Op{kv.Put(kv.StoreHeaders, tipKey, []byte("x"))})
	if _, err := Open(db); err == nil {
		t.Fatal("Open accepted a tip of the wrong length")
	}
}

// countingDB counts the writes that reach the database.
type countingDB struct {
	*kv.Mem
	applies, ops int
}

func (d *countingDB) Apply(ops []kv.Op) error {
	d.applies++
	d.ops += len(ops)
	return d.Mem.Apply(ops)
}

// A batch of synced headers costs the page one transaction of a few writes
// (the headers in records of up to maxRecordHeaders, the tip), not a write
// per header.
func TestFlushWritesOneRecordPerBatch(t *testing.T) {
	db := &countingDB{Mem: kv.NewMem()}
	s, c := open(t, db)
	if err := s.Flush(); err != nil { // the genesis block
		t.Fatal(err)
	}
	blocks := chaintest.Branch(t, p, &p.Genesis().Header, 500, "a")
	addHeaders(t, c, blocks)
	db.applies, db.ops = 0, 0
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if db.applies != 1 || db.ops != 2 {
		t.Fatalf("flushing 500 headers took %d transactions of %d writes, want 1 of 2", db.applies, db.ops)
	}
	more := chaintest.Branch(t, p, &blocks[499].Header, 2*maxRecordHeaders+1, "a")
	addHeaders(t, c, more)
	db.applies, db.ops = 0, 0
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if db.applies != 1 || db.ops != 4 {
		t.Fatalf("flushing %d headers took %d transactions of %d writes, want 1 of 4", len(more), db.applies, db.ops)
	}
	for _, e := range must(db.All(kv.StoreHeaders)) {
		if len(e.Value) > maxRecordHeaders*chain.HeaderSize {
			t.Fatalf("a record of %d bytes", len(e.Value))
		}
	}
	if err := s.Flush(); err != nil || db.applies != 1 {
		t.Fatalf("a flush with nothing new wrote again (%d transactions, %v)", db.applies, err)
	}
	s2, c2 := open(t, db)
	if c2.Tip().Hash != more[len(more)-1].Hash() || s2.Len() != 1+500+len(more) {
		t.Fatalf("reopened: tip %s with %d headers", c2.Tip().Hash, s2.Len())
	}
}

// Pages that stored a record per header and the tip in the meta store
// (before headers were batched) open as they were, and new batches add to
// them.
func TestOpensOneHeaderRecords(t *testing.T) {
	db := kv.NewMem()
	blocks := chaintest.Branch(t, p, &p.Genesis().Header, 10, "a")
	var ops []kv.Op
	for _, h := range append([]chain.Header{p.Genesis().Header}, headersOf(blocks[:6])...) {
		enc, hash := h.Encode(), h.Hash()
		ops = append(ops, kv.Put(kv.StoreHeaders, hex.EncodeToString(hash[:]), enc[:]))
	}
	tip := blocks[5].Hash()
	ops = append(ops, kv.Put(kv.StoreMeta, tipKey, tip[:]))
	if err := db.Apply(ops); err != nil {
		t.Fatal(err)
	}
	s, c := open(t, db)
	if c.Tip().Hash != tip || s.Len() != 7 {
		t.Fatalf("old records open with tip %s and %d headers", c.Tip().Hash, s.Len())
	}
	addHeaders(t, c, blocks[6:])
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if s2, c2 := open(t, db); c2.Tip().Hash != blocks[9].Hash() || s2.Len() != 11 {
		t.Fatalf("after a batch on old records: tip %s with %d headers", c2.Tip().Hash, s2.Len())
	}
}

// A header stored twice (two records overlap) is indexed once.
func TestDuplicateStoredHeadersLoadOnce(t *testing.T) {
	db := kv.NewMem()
	s, c := open(t, db)
	blocks := chaintest.Branch(t, p, &p.Genesis().Header, 4, "a")
	addHeaders(t, c, blocks)
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	enc, hash := blocks[2].Header.Encode(), blocks[2].Hash()
	db.Apply([]kv.Op{kv.Put(kv.StoreHeaders, hex.EncodeToString(hash[:]), enc[:])})
	s2, c2 := open(t, db)
	if s2.Len() != 5 || c2.Tip().Hash != blocks[3].Hash() {
		t.Fatalf("reopened with %d headers (want 5), tip %s", s2.Len(), c2.Tip().Hash)
	}
	if h, ok := c2.HeaderAt(3); !ok || h != blocks[2].Header {
		t.Fatal("the duplicated header is missing from the chain")
	}
}

func headersOf(blocks []*chain.Block) []chain.Header {
	out := make([]chain.Header, len(blocks))
	for i, b := range blocks {
		out[i] = b.Header
	}
	return out
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// gateDB holds each Apply until the test releases it, as IndexedDB holds
// a flush until its transaction commits.
type gateDB struct {
	*kv.Mem
	entered chan struct{}
	release chan struct{}
}

func (d *gateDB) Apply(ops []kv.Op) error {
	d.entered <- struct{}{}
	<-d.release
	return d.Mem.Apply(ops)
}

// A flush started while another waits for its transaction (the page
// flushes in the background while it verifies the next batch) waits its
// turn, then stores what the first did not: nothing is lost.
func TestOverlappingFlushesLoseNothing(t *testing.T) {
	db := &gateDB{Mem: kv.NewMem(), entered: make(chan struct{}), release: make(chan struct{})}
	s, c := open(t, db)
	blocks := chaintest.Branch(t, p, &p.Genesis().Header, 20, "a")
	addHeaders(t, c, blocks[:10])
	first, second := make(chan error, 1), make(chan error, 1)
	go func() { first <- s.Flush() }()
	await(t, db.entered, "the first flush to write")
	addHeaders(t, c, blocks[10:])
	go func() { second <- s.Flush() }()
	// Give the second flush every chance to reach the database: it must
	// not before the first is done.
	for range 1000 {
		select {
		case <-db.entered:
			t.Fatal("a second flush wrote while the first was still writing")
		default:
			runtime.Gosched()
		}
	}
	db.release <- struct{}{}
	if err := await(t, first, "the first flush"); err != nil {
		t.Fatal(err)
	}
	await(t, db.entered, "the second flush to write")
	db.release <- struct{}{}
	if err := await(t, second, "the second flush"); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(db)
	if err != nil {
		t.Fatal(err)
	}
	if s2.Len() != 21 {
		t.Fatalf("reopened with %d headers, want 21", s2.Len())
	}
}

// await receives from ch, failing the test if nothing comes within a minute.
func await[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(time.Minute):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}
