package hub

import (
	"testing"

	"postwork/chain/chaintest"
	"postwork/chain/wire"
	"postwork/relay"
)

// A Durable Object that hibernated wakes with a fresh Go instance and its
// sockets still open: Restore rebuilds each connection's subscriptions from
// the store without answering them again, so a subscriber sees nothing but
// the live posts that follow, and a CLOSEd or refused subscription stays
// gone.
func TestRestoreAfterHibernation(t *testing.T) {
	st := newMemStore()
	h, clk := testHub(t, func(c *Config) { c.Store = st })
	sub, ss := open(t, h, "sub", "2.2.2.2")
	send(sub, &wire.MsgReq{SubID: "feed", Filters: []wire.Filter{{Kinds: []int{1}, Limit: 50, HasLimit: true}}})
	send(sub, &wire.MsgReq{SubID: "gone", Filters: []wire.Filter{{Kinds: []int{1}}}})
	send(sub, &wire.MsgClose{SubID: "gone"})
	// Refused (too many filters): never restored.
	many := make([]wire.Filter, relay.DefaultLimits.MaxFilters+1)
	send(sub, &wire.MsgReq{SubID: "refused", Filters: many})
	ss.take(t)
	frames, _ := st.ConnFrames("sub")
	if len(frames) != 1 {
		t.Fatalf("saved %d frames for the subscriber, want its one open REQ", len(frames))
	}

	// Hibernation: the hub is gone, the socket is not.
	h2, _ := testHub(t, func(c *Config) { c.Store = st; c.Now = clk.Now })
	sub2, err := h2.Restore("sub", "2.2.2.2", ss)
	if err != nil {
		t.Fatal(err)
	}
	if ms := ss.take(t); len(ms) != 0 {
		t.Errorf("restoring sent the subscriber %v", ms)
	}
	if n := sub2.Client().Subscriptions(); n != 1 {
		t.Errorf("restored %d subscriptions, want 1", n)
	}
	pub, ps := open(t, h2, "pub", "1.1.1.1")
	ev := chaintest.Post(t, 5, "after the nap", clk.Now().Unix())
	send(pub, &wire.MsgEvent{Event: ev})
	if ok := okFor(t, ps.take(t), ev.ID); !ok.Accepted {
		t.Fatal(ok.Reason)
	}
	got, eose := events(ss.take(t), "feed")
	if len(got) != 1 || got[0] != ev.ID || eose {
		t.Errorf("restored subscription got %d events (eose %v), want the new post alone", len(got), eose)
	}
	// A closed socket's state is forgotten.
	sub2.Closed()
	if frames, _ := st.ConnFrames("sub"); len(frames) != 0 {
		t.Errorf("%d frames kept for a closed connection", len(frames))
	}
}
