package node

import (
	"fmt"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"postwork/chain/wire"
	"postwork/relay"
)

// BenchmarkFloodLatency measures what a flood from some connections costs
// everyone else (issue 3: it must not raise their latency noticeably). A
// bystander publishes a post every 60 ms (within the default per-connection rate) and a subscriber on another
// connection times publish-to-delivery, first on a quiet node, then while
// four connections from other addresses (127.0.0.2–5) send as fast as their
// sockets allow: a duplicate post (answered "duplicate:") and a REQ matching
// nothing, each followed by CLOSE. The node runs its default limits, so the
// flooders meet its rate limits and ban score, as they would in production;
// "open-limits" shows the same flood with the limits lifted. Compare p99s.
func BenchmarkFloodLatency(b *testing.B) {
	b.Run("quiet", func(b *testing.B) { benchFloodLatency(b, 0, relay.DefaultLimits) })
	b.Run("flood=4", func(b *testing.B) { benchFloodLatency(b, 4, relay.DefaultLimits) })
	b.Run("flood=4/open-limits", func(b *testing.B) { benchFloodLatency(b, 4, benchLimits) })
}

func benchFloodLatency(b *testing.B, flooders int, limits relay.Limits) {
	n := startNodeB(b, limits)
	evs := signedPosts(b, b.N+1)
	dialFrom := func(ip string) *websocket.Conn {
		d := websocket.Dialer{NetDialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}).DialContext}
		ws, _, err := d.Dial(n.url, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { ws.Close() })
		return ws
	}
	dial := func() *websocket.Conn { return dialFrom("127.0.0.1") }

	// The flood: a post the node already holds, and a query for nothing.
	dup := evs[b.N]
	pub := dial()
	pub.WriteMessage(websocket.TextMessage, wire.Encode(&wire.MsgEvent{Event: dup}))
	if _, data, err := pub.ReadMessage(); err != nil || !okAccepted(data) {
		b.Fatalf("seed post: %s %v", data, err)
	}
	flood := [][]byte{
		wire.Encode(&wire.MsgEvent{Event: dup}),
		wire.Encode(&wire.MsgReq{SubID: "x", Filters: []wire.Filter{{Authors: [][32]byte{{1}}}}}),
		wire.Encode(&wire.MsgClose{SubID: "x"}),
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for f := range flooders {
		ws := dialFrom(fmt.Sprintf("127.0.0.%d", 2+f))
		wg.Go(func() { // drains answers until the socket closes
			for {
				if _, _, err := ws.ReadMessage(); err != nil {
					return
				}
			}
		})
		wg.Go(func() { // floods until stop
			for {
				select {
				case <-stop:
					ws.Close()
					return
				default:
				}
				for _, f := range flood {
					if ws.WriteMessage(websocket.TextMessage, f) != nil {
						return
					}
				}
			}
		})
	}
	defer func() { close(stop); wg.Wait() }()

	sub := dial()
	sub.WriteMessage(websocket.TextMessage, wire.Encode(&wire.MsgReq{SubID: "feed", Filters: []wire.Filter{{Kinds: []int{1}, HasLimit: true}}}))
	if _, data, err := sub.ReadMessage(); err != nil || string(data) != `["EOSE","feed"]` {
		b.Fatalf("subscriber: %s %v", data, err)
	}
	lat := make([]time.Duration, 0, b.N)
	tick := time.NewTicker(60 * time.Millisecond)
	defer tick.Stop()
	b.ResetTimer()
	for i := range b.N {
		<-tick.C
		sent := time.Now()
		pub.WriteMessage(websocket.TextMessage, wire.Encode(&wire.MsgEvent{Event: evs[i]}))
		sub.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			_, data, err := sub.ReadMessage()
			if err != nil {
				b.Fatalf("post %d not delivered: %v", i, err)
			}
			if id, ok := deliveredID(data); ok && id == evs[i].ID {
				break
			}
		}
		lat = append(lat, time.Since(sent))
		if _, data, err := pub.ReadMessage(); err != nil || !okAccepted(data) {
			b.Fatalf("post %d: %s %v", i, data, err)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99_ms")
}

// okAccepted reports whether a frame is ["OK",id,true,...].
func okAccepted(frame []byte) bool {
	m, err := wire.Parse(frame)
	ok, is := m.(*wire.MsgOK)
	return err == nil && is && ok.Accepted
}
