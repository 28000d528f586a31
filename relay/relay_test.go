package relay

import (
	"strings"
	"testing"
	"time"

	"postwork/chain/nostr"
	"postwork/chain/wire"
)

func TestEventAcceptedDeliveredAndForwarded(t *testing.T) {
	h := newHarness(t)
	author, authorConn := h.connect("10.0.0.1")
	reader, readerConn := h.connect("10.0.0.2")
	peer, peerConn := h.connect("10.0.0.3")
	h.send(peer, &wire.MsgHello{Network: "test", Version: 1})
	if !peer.IsPeer() {
		t.Fatal("HELLO accepted but the client is not a peer")
	}
	if peerConn.readLimit != wire.MaxFrameSize {
		t.Errorf("peer read limit %d, want %d", peerConn.readLimit, wire.MaxFrameSize)
	}
	h.send(reader, &wire.MsgReq{SubID: "feed", Filters: []wire.Filter{{Kinds: []int{1}}}})
	only[*wire.MsgEOSE](t, readerConn.messages(t))

	ev := post(t, 1, "hello")
	h.send(author, &wire.MsgEvent{Event: ev})
	ok := only[*wire.MsgOK](t, authorConn.messages(t))
	if !ok.Accepted || ok.EventID != ev.ID || ok.Reason != "" {
		t.Errorf("OK = %+v, want accepted with no reason", ok)
	}
	got := only[*wire.MsgEvent](t, readerConn.messages(t))
	if got.SubID != "feed" || got.Event.ID != ev.ID {
		t.Errorf("reader got %+v", got)
	}
	fwd := only[*wire.MsgEvent](t, peerConn.messages(t))
	if fwd.SubID != "" || fwd.Event.ID != ev.ID {
		t.Errorf("peer got %+v, want the event in publishing form", fwd)
	}

	// The peer sends it back: a duplicate, OK true, neither delivered nor
	// forwarded again, not even to the author.
	h.send(peer, &wire.MsgEvent{Event: ev})
	dup := only[*wire.MsgOK](t, peerConn.messages(t))
	if !dup.Accepted || !strings.HasPrefix(dup.Reason, "duplicate:") {
		t.Errorf("duplicate answered %+v", dup)
	}
	if n := len(readerConn.messages(t)) + len(authorConn.messages(t)); n != 0 {
		t.Errorf("%d messages after a duplicate", n)
	}
}

func TestEventFromPeerNotEchoed(t *testing.T) {
	h := newHarness(t)
	a, aConn := h.connect("10.0.0.1")
	b, bConn := h.connect("10.0.0.2")
	h.send(a, &wire.MsgHello{})
	h.send(b, &wire.MsgHello{})
	ev := post(t, 2, "from a")
	h.send(a, &wire.MsgEvent{Event: ev})
	only[*wire.MsgOK](t, aConn.messages(t)) // only the OK, no echo
	only[*wire.MsgEvent](t, bConn.messages(t))
}

func TestEventRejections(t *testing.T) {
	h := newHarness(t)
	h.b.minPoW = 200 // nothing reaches it
	c, conn := h.connect("10.0.0.1")

	ev := post(t, 3, "weak")
	h.send(c, &wire.MsgEvent{Event: ev})
	ok := only[*wire.MsgOK](t, conn.messages(t))
	if ok.Accepted || !strings.HasPrefix(ok.Reason, "pow: ") {
		t.Errorf("weak post answered %+v, want pow:", ok)
	}

	bad := *ev
	bad.Sig[0] ^= 1
	h.send(c, &wire.MsgEvent{Event: &bad})
	ok = only[*wire.MsgOK](t, conn.messages(t))
	if ok.Accepted || !strings.HasPrefix(ok.Reason, "invalid: ") || !strings.Contains(ok.Reason, "signature") {
		t.Errorf("bad signature answered %+v", ok)
	}

	tampered := *ev
	tampered.Content = "changed"
	h.send(c, &wire.MsgEvent{Event: &tampered})
	ok = only[*wire.MsgOK](t, conn.messages(t))
	if ok.Accepted || !strings.Contains(ok.Reason, "id does not match") {
		t.Errorf("tampered event answered %+v", ok)
	}

	// Malformed JSON with a readable id: OK false under that id.
	raw := strings.Replace(string(wire.Encode(&wire.MsgEvent{Event: ev})), `"kind":1`, `"kind":-1`, 1)
	h.sendRaw(c, raw)
	ok = only[*wire.MsgOK](t, conn.messages(t))
	if ok.Accepted || ok.EventID != ev.ID || !strings.HasPrefix(ok.Reason, "invalid: ") {
		t.Errorf("malformed event answered %+v", ok)
	}
	if closed, _, _ := conn.closedWith(); closed {
		t.Error("closed after three mistakes; the threshold is higher")
	}
}

