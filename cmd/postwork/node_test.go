package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"postwork/chain"
	"postwork/chain/nostr"
	"postwork/chain/wire"
	"postwork/relay/store"
)

// syncBuffer is a bytes.Buffer safe for the node's logger and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var wsURL = regexp.MustCompile(`ws=(ws://\S+/ws)`)

// A node started from the command line serves a post over WebSockets, stops
// on its context (as on SIGTERM) with exit code 0, and keeps the post.
func TestNodeCommandServesAndStops(t *testing.T) {
	dir := t.TempDir()
	var stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	code := make(chan int, 1)
	go func() {
		code <- runNodeContext(ctx, []string{"--listen", "127.0.0.1:0", "--network", "test", "--data", dir}, &bytes.Buffer{}, &stderr)
	}()
	var url string
	deadline := time.Now().Add(15 * time.Second)
	for url == "" {
		if m := wsURL.FindStringSubmatch(stderr.String()); m != nil {
			url = m[1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no listening line in the log:\n%s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	sk, _ := nostr.GenerateKey()
	ev := &nostr.Event{Kind: 1, CreatedAt: time.Now().Unix(), Content: "from the command line", Tags: [][]string{}}
	if err := ev.Sign(sk); err != nil {
		t.Fatal(err)
	}
	ws.WriteMessage(websocket.TextMessage, wire.Encode(&wire.MsgEvent{Event: ev}))
	_, data, err := ws.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	m, err := wire.Parse(data)
	if ok, is := m.(*wire.MsgOK); err != nil || !is || !ok.Accepted {
		t.Fatalf("answer %s", data)
	}
	cancel()
	select {
	case c := <-code:
		if c != 0 {
			t.Fatalf("exit code %d:\n%s", c, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("node did not stop")
	}
	// The connection was closed with "going away".
	if _, _, err := ws.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseGoingAway) {
		t.Errorf("connection ended with %v, want going away", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "miner.nsec")); err != nil {
		t.Errorf("miner key not created: %v", err)
	}
	s, err := store.Open(context.Background(), store.Path(dir), chain.TestNet)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pending, err := s.LoadPending()
	if err != nil || len(pending) != 1 || pending[0].ID != ev.ID {
		t.Errorf("pending posts after stop: %d, %v", len(pending), err)
	}
}

func TestNodeCommandFlags(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--network", "moon"}, `unknown network "moon"`},
		{[]string{"--peer", "http://x"}, "ws://"},
		{[]string{"--threads", "0"}, "at least 1"},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"--trusted-proxy", "proxy.example"}, `trusted proxy "proxy.example"`},
	} {
		code, _, stderr := runCmd(t, "", append([]string{"node"}, tt.args...)...)
		if code != 2 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, code, stderr, tt.want)
		}
	}
	code, stdout, _ := runCmd(t, "", "node", "-h")
	for _, f := range []string{"--listen", "--network", "--data", "--peer", "--mine", "--threads", "--miner-key", "--min-pow", "--trusted-proxy"} {
		if !strings.Contains(stdout, "-"+strings.TrimLeft(f, "-")) {
			t.Errorf("help lacks %s", f)
		}
	}
	if code != 0 {
		t.Errorf("-h exit %d", code)
	}
}

func TestLoadMinerKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k", "miner.nsec")
	a, err := loadMinerKey(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := loadMinerKey(path)
	if err != nil || nostr.PublicKey(a) != nostr.PublicKey(b) {
		t.Fatalf("second load gave %x, %v; want the same key", b, err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v", fi.Mode().Perm())
	}
	os.WriteFile(path, []byte("nsec1garbage\n"), 0o600)
	if _, err := loadMinerKey(path); err == nil {
		t.Error("garbage key accepted")
	}
}
