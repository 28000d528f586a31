package hub

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"postwork/chain"
	"postwork/chain/chaintest"
	"postwork/chain/nostr"
	"postwork/chain/wire"
	"postwork/relay"
)

// The NIP-11 document states the limits the hub applies and the chain it
// serves, so clients and light nodes can read them before they connect.
func TestInfoStatesLimits(t *testing.T) {
	h, _ := testHub(t, func(c *Config) { c.MinPoW = 4; c.Limits.MaxFilters = 3 })
	var got relay.Info
	if err := json.Unmarshal(h.Info(), &got); err != nil {
		t.Fatal(err)
	}
	l := got.Limitation
	if l.MinPowDifficulty != 4 || l.MaxFilters != 3 || l.MaxMessageLength != relay.DefaultLimits.MaxMessageSize || l.MaxLimit != relay.MaxQueryLimit {
		t.Errorf("limitation %+v", l)
	}
	if got.Postwork == nil || got.Postwork.Network != chain.TestNet.Name || got.Postwork.Genesis != chain.TestNet.GenesisHash().String() {
		t.Errorf("chain %+v", got.Postwork)
	}
}

// Posts are refused for the full node's reasons: too little work, from too
// far in the future, a bad signature; a repeat is OK true "duplicate:".
func TestSubmitPolicy(t *testing.T) {
	h, clk := testHub(t, func(c *Config) { c.MinPoW = 4 })
	sess, s := open(t, h, "a", "1.2.3.4")
	now := clk.Now().Unix()

	weak := chaintest.Post(t, 2, "weak", now)
	for weak.PoW() >= 4 {
		weak = chaintest.Post(t, 2, weak.Content+"!", now)
	}
	send(sess, &wire.MsgEvent{Event: weak})
	if ok := okFor(t, s.take(t), weak.ID); ok.Accepted || !hasPrefix(ok.Reason, "pow: ") {
		t.Errorf("weak post: %+v", ok)
	}

	good := mined(t, 2, "good", now, 4)
	send(sess, &wire.MsgEvent{Event: good})
	if ok := okFor(t, s.take(t), good.ID); !ok.Accepted || ok.Reason != "" {
		t.Errorf("good post: %+v", ok)
	}
	send(sess, &wire.MsgEvent{Event: good})
	if ok := okFor(t, s.take(t), good.ID); !ok.Accepted || !hasPrefix(ok.Reason, "duplicate: ") {
		t.Errorf("repeated post: %+v", ok)
	}

	future := mined(t, 2, "future", now+chain.TestNet.MaxEventDrift+60, 4)
	send(sess, &wire.MsgEvent{Event: future})
	if ok := okFor(t, s.take(t), future.ID); ok.Accepted || !hasPrefix(ok.Reason, "invalid: ") {
		t.Errorf("post from the future: %+v", ok)
	}

	forged := mined(t, 2, "forged", now, 4)
	forged.Sig[10] ^= 1
	send(sess, &wire.MsgEvent{Event: forged})
	if ok := okFor(t, s.take(t), forged.ID); ok.Accepted || !hasPrefix(ok.Reason, "invalid: ") {
		t.Errorf("forged post: %+v", ok)
	}
	if h.Posts() != 1 {
		t.Errorf("hub holds %d posts, want the good one", h.Posts())
	}
}

// mined returns a kind-1 post of Key(seed) with at least bits of NIP-13 work.
func mined(t *testing.T, seed byte, content string, createdAt int64, bits int) *nostr.Event {
	t.Helper()
	ev := &nostr.Event{PubKey: nostr.PublicKey(chaintest.Key(seed)), CreatedAt: createdAt, Kind: 1, Content: content}
	if err := nostr.MinePoW(context.Background(), ev, bits, nil); err != nil {
		t.Fatal(err)
	}
	if err := ev.Sign(chaintest.Key(seed)); err != nil {
		t.Fatal(err)
	}
	return ev
}