func TestBackendFailureIsError(t *testing.T) {
	h := newHarness(t)
	h.b.failQuery = errStore
	c, conn := h.connect("10.0.0.1")
	h.send(c, &wire.MsgReq{SubID: "s", Filters: []wire.Filter{{}}})
	closed := only[*wire.MsgClosed](t, conn.messages(t))
	if closed.SubID != "s" || !strings.HasPrefix(closed.Reason, "error: ") {
		t.Errorf("failed query answered %+v", closed)
	}
	if c.Subscriptions() != 0 {
		t.Error("failed subscription left open")
	}
}

func TestReqStoredThenEOSEThenLive(t *testing.T) {
	h := newHarness(t)
	author, _ := h.connect("10.0.0.1")
	var stored []*nostr.Event
	for i := range 3 {
		ev := post(t, 4, "stored", []string{"t", "x"})
		stored = append(stored, ev)
		h.send(author, &wire.MsgEvent{Event: ev})
		_ = i
	}
	c, conn := h.connect("10.0.0.2")
	h.send(c, &wire.MsgReq{SubID: "s", Filters: []wire.Filter{{Tags: map[string][]string{"t": {"x"}}, Limit: 2, HasLimit: true}}})
	msgs := conn.messages(t)
	if len(msgs) != 3 {
		t.Fatalf("got %s, want two stored events and EOSE", describe(msgs))
	}
	if msgs[0].(*wire.MsgEvent).Event.ID != stored[2].ID || msgs[1].(*wire.MsgEvent).Event.ID != stored[1].ID {
		t.Error("stored events not newest first")
	}
	if _, ok := msgs[2].(*wire.MsgEOSE); !ok {
		t.Fatalf("third message %T, want EOSE", msgs[2])
	}
	live := post(t, 4, "live", []string{"t", "x"})
	h.send(author, &wire.MsgEvent{Event: live})
	if got := only[*wire.MsgEvent](t, conn.messages(t)); got.Event.ID != live.ID {
		t.Error("live event not delivered")
	}
	other := post(t, 4, "other tag", []string{"t", "y"})
	h.send(author, &wire.MsgEvent{Event: other})
	if msgs := conn.messages(t); len(msgs) != 0 {
		t.Errorf("non-matching event delivered: %s", describe(msgs))
	}

	h.send(c, &wire.MsgClose{SubID: "s"})
	h.send(author, &wire.MsgEvent{Event: post(t, 4, "after close", []string{"t", "x"})})
	if msgs := conn.messages(t); len(msgs) != 0 {
		t.Errorf("delivered after CLOSE: %s", describe(msgs))
	}
}

func TestReqLimitZeroIsLiveOnly(t *testing.T) {
	h := newHarness(t)
	author, _ := h.connect("10.0.0.1")
	h.send(author, &wire.MsgEvent{Event: post(t, 5, "old")})
	c, conn := h.connect("10.0.0.2")
	h.send(c, &wire.MsgReq{SubID: "s", Filters: []wire.Filter{{HasLimit: true}}})
	only[*wire.MsgEOSE](t, conn.messages(t))
}

