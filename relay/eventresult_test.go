package relay

import (
	"context"
	"strings"
	"testing"

	"postwork/chain/wire"
)

// Every EVENT's answer reaches OnEventResult exactly as the client got it:
// accepted, duplicate, refused by the backend, by a bad signature, by a
// message hook (rate limit) and by a parse failure.
func TestOnEventResultSeesEveryAnswer(t *testing.T) {
	h := newHarness(t)
	h.b.minPoW = 1
	type result struct {
		accepted bool
		reason   string
	}
	var got []result
	h.r.OnEventResult = append(h.r.OnEventResult, func(c *Client, id [32]byte, accepted bool, reason string) {
		got = append(got, result{accepted, reason})
	})
	limited := false
	h.r.RejectMessage = append(h.r.RejectMessage, func(ctx context.Context, c *Client, m wire.Message) (bool, string) {
		return limited, "rate-limited: slow down"
	})
	c, conn := h.connect("10.0.0.1")

	var strong, weak = post(t, 1, "a"), post(t, 2, "b")
	for i := byte(3); strong.PoW() < 1; i++ {
		strong = post(t, i, "a")
	}
	for i := byte(100); weak.PoW() >= 1; i++ {
		weak = post(t, i, "b")
	}
	h.send(c, &wire.MsgEvent{Event: strong})
	h.send(c, &wire.MsgEvent{Event: strong})
	h.send(c, &wire.MsgEvent{Event: weak})
	bad := *weak
	bad.Sig[0] ^= 1
	h.send(c, &wire.MsgEvent{Event: &bad})
	h.sendRaw(c, strings.Replace(string(wire.Encode(&wire.MsgEvent{Event: weak})), `"kind":1`, `"kind":-1`, 1))
	limited = true
	h.send(c, &wire.MsgEvent{Event: weak})

	want := []string{"", "duplicate:", "pow:", "invalid:", "invalid:", "rate-limited:"}
	oks := conn.messages(t)
	if len(got) != len(want) || len(oks) != len(want) {
		t.Fatalf("%d results and %d messages for %d events: %+v", len(got), len(oks), len(want), got)
	}
	for i, w := range want {
		ok, isOK := oks[i].(*wire.MsgOK)
		if !isOK || ok.Accepted != got[i].accepted || ok.Reason != got[i].reason {
			t.Errorf("event %d: hook saw %+v, client got %s", i, got[i], describe(oks[i:i+1]))
		}
		if !strings.HasPrefix(got[i].reason, w) || (w == "") != (got[i].reason == "") {
			t.Errorf("event %d: reason %q, want prefix %q", i, got[i].reason, w)
		}
	}
}
