package hub

import (
	"encoding/json"
	"strings"
	"testing"

	"postwork/chain"
	"postwork/chain/chaintest"
	"postwork/chain/wire"
)

// Whatever a socket sends, Message neither panics nor saves state for a
// frame that opens no subscription, and peekVerb reads only plain verbs.
func FuzzMessage(f *testing.F) {
	ev := chaintest.Post(f, 1, "seed", 1795219200)
	for _, seed := range []string{
		string(wire.Encode(&wire.MsgEvent{Event: ev})),
		`["REQ","a",{"kinds":[1],"limit":5}]`,
		`["REQ","a",{"kinds":[1]},{"ids":[]}]`,
		`["CLOSE","a"]`,
		`["HELLO",{"network":"test"}]`,
		`[ "REQ" , "b" , {} ]`,
		`["EVENT",{"id":1`,
		`["\u0052EQ","x",{}]`,
		`[`, ``, `"REQ"`, `[1,2]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		st := newMemStore()
		h, _ := testHub(t, func(c *Config) { c.Store = st })
		sess, s := open(t, h, "f", "9.9.9.9")
		sess.Message(frame)
		s.take(t) // every frame the hub sent parses
		frames, _ := st.ConnFrames("f")
		if len(frames) > 0 && sess.Client().Subscriptions() == 0 && !sess.Client().IsPeer() {
			t.Errorf("saved %d frames for a connection with no subscription: %q", len(frames), frame)
		}
		if v := peekVerb(frame); len(v) > 17 {
			t.Errorf("peekVerb returned %q", v)
		}
		sess.Closed()
	})
}

// FuzzPostAPI: any id, no panic; the answer is 200, 400 or 404 with a JSON
// body.
func FuzzPostAPI(f *testing.F) {
	h, err := New(Config{Params: chain.TestNet})
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{"", strings.Repeat("ab", 32), strings.Repeat("g", 64), strings.Repeat("a", 65), "%00", "../../x"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, id string) {
		status, body := h.PostAPI(id)
		if status != 200 && status != 400 && status != 404 {
			t.Fatalf("status %d for %q", status, id)
		}
		if !json.Valid(body) {
			t.Fatalf("body %q for %q", body, id)
		}
	})
}
