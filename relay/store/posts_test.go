package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"postwork/chain"
	"postwork/chain/nostr"
)

func TestPendingSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	path := tempPath(t)
	s := openStore(t, path)
	t0 := time.Unix(chain.TestNet.GenesisTime, 0)
	var evs []*nostr.Event
	for i := range 5 {
		e := post(t, byte(10+i), 1, fmt.Sprintf("post %d", i), t0.Unix(), []string{"t", "hello"})
		evs = append(evs, e)
		// Received in reverse order of creation: LoadPending follows arrival.
		if err := s.SavePending(e, t0.Add(time.Duration(10-i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	// Saving a post again changes nothing.
	if err := s.SavePending(evs[0], t0); err != nil {
		t.Fatal(err)
	}
	if err := s.RemovePending([][32]byte{evs[1].ID, {9, 9, 9}}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s2 := openStore(t, path)
	got, err := s2.LoadPending()
	if err != nil {
		t.Fatal(err)
	}
	want := []*nostr.Event{evs[4], evs[3], evs[2], evs[0]}
	if len(got) != len(want) {
		t.Fatalf("loaded %d pending posts, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].ID != want[i].ID || got[i].Sig != want[i].Sig || got[i].Content != want[i].Content {
			t.Fatalf("pending post %d is %x, want %x as saved", i, got[i].ID, want[i].ID)
		}
		if err := got[i].Verify(); err != nil {
			t.Fatalf("pending post %d does not verify after the round trip: %v", i, err)
		}
	}
	if _, err := s2.Post(ctx, evs[1].ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("removed post: %v, want ErrNotFound", err)
	}
	// The removed post's tags went with it.
	recs, err := s2.QueryPosts(ctx, PostQuery{Tags: map[string][]string{"t": {"hello"}}})
	if err != nil || len(recs) != 4 {
		t.Fatalf("tag query after removal: %d posts (err %v), want 4", len(recs), err)
	}
}

func TestSavePendingRefusesBadEvents(t *testing.T) {
	s := openStore(t, tempPath(t))
	good := post(t, 2, 1, "good", 1000)
	if err := s.SavePending(good, time.Unix(1000, 0)); err != nil {
		t.Fatal(err)
	}
	tampered := *good
	tampered.Content = "tampered"
	if err := s.SavePending(&tampered, time.Unix(1000, 0)); !errors.Is(err, nostr.ErrBadID) {
		t.Fatalf("event whose id is not its hash: %v, want ErrBadID", err)
	}
	big := post(t, 2, 1, "x", 1000)
	big.Kind = nostr.MaxKind + 1
	if err := s.SavePending(big, time.Unix(1000, 0)); !errors.Is(err, nostr.ErrMalformed) {
		t.Fatalf("event out of limits: %v, want ErrMalformed", err)
	}
	if err := s.SavePending(nil, time.Unix(1000, 0)); err == nil {
		t.Fatal("nil event saved")
	}
	got, err := s.LoadPending()
	if err != nil || len(got) != 1 || got[0].ID != good.ID {
		t.Fatalf("after refusals %d pending (err %v), want the good one only", len(got), err)
	}
}

// Concurrent saves share commits; every one of them is stored and each
// caller learns the outcome of its own post.
func TestSavePendingConcurrent(t *testing.T) {
	path := tempPath(t)
	s := openStore(t, path)
	const writers, each = 8, 25
	evs := make([][]*nostr.Event, writers)
	for w := range writers {
		for i := range each {
			evs[w] = append(evs[w], post(t, byte(w+1), 1, fmt.Sprintf("w%d p%d", w, i), 1000+int64(i)))
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for _, e := range evs[w] {
				errs <- s.SavePending(e, time.Unix(2000, 0))
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	got, err := openStore(t, path).LoadPending()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != writers*each {
		t.Fatalf("%d posts stored, want %d", len(got), writers*each)
	}
}

func TestSaveAfterClose(t *testing.T) {
	s := openStore(t, tempPath(t))
	s.Close()
	if err := s.SavePending(post(t, 2, 1, "late", 1000), time.Now()); !errors.Is(err, ErrClosed) {
		t.Fatalf("save after close: %v, want ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
}

// A block may carry a pending post with another valid signature (BIP-340
// signing is randomised). The confirmed record must be the block's copy, the
// one its Merkle proof commits to.
func TestConfirmTakesTheBlocksSignature(t *testing.T) {
	ctx := context.Background()
	p := chain.TestNet
	s := openStore(t, tempPath(t))
	c := newChain(t, s)
	g := p.Genesis().Header
	mine := post(t, 2, 1, "signed twice", g.Time)
	theirs := *mine
	if err := theirs.Sign(testKey(2)); err != nil {
		t.Fatal(err)
	}
	if theirs.ID != mine.ID || theirs.Sig == mine.Sig {
		t.Fatal("test setup: want the same id with another signature")
	}
	if err := s.SavePending(mine, time.Unix(g.Time, 0)); err != nil {
		t.Fatal(err)
	}
	b1 := child(t, p, &g, 1, "", &theirs)
	mustProcess(t, c, b1)
	rec, err := s.Post(ctx, mine.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !rec.Confirmed || rec.Event.Sig != theirs.Sig {
		t.Fatal("confirmed post keeps the pending copy's signature, not the block's")
	}
	proof, err := b1.ProveEvent(rec.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := chain.VerifyEventProof(&b1.Header, rec.Event, rec.Index+1, len(b1.Events)+1, proof); err != nil {
		t.Fatalf("stored post does not match its inclusion proof: %v", err)
	}
	// Removing pending posts never touches a confirmed one.
	if err := s.RemovePending([][32]byte{mine.ID}); err != nil {
		t.Fatal(err)
	}
	if rec, err := s.Post(ctx, mine.ID); err != nil || !rec.Confirmed {
		t.Fatalf("RemovePending dropped a confirmed post: %+v %v", rec, err)
	}
}

// Stored bytes are not trusted: a damaged row is an ErrCorrupt error, not a
// panic and not a wrong post.
func TestCorruptRowsAreErrors(t *testing.T) {
	ctx := context.Background()
	p := chain.TestNet
	path := tempPath(t)
	s := openStore(t, path)
	c := newChain(t, s)
	g := p.Genesis().Header
	e := post(t, 2, 1, "will be damaged", g.Time)
	other := post(t, 3, 1, "fine", g.Time)
	b1 := child(t, p, &g, 1, "", e)
	mustProcess(t, c, b1)
	if err := s.SavePending(other, time.Unix(g.Time, 0)); err != nil {
		t.Fatal(err)
	}

	db := rawDB(t, path)
	for _, q := range []string{
		"UPDATE posts SET event = substr(event, 1, 50) WHERE id = ?",                      // truncated
		"UPDATE posts SET event = event || x'00' WHERE id = ?",                            // trailing byte
		"UPDATE posts SET event = (SELECT event FROM posts WHERE id != ?1) WHERE id = ?1", // another post's bytes
	} {
		if _, err := db.Exec("UPDATE posts SET event = ? WHERE id = ?", appendBinary(e), e.ID[:]); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(q, e.ID[:]); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Post(ctx, e.ID); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("%s: Post gives %v, want ErrCorrupt", q, err)
		}
		if _, err := s.QueryPosts(ctx, PostQuery{}); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("%s: QueryPosts gives %v, want ErrCorrupt", q, err)
		}
	}
	if _, err := db.Exec("UPDATE bodies SET data = substr(data, 1, length(data) - 1)"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Block(b1.Hash()); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("truncated body: %v, want ErrCorrupt", err)
	}
	if _, err := db.Exec("UPDATE blocks SET header = zeroblob(96) WHERE height = 1"); err != nil {
		t.Fatal(err)
	}
	if err := s.ForEachHeader(func(*chain.Header, bool) error { return nil }); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("damaged header: %v, want ErrCorrupt", err)
	}
}

func appendBinary(e *nostr.Event) []byte { return e.AppendBinary(nil) }

// rawDB opens the store file directly, as a disk fault would reach it.
func rawDB(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// ConnectBlock itself refuses a block repeating a post another connected
// block confirmed (the chain checks first; the store does not rely on it),
// and the refused connect leaves nothing behind: the tip, the post's block
// and the new post of the refused block are as before.
func TestConnectRefusesConfirmedPost(t *testing.T) {
	ctx := context.Background()
	p := chain.TestNet
	s := openStore(t, tempPath(t))
	c := newChain(t, s)
	g := p.Genesis().Header
	first := post(t, 2, 1, "confirmed once", g.Time)
	b1 := child(t, p, &g, 1, "", first)
	mustProcess(t, c, b1)
	fresh := post(t, 3, 1, "new in the refused block", g.Time)
	again := child(t, p, &b1.Header, 1, "", fresh, first)
	if err := s.PutBlock(again); err != nil {
		t.Fatal(err)
	}
	err := s.ConnectBlock(again)
	if err == nil || !strings.Contains(err.Error(), "already confirmed") {
		t.Fatalf("connect repeating a confirmed post: %v, want already confirmed", err)
	}
	if tip, err := s.Tip(); err != nil || tip != b1.Hash() {
		t.Fatalf("tip %s (%v), want block 1", tip, err)
	}
	if rec, err := s.Post(ctx, first.ID); err != nil || rec.BlockHash != b1.Hash() || rec.Index != 0 {
		t.Fatalf("repeated post: %+v (%v), want confirmed in block 1", rec, err)
	}
	if _, err := s.Post(ctx, fresh.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("post of the refused block: %v, want ErrNotFound", err)
	}
}
