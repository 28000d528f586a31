package ws

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/gorilla/websocket"

	"postwork/chain/nostr"
	"postwork/chain/wire"
	"postwork/relay"
)

// memBackend keeps events in memory; submit can be held with gate.
type memBackend struct {
	mu     sync.Mutex
	events []*nostr.Event
	gate   chan struct{} // if set, SubmitEvent waits for it
	inside chan struct{} // if set, SubmitEvent signals it on entry
}

func (b *memBackend) SubmitEvent(ctx context.Context, _ *relay.Client, ev *nostr.Event) error {
	if b.inside != nil {
		b.inside <- struct{}{}
	}
	if b.gate != nil {
		<-b.gate
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.events = append(b.events, ev)
	return nil
}

func (b *memBackend) QueryEvents(ctx context.Context, f *wire.Filter) ([]*nostr.Event, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []*nostr.Event
	for _, ev := range b.events {
		if f.Match(ev) {
			out = append(out, ev)
		}
	}
	return out, nil
}

func (b *memBackend) HandleChain(ctx context.Context, c *relay.Client, m wire.Message) error {
	if h, ok := m.(*wire.MsgHello); ok && h.Network != "test" {
		return relay.Rejectf(wire.PrefixInvalid, "wrong network %q", h.Network)
	}
	return nil
}

type testServer struct {
	*httptest.Server
	ws    *Server
	relay *relay.Relay
	b     *memBackend
	url   string
}

func newTestServer(t *testing.T, opts Options) *testServer {
	t.Helper()
	b := &memBackend{}
	r := relay.New(b, relay.Options{})
	s := New(r, opts)
	mux := http.NewServeMux()
	mux.Handle("/ws", s)
	info := &relay.Info{SupportedNIPs: []int{1, 11, 13}, Software: "postwork", Version: "test", Limitation: relay.Limitation{MinPowDifficulty: 8, MaxMessageLength: wire.MaxMessageSize}}
	s.SetInfo(info)
	mux.Handle("/", InfoHandler(info, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "the page")
	})))
	hs := httptest.NewServer(mux)
	ts := &testServer{Server: hs, ws: s, relay: r, b: b, url: "ws" + strings.TrimPrefix(hs.URL, "http") + "/ws"}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Shutdown(ctx)
		hs.Close()
	})
	return ts
}

// client is a test WebSocket client with a reader goroutine that exits when
// the connection ends.
type client struct {
	t    *testing.T
	ws   *websocket.Conn
	msgs chan wire.Message
	end  chan error // the read error that ended the connection
}

func dial(t *testing.T, url string) *client {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &client{t: t, ws: ws, msgs: make(chan wire.Message, 1000), end: make(chan error, 1)}
	go func() {
		for {
			_, data, err := ws.ReadMessage()
			if err != nil {
				c.end <- err
				close(c.msgs)
				return
			}
			m, err := wire.Parse(data)
			if err != nil {
				t.Errorf("relay sent an unparsable frame %.100s: %v", data, err)
				continue
			}
			c.msgs <- m
		}
	}()
	t.Cleanup(func() { ws.Close() })
	return c
}

func (c *client) send(m wire.Message) {
	c.t.Helper()
	if err := c.ws.WriteMessage(websocket.TextMessage, wire.Encode(m)); err != nil {
		c.t.Fatal(err)
	}
}

func (c *client) next() wire.Message {
	c.t.Helper()
	select {
	case m, ok := <-c.msgs:
		if !ok {
			c.t.Fatal("connection ended while waiting for a message")
		}
		return m
	case <-time.After(10 * time.Second):
		c.t.Fatal("no message within 10s")
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
		case <-time.After(10 * time.Second):
			c.t.Fatal("connection still open after 10s")
		}
	}
}

