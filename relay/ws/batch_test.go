package ws

import (
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"postwork/chain/nostr"
	"postwork/chain/wire"
	"postwork/relay"
)

// A burst of fan-out deliveries (shared, prepared frames) mixed with frames
// for this connection alone arrives whole and in order, while the client's
// pings are answered in between: the writer corks what has queued into few
// writes, and gorilla's pongs from the reader go out among them intact.
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
	wg.Go(func() { // publishes the burst, a notice for this client after each post
		for i, ev := range evs {
			ts.relay.Publish(ev, nil)
			c.SendFrame(wire.Encode(&wire.MsgNotice{Message: strconv.Itoa(i)}))
		}
	})

	next := map[string]int{}
	notices := 0
	ws.SetReadDeadline(time.Now().Add(20 * time.Second))
	for next["a"] < n || next["b"] < n || notices < n {
		_, data, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("after %v deliveries and %d notices: %v", next, notices, err)
		}
		m, err := wire.Parse(data)
		if err != nil {
			t.Fatalf("damaged frame %.100s: %v", data, err)
		}
		switch m := m.(type) {
		case *wire.MsgEvent:
			if want := evs[next[m.SubID]]; m.Event.ID != want.ID {
				t.Fatalf("subscription %q: delivery %d is %q, want %q", m.SubID, next[m.SubID], m.Event.Content, want.Content)
			}
			next[m.SubID]++
		case *wire.MsgNotice:
			if m.Message != strconv.Itoa(notices) {
				t.Fatalf("notice %q, want %d", m.Message, notices)
			}
			notices++
		default:
			t.Fatalf("unexpected %s", data)
		}
	}
	close(stop)
	wg.Wait()
	if pongs.Load() == 0 {
		t.Error("no pong came back while the burst was written")
	}
}
