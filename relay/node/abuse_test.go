package node

import (
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"postwork/chain"
	"postwork/chain/wire"
	"postwork/relay"
)

// Malformed frames, unknown verbs, oversize messages, invalid signatures and
// a wrong-network HELLO are each answered (or the connection dropped) with a
// reason, while another client keeps getting its events.
func TestAbuseAnsweredOthersServed(t *testing.T) {
	clk := newClock()
	n := startNode(t, clk)
	bystander := dial(t, n.url)
	bystander.subscribe("all", wire.Filter{})
	author := dial(t, n.url)
	served := func(step string) {
		t.Helper()
		ev := post(t, clk, "still serving after "+step)
		if ok := author.publish(ev); !ok.Accepted {
			t.Fatalf("after %s: post refused: %s", step, ok.Reason)
		}
		if got := bystander.waitEvent("all"); got.ID != ev.ID {
			t.Fatalf("after %s: bystander got another event", step)
		}
	}

	c := dial(t, n.url)
	c.sendRaw([]byte(`["EVENT",{"id":`))
	if m, ok := c.next().(*wire.MsgNotice); !ok || !strings.HasPrefix(m.Message, "invalid: ") {
		t.Errorf("malformed frame answered %+v", m)
	}
	served("a malformed frame")

	c.sendRaw([]byte(`["COUNT","x",{}]`))
	if m, ok := c.next().(*wire.MsgNotice); !ok || !strings.HasPrefix(m.Message, "unsupported: ") || !strings.Contains(m.Message, "COUNT") {
		t.Errorf("unknown verb answered %+v", m)
	}
	served("an unknown verb")

	ev := post(t, clk, "forged")
	ev.Sig[10] ^= 0x40
	if ok := c.publish(ev); ok.Accepted || !strings.HasPrefix(ok.Reason, "invalid: ") || !strings.Contains(ok.Reason, "signature") {
		t.Errorf("bad signature answered %+v", ok)
	}
	served("an invalid signature")

	// A frame over the limit for a client that is not a peer: the
	// connection is closed with 1009.
	big := dial(t, n.url)
	big.sendRaw([]byte(`["NOTICE","` + strings.Repeat("x", relay.DefaultLimits.MaxMessageSize) + `"]`))
	if err := big.closed(); !websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
		t.Errorf("oversize frame ended the connection with %v, want 1009", err)
	}
	served("an oversize frame")

	wrong := dial(t, n.url)
	h := n.hello()
	h.Network, h.Genesis = "main", chain.MainNet.GenesisHash()
	wrong.send(h)
	if m, ok := wrong.next().(*wire.MsgNotice); !ok || !strings.Contains(m.Message, "wrong network") {
		t.Errorf("wrong-network HELLO answered %+v", m)
	}
	err := wrong.closed()
	if ce, ok := err.(*websocket.CloseError); !ok || ce.Code != websocket.ClosePolicyViolation || !strings.Contains(ce.Text, "wrong network") {
		t.Errorf("wrong-network peer closed with %v", err)
	}
	served("a wrong-network HELLO")

	// Enough invalid data gets the sender banned: disconnected with a
	// reason, and its next connection refused.
	for i := 0; i < 10; i++ {
		if c.ws.WriteMessage(websocket.TextMessage, []byte(`[`)) != nil {
			break // banned already: the close came back before the last frames went out
		}
	}
	if err := c.closed(); err == nil || !strings.Contains(err.Error(), "blocked") {
		t.Errorf("offender closed with %v, want a blocked reason", err)
	}
	served("banning an offender")
}
