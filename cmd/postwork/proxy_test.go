package main

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"postwork/chain/wire"
)

// With --trusted-proxy, the node counts connections per forwarded client
// address: one client behind the proxy reaching the per-address limit (32)
// does not lock out another behind the same proxy.
func TestTrustedProxyFlag(t *testing.T) {
	base := startNodeCmd(t, "--network", "test", "--trusted-proxy", "127.0.0.0/8")
	url := "ws" + strings.TrimPrefix(strings.TrimSuffix(base, "/"), "http") + "/ws"
	// served reports whether a connection as client ip gets its REQ
	// answered, or the close code it was refused with.
	served := func(ip string) (bool, int) {
		ws, resp, err := websocket.DefaultDialer.Dial(url, http.Header{"X-Forwarded-For": {ip}})
		if err != nil {
			if resp != nil {
				t.Fatalf("%v: %s", err, resp.Status)
			}
			t.Fatal(err)
		}
		t.Cleanup(func() { ws.Close() })
		ws.WriteMessage(websocket.TextMessage, wire.Encode(&wire.MsgReq{SubID: "s", Filters: []wire.Filter{{Kinds: []int{1}}}}))
		ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, data, err := ws.ReadMessage()
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return false, ce.Code
		}
		if err != nil {
			t.Fatal(err)
		}
		return string(data) == `["EOSE","s"]`, 0
	}
	for i := range 32 {
		if ok, code := served("198.51.100.1"); !ok {
			t.Fatalf("connection %d of the first client refused (%d)", i, code)
		}
	}
	if ok, code := served("198.51.100.1"); ok || code != websocket.CloseTryAgainLater {
		t.Errorf("33rd connection of the first client: served %v, close %d; want refused with %d", ok, code, websocket.CloseTryAgainLater)
	}
	if ok, code := served("198.51.100.2"); !ok {
		t.Errorf("another client behind the same proxy refused (%d)", code)
	}
}