func signedPost(t testing.TB, content string) *nostr.Event {
	var b [32]byte
	b[0], b[31] = 0x42, 1
	sk, _ := btcec.PrivKeyFromBytes(b[:])
	e := &nostr.Event{Kind: 1, CreatedAt: time.Now().Unix(), Content: content, Tags: [][]string{}}
	if err := e.Sign(sk); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestPublishSubscribeOverWebSocket(t *testing.T) {
	ts := newTestServer(t, Options{})
	reader := dial(t, ts.url)
	reader.send(&wire.MsgReq{SubID: "s", Filters: []wire.Filter{{Kinds: []int{1}}}})
	if _, ok := reader.next().(*wire.MsgEOSE); !ok {
		t.Fatal("no EOSE")
	}
	author := dial(t, ts.url)
	ev := signedPost(t, "over the wire")
	author.send(&wire.MsgEvent{Event: ev})
	if ok := author.next().(*wire.MsgOK); !ok.Accepted {
		t.Fatalf("OK %+v", ok)
	}
	if got := reader.next().(*wire.MsgEvent); got.Event.ID != ev.ID || got.SubID != "s" {
		t.Errorf("reader got %+v", got)
	}
}

func TestInfoDocument(t *testing.T) {
	ts := newTestServer(t, Options{})
	for _, path := range []string{"/", "/ws"} {
		req, _ := http.NewRequest("GET", ts.URL+path, nil)
		req.Header.Set("Accept", "text/html, application/nostr+json;q=0.9")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		err = json.NewDecoder(resp.Body).Decode(&doc)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/nostr+json" {
			t.Errorf("%s: content type %q", path, ct)
		}
		if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s: no CORS header", path)
		}
		lim, _ := doc["limitation"].(map[string]any)
		if doc["software"] != "postwork" || lim["min_pow_difficulty"] != float64(8) {
			t.Errorf("%s: document %v", path, doc)
		}
		if nips, _ := doc["supported_nips"].([]any); len(nips) != 3 {
			t.Errorf("%s: supported_nips %v", path, doc["supported_nips"])
		}
	}
	// Without the Accept header, the page behind it answers.
	resp, err := http.Get(ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "the page" {
		t.Errorf("plain GET / answered %q", body)
	}
	// A CORS preflight.
	req, _ := http.NewRequest("OPTIONS", ts.URL+"/", nil)
	req.Header.Set("Access-Control-Request-Method", "GET")
	req.Header.Set("Origin", "https://example.org")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("preflight answered %d %v", resp.StatusCode, resp.Header)
	}
}

func TestReadLimitBeforeAndAfterHello(t *testing.T) {
	ts := newTestServer(t, Options{ReadLimit: 4096})
	bystander := dial(t, ts.url)
	bystander.send(&wire.MsgReq{SubID: "s", Filters: []wire.Filter{{}}})
	bystander.next() // EOSE

	// A REQ of 100 ids: over 4096 bytes, well within REQ's own limit.
	ids := make([][32]byte, 100)
	big := string(wire.Encode(&wire.MsgReq{SubID: "big", Filters: []wire.Filter{{IDs: ids}}}))
	c := dial(t, ts.url)
	c.ws.WriteMessage(websocket.TextMessage, []byte(big))
	err := c.closed()
	if !websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
		t.Errorf("oversize frame ended the connection with %v, want close 1009", err)
	}

	peer := dial(t, ts.url)
	peer.send(&wire.MsgHello{Network: "test", Version: wire.ProtocolVersion})
	peer.ws.WriteMessage(websocket.TextMessage, []byte(big))
	if eose, ok := peer.next().(*wire.MsgEOSE); !ok || eose.SubID != "big" {
		t.Fatalf("peer's big REQ answered %+v", eose)
	}
	peer.send(&wire.MsgEvent{Event: signedPost(t, "after a big frame")})
	if ok := peer.next().(*wire.MsgOK); !ok.Accepted {
		t.Errorf("peer after a big frame: %+v", ok)
	}
	// The bystander was served throughout.
	if ev := bystander.next().(*wire.MsgEvent); ev.Event.Content != "after a big frame" {
		t.Errorf("bystander got %q", ev.Event.Content)
	}
}

func TestWrongNetworkHelloClosed(t *testing.T) {
	ts := newTestServer(t, Options{})
	c := dial(t, ts.url)
	c.send(&wire.MsgHello{Network: "main", Version: wire.ProtocolVersion})
	n, ok := c.next().(*wire.MsgNotice)
	if !ok || !strings.Contains(n.Message, "wrong network") {
		t.Errorf("got %+v, want a NOTICE naming the network", n)
	}
	err := c.closed()
	var ce *websocket.CloseError
	if !asCloseError(err, &ce) || ce.Code != websocket.ClosePolicyViolation || !strings.Contains(ce.Text, "wrong network") {
		t.Errorf("closed with %v, want 1008 and the reason", err)
	}
}

func asCloseError(err error, ce **websocket.CloseError) bool {
	e, ok := err.(*websocket.CloseError)
	*ce = e
	return ok
}

func TestSlowConsumerDropped(t *testing.T) {
	ts := newTestServer(t, Options{MaxQueue: 1 << 20})
	var mu sync.Mutex
	var slow *relay.Client
	ts.relay.OnConnect = append(ts.relay.OnConnect, func(c *relay.Client) {
		mu.Lock()
		defer mu.Unlock()
		if slow == nil {
			slow = c
		}
	})
	ws, _, err := websocket.DefaultDialer.Dial(ts.url, nil) // never reads
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	var c *relay.Client
	deadline := time.Now().Add(10 * time.Second)
	for c == nil {
		mu.Lock()
		c = slow
		mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatal("the core never saw the connection")
		}
		time.Sleep(time.Millisecond)
	}
	frame := []byte(`["NOTICE","` + strings.Repeat("x", 60000) + `"]`)
	dropped := false
	for i := 0; i < 100000; i++ {
		if !c.SendFrame(frame) {
			dropped = true
			break
		}
	}
	if !dropped {
		t.Fatal("queue never filled for a client that does not read")
	}
	select {
	case <-c.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("slow connection not dropped")
	}
	// Others are served.
	other := dial(t, ts.url)
	other.send(&wire.MsgReq{SubID: "s", Filters: []wire.Filter{{}}})
	if _, ok := other.next().(*wire.MsgEOSE); !ok {
		t.Error("no EOSE for another client")
	}
}