// Events published while a REQ's stored events are being read arrive after
// EOSE, once, even if the query found them too.
func TestLiveEventsHeldUntilEOSE(t *testing.T) {
	h := newHarness(t)
	author, _ := h.connect("10.0.0.1")
	c, conn := h.connect("10.0.0.2")
	gate := make(chan struct{})
	h.b.queryGate = gate
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.send(c, &wire.MsgReq{SubID: "s", Filters: []wire.Filter{{}}})
	}()
	// Wait until the subscription is registered, then publish while the
	// query is held.
	deadline := time.Now().Add(5 * time.Second)
	for c.Subscriptions() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("subscription never registered")
		}
		time.Sleep(time.Millisecond)
	}
	ev := post(t, 6, "during query")
	h.send(author, &wire.MsgEvent{Event: ev})
	if msgs := conn.messages(t); len(msgs) != 0 {
		t.Fatalf("sent before EOSE: %s", describe(msgs))
	}
	close(gate)
	<-done
	msgs := conn.messages(t)
	// The query ran after the publish, so it found the event: stored, EOSE,
	// and no second copy.
	if len(msgs) != 2 {
		t.Fatalf("got %s, want the event once and EOSE", describe(msgs))
	}
	if _, ok := msgs[1].(*wire.MsgEOSE); !ok {
		t.Errorf("EOSE not last: %s", describe(msgs))
	}
}

func TestMalformedAndUnknown(t *testing.T) {
	h := newHarness(t)
	c, conn := h.connect("10.0.0.1")
	h.sendRaw(c, `["AUTH","challenge"]`)
	n := only[*wire.MsgNotice](t, conn.messages(t))
	if !strings.HasPrefix(n.Message, "unsupported: ") || !strings.Contains(n.Message, "AUTH") {
		t.Errorf("unknown verb answered %q", n.Message)
	}
	h.sendRaw(c, `not json`)
	n = only[*wire.MsgNotice](t, conn.messages(t))
	if !strings.HasPrefix(n.Message, "invalid: ") {
		t.Errorf("garbage answered %q", n.Message)
	}
	h.sendRaw(c, `["REQ","s",{"ids":["xyz"]}]`)
	cl := only[*wire.MsgClosed](t, conn.messages(t))
	if cl.SubID != "s" || !strings.HasPrefix(cl.Reason, "invalid: ") || !strings.Contains(cl.Reason, "hex") {
		t.Errorf("bad filter answered %+v", cl)
	}
	h.send(c, &wire.MsgGetBlocks{Hashes: make([]chainHash, 1)})
	n = only[*wire.MsgNotice](t, conn.messages(t))
	if !strings.Contains(n.Message, "before HELLO") {
		t.Errorf("chain verb before HELLO answered %q", n.Message)
	}
	if len(h.b.chain) != 0 {
		t.Error("backend saw a chain verb before HELLO")
	}
}

func TestHelloRefusedCloses(t *testing.T) {
	h := newHarness(t)
	h.b.hello = func(m *wire.MsgHello) error {
		return Rejectf(wire.PrefixInvalid, "network %q is not test", m.Network)
	}
	c, conn := h.connect("10.0.0.1")
	h.send(c, &wire.MsgHello{Network: "main"})
	n := only[*wire.MsgNotice](t, conn.messages(t))
	if !strings.Contains(n.Message, `network "main"`) {
		t.Errorf("notice %q", n.Message)
	}
	closed, code, reason := conn.closedWith()
	if !closed || code != ClosePolicyViolation || !strings.Contains(reason, "network") {
		t.Errorf("closed=%v code=%d reason=%q", closed, code, reason)
	}
	if c.IsPeer() {
		t.Error("refused HELLO made a peer")
	}
	// A wrong network is a mistake, not an attack: the next connection is fine.
	h.connect("10.0.0.1")
}

