package store

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"postwork/chain"
	"postwork/chain/nostr"
)

// The crash test re-executes the test binary as a writer (the usual Go
// pattern): these variables tell the child where to write and which round
// it is.
const (
	crashPathEnv  = "POSTWORK_STORE_CRASH_PATH"
	crashRoundEnv = "POSTWORK_STORE_CRASH_ROUND"
)

const crashRounds = 8

// TestCrashSafety kills a writer with SIGKILL at random moments while it
// saves posts, connects blocks and reorganises, then reopens the file and
// checks that it is intact and that everything the writer reported done is
// there.
func TestCrashSafety(t *testing.T) {
	if path := os.Getenv(crashPathEnv); path != "" {
		round, _ := strconv.Atoi(os.Getenv(crashRoundEnv))
		crashWriter(t, path, round)
		return
	}
	path := tempPath(t)
	rng := rand.New(rand.NewPCG(42, 7))
	saved := map[[32]byte]bool{}    // posts reported saved and not being removed
	connected := map[[32]byte]int{} // blocks reported connected, by height
	lastTip := -1                   // height of the last reported tip
	for round := range crashRounds {
		killAfter := 5 + rng.IntN(60) // operations begun
		delay := time.Duration(rng.IntN(50_000)) * time.Microsecond
		lines, killed := runCrashWriter(t, path, round, killAfter, delay)
		if !killed {
			t.Fatalf("round %d: writer ended by itself:\n%s", round, strings.Join(lines, "\n"))
		}
		for _, l := range lines {
			f := strings.Fields(l)
			if len(f) < 2 || f[0] == "begin" {
				continue
			}
			id := mustHash(t, f[1])
			switch f[0] {
			case "post":
				saved[id] = true
			case "unposting": // from now on it may be gone, reported or not
				delete(saved, id)
			case "connected":
				h, _ := strconv.Atoi(f[2])
				connected[id] = h
				lastTip = h
			}
		}
		checkCrashedStore(t, round, path, saved, connected, lastTip)
	}
	if len(saved) < 20 || len(connected) < 10 {
		t.Fatalf("test setup: only %d posts and %d blocks reported in %d rounds", len(saved), len(connected), crashRounds)
	}
}

func mustHash(t *testing.T, s string) [32]byte {
	t.Helper()
	var h [32]byte
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		t.Fatalf("writer reported a bad id %q", s)
	}
	copy(h[:], b)
	return h
}