func TestSilentConnectionTimesOut(t *testing.T) {
	ts := newTestServer(t, Options{PongTimeout: time.Second})
	live := dial(t, ts.url) // reads, so answers pings
	silent, _, err := websocket.DefaultDialer.Dial(ts.url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	deadline := time.Now().Add(10 * time.Second)
	for ts.ws.Connections() != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections; the silent one was not dropped", ts.ws.Connections())
		}
		time.Sleep(10 * time.Millisecond)
	}
	live.send(&wire.MsgReq{SubID: "s", Filters: []wire.Filter{{}}})
	if _, ok := live.next().(*wire.MsgEOSE); !ok {
		t.Error("the live connection was dropped too")
	}
}

// Shutdown lets an EVENT being handled finish: its OK is written before the
// close frame, so what was accepted is acknowledged.
func TestShutdownFinishesAcceptedWork(t *testing.T) {
	ts := newTestServer(t, Options{})
	ts.b.gate = make(chan struct{})
	ts.b.inside = make(chan struct{}, 1)
	c := dial(t, ts.url)
	ev := signedPost(t, "in flight")
	c.send(&wire.MsgEvent{Event: ev})
	<-ts.b.inside // the backend holds the event
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		done <- ts.ws.Shutdown(ctx)
	}()
	// New connections are refused once shutdown has begun.
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, resp, err := websocket.DefaultDialer.Dial(ts.url, nil)
		if err != nil && resp != nil && resp.StatusCode == http.StatusServiceUnavailable {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still accepting during shutdown (err %v)", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	close(ts.b.gate)
	ok, isOK := c.next().(*wire.MsgOK)
	if !isOK || !ok.Accepted || ok.EventID != ev.ID {
		t.Fatalf("got %+v, want OK true for the event in flight", ok)
	}
	err := c.closed()
	if !websocket.IsCloseError(err, websocket.CloseGoingAway) {
		t.Errorf("closed with %v, want going away", err)
	}
	if err := <-done; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if n := ts.ws.Connections(); n != 0 {
		t.Errorf("%d connections after Shutdown", n)
	}
}

func TestDial(t *testing.T) {
	a := newTestServer(t, Options{})
	b := newTestServer(t, Options{})
	rc, err := a.ws.Dial(context.Background(), b.url)
	if err != nil {
		t.Fatal(err)
	}
	rc.Send(&wire.MsgHello{Network: "test", Version: wire.ProtocolVersion})
	deadline := time.Now().Add(10 * time.Second)
	for len(b.relay.Peers()) != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the dialled relay never saw a peer")
		}
		time.Sleep(5 * time.Millisecond)
	}
	// A post published on b is forwarded over the dialled connection to a,
	// whose core accepts it as from any connection.
	reader := dial(t, a.url)
	reader.send(&wire.MsgReq{SubID: "s", Filters: []wire.Filter{{}}})
	reader.next() // EOSE
	author := dial(t, b.url)
	ev := signedPost(t, "across")
	author.send(&wire.MsgEvent{Event: ev})
	author.next() // OK
	if got := reader.next().(*wire.MsgEvent); got.Event.ID != ev.ID {
		t.Error("wrong event")
	}
	b.ws.Shutdown(context.Background())
	select {
	case <-rc.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("dialled connection did not end when the other side shut down")
	}
}

// A REQ whose stored events are many times the send queue is paced by the
// client's reading, not dropped as a slow consumer.
func TestLargeReqPacedNotDropped(t *testing.T) {
	ts := newTestServer(t, Options{MaxQueue: 16 << 10})
	const n = 150
	for i := 0; i < n; i++ {
		ts.b.events = append(ts.b.events, signedPost(t, fmt.Sprint(i, strings.Repeat("y", 500))))
	}
	c := dial(t, ts.url)
	c.send(&wire.MsgReq{SubID: "all", Filters: []wire.Filter{{}}})
	for i := 0; i < n; i++ {
		if m := c.next(); m.Verb() != wire.VerbEvent {
			t.Fatalf("message %d is not an event: %.200s", i, wire.Encode(m))
		}
	}
	if _, ok := c.next().(*wire.MsgEOSE); !ok {
		t.Fatal("no EOSE after the stored events")
	}
}
