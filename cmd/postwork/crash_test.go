package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"postwork/chain"
	"postwork/chain/nostr"
	"postwork/chain/pow"
	"postwork/chain/wire"
	"postwork/relay/store"
)

// TestKillNineNode kills a real `postwork node` process with SIGKILL at
// seeded random moments while it mines and accepts posts, restarts it on the
// same data directory, and checks after each round that no post it answered
// OK to and no block it had connected is lost, that the stored chain passes
// `postwork chain verify`, and that the node resumes (its chain grows again).
func TestKillNineNode(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(7, 11))
	sk, _ := nostr.GenerateKey()
	acked := map[[32]byte]bool{}
	var lastHeight uint64
	for round := range 5 {
		child, url := startCrashChild(t, dir)
		ws, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			t.Fatal(err)
		}
		// Everything acknowledged before the crash must be there after it.
		checkDurable(t, dir, acked, lastHeight, false)
		killAt := time.Now().Add(time.Duration(100+rng.IntN(700)) * time.Millisecond)
		for i := 0; time.Now().Before(killAt); i++ {
			ev := &nostr.Event{Kind: 1, CreatedAt: time.Now().Unix(), Tags: [][]string{},
				Content: fmt.Sprintf("round %d post %d", round, i)}
			if err := ev.Sign(sk); err != nil {
				t.Fatal(err)
			}
			ws.WriteMessage(websocket.TextMessage, wire.Encode(&wire.MsgEvent{Event: ev}))
			_, data, err := ws.ReadMessage()
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			if m, err := wire.Parse(data); err == nil {
				if ok, is := m.(*wire.MsgOK); is && ok.Accepted {
					acked[ev.ID] = true
				} else if is && strings.HasPrefix(ok.Reason, wire.PrefixRateLimited+":") {
					// Past the burst the node takes 20 posts/s from a
					// client and scores each refusal; a client that keeps
					// pushing is banned (and this loop would fail on
					// the closed connection). Back off as clients do.
					time.Sleep(100 * time.Millisecond)
				}
			}
		}
		h := tipHeight(t, url)
		child.Process.Signal(syscall.SIGKILL)
		child.Wait()
		ws.Close()
		if h > lastHeight {
			lastHeight = h
		}
		t.Logf("round %d: killed at height %d with %d posts acknowledged", round, h, len(acked))
	}
	checkDurable(t, dir, acked, lastHeight, true)
}

// TestMain turns the test binary into the node process TestKillNineNode
// starts and kills, when it is started with POSTWORK_CRASH_CHILD set.
func TestMain(m *testing.M) {
	if dir := os.Getenv("POSTWORK_CRASH_CHILD"); dir != "" {
		os.Exit(run([]string{"node", "--listen", "127.0.0.1:0", "--network", "test", "--data", dir, "--mine", "--threads", "1", "--min-pow", "0"}, nil, io.Discard, os.Stderr))
	}
	os.Exit(m.Run())
}

// startCrashChild starts the node in a child process and returns its
// WebSocket URL once it listens.
func startCrashChild(t *testing.T, dir string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "POSTWORK_CRASH_CHILD="+dir)
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := wsURL.FindStringSubmatch(stderr.String()); m != nil {
			return cmd, m[1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("child node did not listen:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// tipHeight asks the node for its tip over the relay's HELLO exchange.
func tipHeight(t *testing.T, url string) uint64 {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	g := chain.TestNet.Genesis()
	ws.WriteMessage(websocket.TextMessage, wire.Encode(&wire.MsgHello{Network: "test", Genesis: g.Hash(), Tip: g.Hash(), Work: pow.CalcWork(g.Header.Bits), Agent: "crash-test", Version: wire.ProtocolVersion}))
	for {
		ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, data, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("no HELLO answer: %v", err)
		}
		if m, err := wire.Parse(data); err == nil {
			if h, ok := m.(*wire.MsgHello); ok {
				return h.Height
			}
		}
	}
}

var storeMu sync.Mutex

// checkDurable opens the store (read side; the node may be running) and
// checks that every acknowledged post is stored, pending or confirmed, and
// that the best chain reaches at least minHeight. With verify, the node is
// stopped and the whole chain is re-validated as `postwork chain verify` does.
func checkDurable(t *testing.T, dir string, acked map[[32]byte]bool, minHeight uint64, verify bool) {
	t.Helper()
	storeMu.Lock()
	defer storeMu.Unlock()
	ctx := context.Background()
	s, err := store.Open(ctx, store.Path(dir), chain.TestNet)
	if err != nil {
		t.Fatal(err)
	}
	for id := range acked {
		if _, err := s.Post(ctx, id); err != nil {
			t.Errorf("acknowledged post %x lost: %v", id, err)
		}
	}
	tip, err := s.Tip()
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Block(tip)
	if err != nil {
		t.Fatal(err)
	}
	if b.Header.Height < minHeight {
		t.Errorf("tip height %d after restart, had reached %d", b.Header.Height, minHeight)
	}
	s.Close()
	if !verify {
		return
	}
	var out, errb bytes.Buffer
	if code := run([]string{"chain", "verify", "--data", dir, "--network", "test"}, nil, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "ok: ") {
		t.Fatalf("chain verify exit %d:\n%s%s", code, out.String(), errb.String())
	}
	t.Log(strings.TrimSpace(out.String()))
}