// runCrashWriter starts a writer on path, kills it (SIGKILL) delay after it
// began its killAfter-th operation (so the kill lands at varying points of
// that operation's work), and returns every line it reported.
func runCrashWriter(t *testing.T, path string, round, killAfter int, delay time.Duration) (lines []string, killed bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashSafety$", "-test.timeout=10m")
	cmd.Env = append(os.Environ(), crashPathEnv+"="+path, crashRoundEnv+"="+strconv.Itoa(round))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	begun := 0
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if strings.HasPrefix(sc.Text(), "begin ") {
			begun++
		}
		if begun == killAfter && !killed {
			time.Sleep(delay)
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	// Lines written before the kill are still read: the pipe keeps them.
	err = cmd.Wait()
	if !killed {
		t.Fatalf("round %d: writer exited (%v) after %d lines:\n%s\n%s", round, err, len(lines), strings.Join(lines, "\n"), stderr.String())
	}
	return lines, killed
}

// checkCrashedStore reopens a killed writer's file and checks it.
func checkCrashedStore(t *testing.T, round int, path string, saved map[[32]byte]bool, connected map[[32]byte]int, lastTip int) {
	t.Helper()
	ctx := context.Background()
	db := rawDB(t, path)
	var integrity string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&integrity); err != nil || integrity != "ok" {
		t.Fatalf("round %d: integrity check: %q %v", round, integrity, err)
	}
	if rows, err := db.Query("PRAGMA foreign_key_check"); err != nil {
		t.Fatal(err)
	} else {
		if rows.Next() {
			t.Fatalf("round %d: foreign key violations", round)
		}
		rows.Close()
	}
	db.Close()

	s, err := Open(ctx, path, chain.TestNet)
	if err != nil {
		t.Fatalf("round %d: reopen: %v", round, err)
	}
	defer s.Close()

	// Every post row, with the block confirming it: read in one query, as
	// a per-post lookup under the race detector would take most of the
	// test's time.
	type place struct {
		block chain.Hash
		idx   int
	}
	stored := map[[32]byte]*place{}
	db = rawDB(t, path)
	rows, err := db.Query("SELECT p.id, b.hash, p.idx FROM posts p LEFT JOIN blocks b ON b.id = p.block")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, hash []byte
		var idx *int
		if err := rows.Scan(&id, &hash, &idx); err != nil {
			t.Fatal(err)
		}
		var pl *place
		if idx != nil {
			pl = &place{block: chain.Hash(hash), idx: *idx}
		}
		stored[[32]byte(id)] = pl
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	db.Close()

	// The stored best chain: the tip is connected and so is every ancestor,
	// each block at its height, and their posts are confirmed where they are.
	tipHash, err := s.Tip()
	if err != nil {
		t.Fatalf("round %d: tip: %v", round, err)
	}
	tip, err := s.Block(tipHash)
	if err != nil {
		t.Fatalf("round %d: tip block: %v", round, err)
	}
	var prev chain.Hash
	var events int64
	for h := uint64(0); h <= tip.Header.Height; h++ {
		hash, err := s.BlockHashAt(ctx, h)
		if err != nil {
			t.Fatalf("round %d: tip at %d, but no connected block at %d: %v", round, tip.Header.Height, h, err)
		}
		b, err := s.Block(hash)
		if err != nil {
			t.Fatalf("round %d: connected block %d: %v", round, h, err)
		}
		if h == 0 && hash != chain.TestNet.GenesisHash() || h > 0 && b.Header.Prev != prev {
			t.Fatalf("round %d: connected block %d does not follow block %d", round, h, h-1)
		}
		for i, e := range b.Events {
			if pl := stored[e.ID]; pl == nil || *pl != (place{hash, i}) {
				t.Fatalf("round %d: post %d of block %d: stored at %v, want confirmed there", round, i, h, pl)
			}
		}
		events += int64(len(b.Events))
		prev = hash
	}
	if _, err := s.BlockHashAt(ctx, tip.Header.Height+1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("round %d: a connected block above the tip: %v", round, err)
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.ConfirmedPosts != events || st.Blocks != int64(tip.Header.Height)+1 {
		t.Fatalf("round %d: stats %+v; the best chain has %d blocks and %d posts", round, st, tip.Header.Height+1, events)
	}
	if _, err := s.LoadPending(); err != nil {
		t.Fatalf("round %d: pending posts: %v", round, err)
	}

	for id := range saved {
		if _, ok := stored[id]; !ok {
			t.Fatalf("round %d: post %x reported saved is not stored", round, id)
		}
	}
	for hash, h := range connected {
		b, err := s.Block(hash)
		if err != nil || b.Header.Height != uint64(h) {
			t.Fatalf("round %d: block %s reported connected at %d: %v", round, hash, h, err)
		}
	}

	// The chain resumes, finishing a reorganisation the kill interrupted,
	// and gets at least as far as the writer reported (all blocks carry the
	// same target, so height measures work).
	c, err := chain.New(chain.TestNet, s, chain.Config{})
	if err != nil {
		t.Fatalf("round %d: chain on the reopened store: %v", round, err)
	}
	if got := int(c.Tip().Header.Height); got < lastTip {
		t.Fatalf("round %d: resumed at height %d, the writer had reported %d", round, got, lastTip)
	}
	t.Logf("round %d: tip %d (stored tip was %d), %d posts confirmed, %d pending, %d blocks stored",
		round, c.Tip().Header.Height, tip.Header.Height, st.ConfirmedPosts, st.PendingPosts, st.StoredBlocks)
}

// crashWriter is the child: it works on the store until it is killed,
// printing a line after each operation returned (never before):
//
//	begin <what>                an operation starts (kills aim at these)
//	post <id>                   SavePending returned
//	unposting <id>              RemovePending is about to run
//	connected <hash> <height>   the block is in the best chain
//
// It starts as a node does (chain.New finishes what the last kill
// interrupted), then makes the store calls chain.Chain makes, in the same
// order, without the chain's signature checks: signing and verifying under
// the race detector cost milliseconds a post, and the store never looks at
// signatures. So its posts carry random signatures, which lets blocks of a
// hundred posts (long transactions, for kills to land in) cost little.
func crashWriter(t *testing.T, path string, round int) {
	p := chain.TestNet
	s, err := Open(context.Background(), path, p)
	if err != nil {
		t.Fatal(err)
	}
	c, err := chain.New(p, s, chain.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var main []*chain.Block // the best chain, main[h] at height h
	for h := uint64(0); h <= c.Tip().Header.Height; h++ {
		hd, _ := c.HeaderAt(h)
		b, err := s.Block(hd.Hash())
		if err != nil {
			t.Fatal(err)
		}
		main = append(main, b)
	}
	rng := rand.New(rand.NewPCG(uint64(round), 99))
	pending, err := s.LoadPending()
	if err != nil {
		t.Fatal(err)
	}
	pool := map[[32]byte]*nostr.Event{}
	for _, e := range pending {
		pool[e.ID] = e
	}
	report := func(format string, a ...any) {
		if _, err := fmt.Fprintf(os.Stdout, format+"\n", a...); err != nil {
			t.Fatal(err)
		}
	}
	// take removes n posts from the pool, lowest ids first, so a round
	// makes the same choices every time.
	take := func(n int) []*nostr.Event {
		ids := slices.SortedFunc(maps.Keys(pool), func(a, b [32]byte) int { return bytes.Compare(a[:], b[:]) })
		var out []*nostr.Event
		for _, id := range ids[:min(n, len(ids))] {
			out = append(out, pool[id])
			delete(pool, id)
		}
		return out
	}
	pubkeys := make([][32]byte, 20)
	for i := range pubkeys {
		pubkeys[i] = nostr.PublicKey(testKey(byte(i + 1)))
	}
	fakePost := func(content string) *nostr.Event {
		e := &nostr.Event{PubKey: pubkeys[rng.IntN(len(pubkeys))], CreatedAt: p.GenesisTime, Kind: 1,
			Tags: [][]string{{"t", content[:2]}}, Content: content}
		e.ID = e.ComputeID()
		for i := range e.Sig {
			e.Sig[i] = byte(rng.Uint32())
		}
		return e
	}
	connect := func(b *chain.Block) {
		if err := s.ConnectBlock(b); err != nil {
			t.Fatal(err)
		}
		main = append(main, b)
		for _, e := range b.Events {
			delete(pool, e.ID)
		}
		report("connected %s %d", b.Hash(), b.Header.Height)
	}
	for n := 0; ; n++ {
		extra := fmt.Sprintf("r%d-%d", round, n)
		tip := main[len(main)-1]
		switch op := rng.IntN(12); {
		case op < 6:
			e := fakePost("post " + extra)
			report("begin post")
			if err := s.SavePending(e, time.Unix(p.GenesisTime+int64(n), 0)); err != nil {
				t.Fatal(err)
			}
			pool[e.ID] = e
			report("post %x", e.ID)
		case op < 9:
			// Pending posts and posts the node never saw alone (as when a
			// peer sends a block).
			evs := take(rng.IntN(6))
			for i := range rng.IntN(80) {
				evs = append(evs, fakePost(fmt.Sprintf("synced %s-%d", extra, i)))
			}
			b := child(t, p, &tip.Header, byte(1+rng.IntN(3)), extra, evs...)
			report("begin block")
			if err := s.PutBlock(b); err != nil {
				t.Fatal(err)
			}
			connect(b)
		case op < 11:
			// A longer branch from a few blocks back, as chain.Chain
			// reorganises: store the branch as it arrives, disconnect the
			// old blocks tip first, connect the new ones; posts move from
			// the old blocks to the new ones.
			if len(main) == 1 {
				continue
			}
			k := 1 + rng.IntN(min(len(main)-1, 3))
			parent := main[len(main)-1-k].Header
			var moved []*nostr.Event
			for _, b := range main[len(main)-k:] {
				moved = append(moved, b.Events...)
			}
			var fork []*chain.Block
			for i := range k + 1 {
				var evs []*nostr.Event
				if i == k {
					evs = append(moved, take(2)...)
				}
				b := child(t, p, &parent, 4, fmt.Sprintf("%s-fork%d", extra, i), evs...)
				fork = append(fork, b)
				parent = b.Header
			}
			report("begin reorg")
			for _, b := range fork {
				if err := s.PutBlock(b); err != nil {
					t.Fatal(err)
				}
			}
			for range k {
				old := main[len(main)-1]
				if err := s.DisconnectBlock(old); err != nil {
					t.Fatal(err)
				}
				main = main[:len(main)-1]
				for _, e := range old.Events {
					pool[e.ID] = e
				}
			}
			for _, b := range fork {
				connect(b)
			}
		default:
			victims := take(1 + rng.IntN(2))
			report("begin unpost")
			var ids [][32]byte
			for _, e := range victims {
				report("unposting %x", e.ID)
				ids = append(ids, e.ID)
			}
			if err := s.RemovePending(ids); err != nil {
				t.Fatal(err)
			}
		}
	}
}