// The hub keeps the newest MaxPosts posts and answers REQ newest first,
// within the filter's limit; a live subscriber gets new posts after EOSE.
func TestRecentPostsAndQuery(t *testing.T) {
	h, clk := testHub(t, func(c *Config) { c.MaxPosts = 3 })
	pub, ps := open(t, h, "pub", "1.1.1.1")
	sub, ss := open(t, h, "sub", "2.2.2.2")
	send(sub, &wire.MsgReq{SubID: "live", Filters: []wire.Filter{{Kinds: []int{1}, Limit: 0, HasLimit: true}}})
	if _, eose := events(ss.take(t), "live"); !eose {
		t.Fatal("no EOSE for a live-only REQ")
	}
	var posts []*nostr.Event
	for i := range 5 {
		ev := chaintest.Post(t, 3, "post", clk.Now().Unix()+int64(i))
		posts = append(posts, ev)
		send(pub, &wire.MsgEvent{Event: ev})
		if ok := okFor(t, ps.take(t), ev.ID); !ok.Accepted {
			t.Fatalf("post %d refused: %s", i, ok.Reason)
		}
	}
	live, _ := events(ss.take(t), "live")
	if len(live) != 5 {
		t.Errorf("live subscriber got %d posts, want 5", len(live))
	}
	send(sub, &wire.MsgReq{SubID: "all", Filters: []wire.Filter{{Kinds: []int{1}}}})
	got, eose := events(ss.take(t), "all")
	want := [][32]byte{posts[4].ID, posts[3].ID, posts[2].ID}
	if !eose || !reflect.DeepEqual(got, want) {
		t.Errorf("REQ returned %d posts (eose %v), want the 3 newest, newest first", len(got), eose)
	}
	send(sub, &wire.MsgReq{SubID: "one", Filters: []wire.Filter{{Kinds: []int{1}, Limit: 1, HasLimit: true}}})
	if got, _ := events(ss.take(t), "one"); len(got) != 1 || got[0] != posts[4].ID {
		t.Errorf("limit 1 returned %d posts", len(got))
	}
	// Posts expire after MaxPostAge, as in a full node's mempool.
	clk.Add(DefaultMaxPostAge + time.Minute)
	fresh := chaintest.Post(t, 3, "fresh", clk.Now().Unix())
	send(pub, &wire.MsgEvent{Event: fresh})
	ps.take(t)
	if h.Posts() != 1 {
		t.Errorf("after expiry the hub holds %d posts, want the fresh one", h.Posts())
	}
}

// Accepted posts are in the store before OK; a hub on the same store (the
// Durable Object after eviction) serves them, and a store that fails
// makes the post refused with "error:", not lost silently.
func TestPostsPersist(t *testing.T) {
	st := newMemStore()
	h, clk := testHub(t, func(c *Config) { c.Store = st })
	sess, s := open(t, h, "a", "1.1.1.1")
	ev := chaintest.Post(t, 4, "kept", clk.Now().Unix())
	send(sess, &wire.MsgEvent{Event: ev})
	if ok := okFor(t, s.take(t), ev.ID); !ok.Accepted {
		t.Fatal(ok.Reason)
	}
	st.fail = true
	lost := chaintest.Post(t, 4, "not stored", clk.Now().Unix())
	send(sess, &wire.MsgEvent{Event: lost})
	if ok := okFor(t, s.take(t), lost.ID); ok.Accepted || !hasPrefix(ok.Reason, "error: ") {
		t.Errorf("post the store could not keep: %+v", ok)
	}
	st.fail = false

	h2, _ := testHub(t, func(c *Config) { c.Store = st })
	sess2, s2 := open(t, h2, "b", "1.1.1.1")
	send(sess2, &wire.MsgReq{SubID: "x", Filters: []wire.Filter{{}}})
	if got, _ := events(s2.take(t), "x"); len(got) != 1 || got[0] != ev.ID {
		t.Errorf("a new hub on the store returned %d posts, want the one kept", len(got))
	}
	// The reloaded post counts as seen: sent again, it is a duplicate.
	send(sess2, &wire.MsgEvent{Event: ev})
	if ok := okFor(t, s2.take(t), ev.ID); !ok.Accepted || !hasPrefix(ok.Reason, "duplicate: ") {
		t.Errorf("reloaded post sent again: %+v", ok)
	}
}

// Frames over the size limit, malformed frames and floods are the core's
// policies, installed as in the full node.
func TestAbuse(t *testing.T) {
	h, _ := testHub(t, nil)
	sess, s := open(t, h, "a", "6.6.6.6")
	big := make([]byte, relay.DefaultLimits.MaxMessageSize+1)
	copy(big, `["REQ","x",{}]`)
	sess.Message(big)
	if ms := s.take(t); len(ms) != 1 || !hasPrefix(ms[0].(*wire.MsgNotice).Message, "invalid: message of") {
		t.Errorf("oversized frame answered %v", ms)
	}
	sess.Message([]byte(`["EVENT",{"id":1`))
	if ms := s.take(t); len(ms) != 1 || !hasPrefix(ms[0].(*wire.MsgNotice).Message, "invalid: ") {
		t.Errorf("malformed frame answered %v", ms)
	}
	// Malformed frames add up to a ban: the socket is closed and the
	// address refused.
	for range 20 {
		sess.Message([]byte(`[`))
	}
	if s.closed == 0 {
		t.Fatal("a client sending garbage was not disconnected")
	}
	if _, err := h.Open("b", "6.6.6.6", new(sock)); err == nil {
		t.Error("a banned address could connect again")
	}
}
