package relay

import (
	"strings"
	"testing"
	"time"

	"postwork/chain"
	"postwork/chain/wire"
)

type chainHash = chain.Hash

func testBlock(t *testing.T) *chain.Block { return chain.TestNet.Genesis() }

func TestConnectionsPerIP(t *testing.T) {
	h := newHarness(t)
	h.r.RejectConnection = append(h.r.RejectConnection, ConnectionsPerIP(2))
	h.connect("10.0.0.1")
	c2, _ := h.connect("10.0.0.1")
	conn := &fakeConn{ip: "10.0.0.1"}
	if _, err := h.r.Connect(conn); err == nil {
		t.Fatal("third connection from one IP accepted")
	}
	if _, code, reason := conn.closedWith(); code != CloseTryAgainLater || !strings.HasPrefix(reason, "rate-limited: ") {
		t.Errorf("refused with %d %q", code, reason)
	}
	h.connect("10.0.0.2") // another address is fine
	h.r.Disconnect(c2)
	h.connect("10.0.0.1") // and a slot frees up
}

func TestMessageRate(t *testing.T) {
	h := newHarness(t)
	h.r.RejectMessage = append(h.r.RejectMessage, MessageRate(Rate{PerSecond: 1, Burst: 3}, Rate{PerSecond: 100, Burst: 100}))
	c, conn := h.connect("10.0.0.1")
	other, otherConn := h.connect("10.0.0.2")
	for i := 0; i < 3; i++ {
		h.send(c, &wire.MsgEvent{Event: post(t, 9, "burst")})
	}
	for _, m := range conn.messages(t) {
		if !m.(*wire.MsgOK).Accepted {
			t.Fatalf("within the burst: %+v", m)
		}
	}
	ev := post(t, 9, "one too many")
	h.send(c, &wire.MsgEvent{Event: ev})
	ok := only[*wire.MsgOK](t, conn.messages(t))
	if ok.Accepted || ok.EventID != ev.ID || !strings.HasPrefix(ok.Reason, "rate-limited: ") {
		t.Errorf("over the rate: %+v", ok)
	}
	h.send(c, &wire.MsgReq{SubID: "s", Filters: []wire.Filter{{}}})
	if cl := only[*wire.MsgClosed](t, conn.messages(t)); !strings.HasPrefix(cl.Reason, "rate-limited: ") {
		t.Errorf("REQ over the rate: %+v", cl)
	}
	// Another connection has its own bucket.
	h.send(other, &wire.MsgEvent{Event: post(t, 9, "other")})
	if ok := only[*wire.MsgOK](t, otherConn.messages(t)); !ok.Accepted {
		t.Errorf("other connection limited: %+v", ok)
	}
	// Tokens come back with time.
	h.clock.Add(time.Second)
	h.send(c, &wire.MsgEvent{Event: ev})
	if ok := only[*wire.MsgOK](t, conn.messages(t)); !ok.Accepted {
		t.Errorf("after a second: %+v", ok)
	}
}

func TestIPMessageRate(t *testing.T) {
	h := newHarness(t)
	h.r.RejectMessage = append(h.r.RejectMessage, IPMessageRate(Rate{PerSecond: 1, Burst: 2}))
	a, aConn := h.connect("10.0.0.1")
	b, bConn := h.connect("10.0.0.1")
	h.send(a, &wire.MsgEvent{Event: post(t, 10, "1")})
	h.send(b, &wire.MsgEvent{Event: post(t, 10, "2")})
	h.send(b, &wire.MsgEvent{Event: post(t, 10, "3")})
	aConn.messages(t)
	msgs := bConn.messages(t)
	if !msgs[0].(*wire.MsgOK).Accepted || msgs[1].(*wire.MsgOK).Accepted {
		t.Errorf("two connections of one IP share a bucket of 2: %s", describe(msgs))
	}
}

func TestSubscriptionAndFilterLimits(t *testing.T) {
	h := newHarness(t)
	h.r.RejectReq = append(h.r.RejectReq, MaxSubscriptions(2), MaxFilters(2))
	c, conn := h.connect("10.0.0.1")
	h.send(c, &wire.MsgReq{SubID: "a", Filters: []wire.Filter{{}}})
	h.send(c, &wire.MsgReq{SubID: "b", Filters: []wire.Filter{{}}})
	h.send(c, &wire.MsgReq{SubID: "a", Filters: []wire.Filter{{}}}) // replaces a
	conn.messages(t)
	h.send(c, &wire.MsgReq{SubID: "c", Filters: []wire.Filter{{}}})
	if cl := only[*wire.MsgClosed](t, conn.messages(t)); cl.SubID != "c" || !strings.Contains(cl.Reason, "too many open subscriptions") {
		t.Errorf("third subscription: %+v", cl)
	}
	h.send(c, &wire.MsgClose{SubID: "b"})
	h.send(c, &wire.MsgReq{SubID: "c", Filters: []wire.Filter{{}, {}, {}}})
	if cl := only[*wire.MsgClosed](t, conn.messages(t)); !strings.HasPrefix(cl.Reason, "invalid: 3 filters") {
		t.Errorf("three filters: %+v", cl)
	}
}

func TestMessageSize(t *testing.T) {
	h := newHarness(t)
	h.r.RejectFrame = append(h.r.RejectFrame, MessageSize(100))
	c, conn := h.connect("10.0.0.1")
	h.sendRaw(c, `["NOTICE","`+strings.Repeat("x", 200)+`"]`)
	if n := only[*wire.MsgNotice](t, conn.messages(t)); !strings.Contains(n.Message, "limit 100") {
		t.Errorf("oversize answered %q", n.Message)
	}
}

// A client that keeps sending far over its rate is banned, so a flood costs
// the relay a bounded number of refusals rather than one per frame forever.
func TestPersistentFlooderBanned(t *testing.T) {
	h := newHarness(t)
	h.r.RejectMessage = append(h.r.RejectMessage, MessageRate(Rate{PerSecond: 1, Burst: 1}, Rate{PerSecond: 100, Burst: 100}))
	c, conn := h.connect("10.0.0.1")
	req := &wire.MsgReq{SubID: "s", Filters: []wire.Filter{{Kinds: []int{1}}}}
	for range DefaultBanThreshold + 1 {
		h.send(c, req)
		h.send(c, &wire.MsgClose{SubID: "s"})
	}
	if _, code, reason := conn.closedWith(); code == 0 || !strings.Contains(reason, "rate-limited") && !strings.Contains(reason, "banned") {
		t.Fatalf("flooder still connected (close %d %q)", code, reason)
	}
	if _, err := h.r.Connect(&fakeConn{ip: "10.0.0.1"}); err == nil {
		t.Fatal("banned flooder may reconnect")
	}
	// A client that bursts once and then keeps to its rate is never banned.
	h.clock.Add(time.Hour)
	d, dconn := h.connect("10.0.0.2")
	for i := range 200 {
		if i%2 == 0 {
			h.send(d, req)
			h.send(d, &wire.MsgClose{SubID: "s"})
		}
		h.clock.Add(time.Second)
	}
	if _, code, _ := dconn.closedWith(); code != 0 {
		t.Fatalf("client within its rate was disconnected (%d)", code)
	}
}
