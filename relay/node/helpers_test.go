package node

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/gorilla/websocket"

	"postwork/chain"
	"postwork/chain/miner"
	"postwork/chain/nostr"
	"postwork/chain/wire"
)

// testClock is a clock the test moves; nodes share one.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *testClock {
	return &testClock{t: time.Unix(chain.TestNet.GenesisTime+1000, 0)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Tick() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
}

// testNode is a node serving on a loopback port, running until the test ends.
type testNode struct {
	*Node
	t   *testing.T
	url string // ws://127.0.0.1:port/ws
}

func startNode(t *testing.T, clk *testClock, mutate ...func(*Config)) *testNode {
	t.Helper()
	cfg := Config{Params: chain.TestNet, Now: clk.Now, RedialMin: 20 * time.Millisecond, RedialMax: 200 * time.Millisecond}
	cfg.MinerKey[0] = byte(len(t.Name()))
	for _, m := range mutate {
		m(&cfg)
	}
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(n)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		n.Shutdown(sctx)
		srv.Close()
	})
	return &testNode{Node: n, t: t, url: wsURLOf(srv.URL)}
}

func newServer(n *Node) *httptest.Server { return httptest.NewServer(n.Handler()) }

func wsURLOf(httpURL string) string { return "ws" + strings.TrimPrefix(httpURL, "http") + "/ws" }

// waitFor polls cond until it holds or 15 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (n *testNode) tip() chain.Hash { return n.Chain().Tip().Hash }

// mine mines one block after moving the clock on.
func (n *testNode) mine(clk *testClock) *chain.Block {
	n.t.Helper()
	clk.Tick()
	b, err := n.MineOne(context.Background())
	if err != nil {
		n.t.Fatal(err)
	}
	return b
}

func (n *testNode) peerCount() int { return len(n.Peers()) }

// client is a WebSocket client of a node.
type client struct {
	t    *testing.T
	ws   *websocket.Conn
	msgs chan wire.Message
	end  chan error
}

func dial(t *testing.T, url string) *client {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &client{t: t, ws: ws, msgs: make(chan wire.Message, 10000), end: make(chan error, 1)}
	go func() { // exits when the connection ends
		for {
			_, data, err := ws.ReadMessage()
			if err != nil {
				c.end <- err
				close(c.msgs)
				return
			}
			m, err := wire.Parse(data)
			if err != nil {
				t.Errorf("node sent an unparsable frame %.100s: %v", data, err)
				continue
			}
			c.msgs <- m
		}
	}()
	t.Cleanup(func() { ws.Close() })
	return c
}

func (c *client) send(m wire.Message) { c.sendRaw(wire.Encode(m)) }

func (c *client) sendRaw(frame []byte) {
	c.t.Helper()
	if err := c.ws.WriteMessage(websocket.TextMessage, frame); err != nil {
		c.t.Fatal(err)
	}
}

// next returns the next message; chain verbs a node sends clients that
// said HELLO are not skipped.
func (c *client) next() wire.Message {
	c.t.Helper()
	select {
	case m, ok := <-c.msgs:
		if !ok {
			c.t.Fatalf("connection ended while waiting for a message: %v", <-c.end)
		}
		return m
	case <-time.After(15 * time.Second):
		c.t.Fatal("no message within 15s")
	}
	return nil
}

// closed waits for the connection to end and returns the close error.
func (c *client) closed() error {
	c.t.Helper()
	for {
		select {
		case _, ok := <-c.msgs:
			if !ok {
				return <-c.end
			}
		case <-time.After(15 * time.Second):
			c.t.Fatal("connection still open after 15s")
		}
	}
}

// publish sends an event and returns the OK.
func (c *client) publish(ev *nostr.Event) *wire.MsgOK {
	c.t.Helper()
	c.send(&wire.MsgEvent{Event: ev})
	for {
		if ok, is := c.next().(*wire.MsgOK); is && ok.EventID == ev.ID {
			return ok
		}
	}
}

// subscribe opens a subscription and returns once EOSE has arrived, with
// the stored events.
func (c *client) subscribe(id string, f wire.Filter) []*nostr.Event {
	c.t.Helper()
	c.send(&wire.MsgReq{SubID: id, Filters: []wire.Filter{f}})
	var stored []*nostr.Event
	for {
		switch m := c.next().(type) {
		case *wire.MsgEOSE:
			return stored
		case *wire.MsgEvent:
			stored = append(stored, m.Event)
		case *wire.MsgClosed:
			c.t.Fatalf("subscription refused: %s", m.Reason)
		}
	}
}

// waitEvent waits for an event on subscription id.
func (c *client) waitEvent(id string) *nostr.Event {
	c.t.Helper()
	for {
		if m, ok := c.next().(*wire.MsgEvent); ok && m.SubID == id {
			return m.Event
		}
	}
}

var keySeed byte

// post returns a new signed kind-1 post created at the clock's time.
func post(t testing.TB, clk *testClock, content string) *nostr.Event {
	t.Helper()
	keySeed++
	var b [32]byte
	b[0], b[31] = 0x42, keySeed
	sk, _ := btcec.PrivKeyFromBytes(b[:])
	e := &nostr.Event{Kind: 1, CreatedAt: clk.Now().Unix(), Content: content, Tags: [][]string{{"t", "postwork"}}}
	if err := e.Sign(sk); err != nil {
		t.Fatal(err)
	}
	return e
}

func searchHeader(t *testing.T, h chain.Header) (chain.Header, bool) {
	t.Helper()
	solved, ok := miner.Search(context.Background(), h, 1, nil)
	if !ok {
		t.Fatal("no nonce")
	}
	return solved, ok
}