func TestBanScore(t *testing.T) {
	h := newHarness(t)
	bystander, bConn := h.connect("10.0.0.9")
	h.send(bystander, &wire.MsgReq{SubID: "all", Filters: []wire.Filter{{}}})
	bConn.messages(t)

	c, conn := h.connect("10.0.0.1")
	ev := post(t, 7, "x")
	bad := *ev
	bad.Sig[5] ^= 1
	for i := 0; i < DefaultBanThreshold/ScoreInvalid; i++ {
		h.send(c, &wire.MsgEvent{Event: &bad})
	}
	closed, code, reason := conn.closedWith()
	if !closed || code != ClosePolicyViolation || !strings.HasPrefix(reason, "blocked: ") {
		t.Fatalf("after repeated bad signatures: closed=%v code=%d reason=%q", closed, code, reason)
	}
	// Refused while banned, with a reason.
	conn2 := &fakeConn{ip: "10.0.0.1"}
	if _, err := h.r.Connect(conn2); err == nil {
		t.Fatal("banned IP connected")
	}
	if _, _, reason := conn2.closedWith(); !strings.Contains(reason, "banned") {
		t.Errorf("refusal reason %q", reason)
	}
	// Others are served meanwhile.
	other, _ := h.connect("10.0.0.2")
	h.send(other, &wire.MsgEvent{Event: ev})
	if got := only[*wire.MsgEvent](t, bConn.messages(t)); got.Event.ID != ev.ID {
		t.Error("bystander did not get the event")
	}
	// The ban ends.
	h.clock.Add(DefaultBanDuration)
	h.connect("10.0.0.1")
}

func TestBanScoreDecays(t *testing.T) {
	h := newHarness(t)
	c, conn := h.connect("10.0.0.1")
	for i := 0; i < 3*DefaultBanThreshold/ScoreMalformed; i++ {
		h.sendRaw(c, `[`)
		h.clock.Add(DefaultBanHalfLife) // the score halves between mistakes
	}
	if closed, _, _ := conn.closedWith(); closed {
		t.Error("banned for mistakes spread over time")
	}
}

func TestInvalidBlockBansAtOnce(t *testing.T) {
	h := newHarness(t)
	c, conn := h.connect("10.0.0.1")
	h.send(c, &wire.MsgHello{})
	h.send(c, &wire.MsgBlock{Block: testBlock(t)})
	if closed, _, _ := conn.closedWith(); !closed {
		t.Error("peer sending an invalid block not disconnected")
	}
}

func TestDisconnectEndsDelivery(t *testing.T) {
	h := newHarness(t)
	author, _ := h.connect("10.0.0.1")
	c, conn := h.connect("10.0.0.2")
	h.send(c, &wire.MsgReq{SubID: "s", Filters: []wire.Filter{{}}})
	conn.messages(t)
	h.r.Disconnect(c)
	select {
	case <-c.Done():
	default:
		t.Error("Done not closed")
	}
	h.send(author, &wire.MsgEvent{Event: post(t, 8, "x")})
	if msgs := conn.messages(t); len(msgs) != 0 {
		t.Errorf("delivered after disconnect: %s", describe(msgs))
	}
	if n := h.r.ConnectionsFrom("10.0.0.2"); n != 0 {
		t.Errorf("%d connections counted after disconnect", n)
	}
	h.r.Disconnect(c) // twice is fine
}

func TestCloseRefusesNewConnections(t *testing.T) {
	h := newHarness(t)
	_, conn := h.connect("10.0.0.1")
	h.r.Close("shutting down")
	if closed, code, _ := conn.closedWith(); !closed || code != CloseGoingAway {
		t.Errorf("open connection: closed=%v code=%d", closed, code)
	}
	if _, err := h.r.Connect(&fakeConn{ip: "10.0.0.2"}); err == nil {
		t.Error("connection accepted after Close")
	}
}

func TestSeenSetBounded(t *testing.T) {
	s := NewSeenSet(10)
	var first [32]byte
	first[0] = 1
	if !s.Add(first) || s.Add(first) {
		t.Fatal("Add does not report novelty")
	}
	for i := 2; i < 30; i++ {
		s.Add([32]byte{byte(i)})
	}
	if s.Has(first) {
		t.Error("oldest id still remembered after many insertions")
	}
	if !s.Has([32]byte{29}) {
		t.Error("newest id forgotten")
	}
	if n := len(s.cur) + len(s.prev); n > 10 {
		t.Errorf("holds %d ids, capacity 10", n)
	}
	s.Remove([32]byte{29})
	if s.Has([32]byte{29}) {
		t.Error("Remove did not forget")
	}
}
