package ws

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"postwork/chain/nostr"
	"postwork/chain/wire"
	"postwork/relay"
)

// A burst of fan-out deliveries (shared frames, some prepared) mixed with frames
// for this connection alone, some larger than what a corked write holds,
// arrives whole and in order, while the client's pings are answered in
// between: the writer corks what has queued into few writes, and gorilla's
// pongs from the reader go out among them intact.
func TestBurstArrivesWholeAndInOrder(t *testing.T) {
	ts := newTestServer(t, Options{})
	var got atomic.Pointer[relay.Client]
	ts.relay.OnConnect = append(ts.relay.OnConnect, func(c *relay.Client) { got.CompareAndSwap(nil, c) })
	ws, _, err := websocket.DefaultDialer.Dial(ts.url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	var pongs atomic.Int64
	ws.SetPongHandler(func(string) error { pongs.Add(1); return nil })
	for _, id := range []string{"a", "b"} {
		ws.WriteMessage(websocket.TextMessage, wire.Encode(&wire.MsgReq{SubID: id, Filters: []wire.Filter{{Kinds: []int{1}, HasLimit: true}}}))
		if _, data, err := ws.ReadMessage(); err != nil || string(data) != `["EOSE","`+id+`"]` {
			t.Fatalf("subscription %s: %s %v", id, data, err)
		}
	}
	c := got.Load()
	if c == nil {
		t.Fatal("the core never saw the connection")
	}
	// Another subscriber to "a" makes those deliveries shared frames,
	// written prepared (websocket.PreparedMessage) when both got them
	// before the writer ran, plain otherwise: the bytes must be the same.
	other := dial(t, ts.url)
	other.send(&wire.MsgReq{SubID: "a", Filters: []wire.Filter{{Kinds: []int{1}, HasLimit: true}}})
	if _, ok := other.next().(*wire.MsgEOSE); !ok {
		t.Fatal("no EOSE for the other subscriber")
	}

	// notice is the text of the i-th frame for this client alone (not a
	// NIP-01 verb: the client checks it as it is): every 25th is 20,000
	// bytes, written past the cork (corkDirect).
	notice := func(i int) string {
		if i%25 == 0 {
			return strconv.Itoa(i) + strings.Repeat(".", 20000)
		}
		return strconv.Itoa(i)
	}
	const n = 300
	evs := make([]*nostr.Event, n)
	for i := range evs {
		evs[i] = signedPost(t, fmt.Sprintf("burst %d", i))
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { // pings until stop
		for {
			select {
			case <-stop:
				return
			default:
			}
			if ws.WriteControl(websocket.PingMessage, []byte("p"), time.Now().Add(time.Second)) != nil {
				return
			}
			time.Sleep(time.Millisecond)
		}
	})
	wg.Go(func() { // publishes the burst, a frame for this client alone after each post
		for i, ev := range evs {
			ts.relay.Publish(ev, nil)
			c.SendFrame([]byte(`["PAD","` + notice(i) + `"]`))
		}
	})

	next := map[string]int{}
	notices := 0 // frames for this client alone read so far
	ws.SetReadDeadline(time.Now().Add(20 * time.Second))
	for next["a"] < n || next["b"] < n || notices < n {
		_, data, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("after %v deliveries and %d other frames: %v", next, notices, err)
		}
		if msg, ok := strings.CutPrefix(string(data), `["PAD","`); ok {
			if msg = strings.TrimSuffix(msg, `"]`); msg != notice(notices) {
				t.Fatalf("frame %.20q (%d bytes), want %.20q (%d bytes)", msg, len(msg), notice(notices), len(notice(notices)))
			}
			notices++
			continue
		}
		m, err := wire.Parse(data)
		if err != nil {
			t.Fatalf("damaged frame %.100s: %v", data, err)
		}
		ev, ok := m.(*wire.MsgEvent)
		if !ok {
			t.Fatalf("unexpected %.100s", data)
		}
		if want := evs[next[ev.SubID]]; ev.Event.ID != want.ID {
			t.Fatalf("subscription %q: delivery %d is %q, want %q", ev.SubID, next[ev.SubID], ev.Event.Content, want.Content)
		}
		next[ev.SubID]++
	}
	close(stop)
	wg.Wait()
	if pongs.Load() == 0 {
		t.Error("no pong came back while the burst was written")
	}
}
