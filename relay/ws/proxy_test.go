package ws

import (
	"errors"
	"net/http"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"postwork/chain/wire"
	"postwork/relay"
)

func TestClientIP(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	for _, tc := range []struct {
		name    string
		peer    string
		trusted []netip.Prefix
		xff     []string
		realIP  string
		want    string
	}{
		{"no proxies configured", "10.0.0.1:5000", nil, []string{"198.51.100.7"}, "", "10.0.0.1"},
		{"untrusted peer's header ignored", "203.0.113.9:5000", trusted, []string{"198.51.100.7"}, "198.51.100.8", "203.0.113.9"},
		{"trusted peer, one hop", "10.0.0.1:5000", trusted, []string{"198.51.100.7"}, "", "198.51.100.7"},
		{"client-written hops left of the real one", "10.0.0.1:5000", trusted, []string{"1.2.3.4, 198.51.100.7"}, "", "198.51.100.7"},
		{"chain of trusted proxies", "10.0.0.1:5000", trusted, []string{"198.51.100.7, 10.1.1.1", "10.2.2.2"}, "", "198.51.100.7"},
		{"every hop trusted", "10.0.0.1:5000", trusted, []string{"10.3.3.3, 10.1.1.1"}, "", "10.3.3.3"},
		{"garbage header", "10.0.0.1:5000", trusted, []string{"not-an-ip"}, "", "10.0.0.1"},
		{"X-Real-IP", "10.0.0.1:5000", trusted, nil, "198.51.100.9", "198.51.100.9"},
		{"X-Forwarded-For wins over X-Real-IP", "10.0.0.1:5000", trusted, []string{"198.51.100.7"}, "198.51.100.9", "198.51.100.7"},
		{"IPv6 proxy and client", "[fd00::1]:5000", trusted, []string{"2001:db8::7"}, "", "2001:db8::7"},
		{"IPv4-mapped client", "10.0.0.1:5000", trusted, []string{"::ffff:198.51.100.7"}, "", "198.51.100.7"},
		{"trusted peer without headers", "10.0.0.1:5000", trusted, nil, "", "10.0.0.1"},
	} {
		r := &http.Request{RemoteAddr: tc.peer, Header: http.Header{}}
		for _, v := range tc.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if tc.realIP != "" {
			r.Header.Set("X-Real-IP", tc.realIP)
		}
		if got := clientIP(r, tc.trusted); got != tc.want {
			t.Errorf("%s: clientIP = %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestParseTrustedProxy(t *testing.T) {
	for in, want := range map[string]string{"127.0.0.1": "127.0.0.1/32", "10.1.2.3/8": "10.0.0.0/8", "::1": "::1/128", "fd00::/8": "fd00::/8"} {
		p, err := ParseTrustedProxy(in)
		if err != nil || p.String() != want {
			t.Errorf("ParseTrustedProxy(%q) = %s, %v; want %s", in, p, err, want)
		}
	}
	for _, in := range []string{"", "localhost", "10.0.0.0/33", "1.2.3.4/x"} {
		if _, err := ParseTrustedProxy(in); err == nil {
			t.Errorf("ParseTrustedProxy(%q) accepted", in)
		}
	}
}

// Behind a trusted proxy (here the test itself on loopback), connections
// count and are banned under the forwarded address: banning one client
// leaves another behind the same proxy connected.
func TestTrustedProxyBansTheClientNotTheProxy(t *testing.T) {
	ts := newTestServer(t, Options{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	var mu sync.Mutex
	byIP := map[string]*relay.Client{}
	ts.relay.OnConnect = append(ts.relay.OnConnect, func(c *relay.Client) {
		mu.Lock()
		defer mu.Unlock()
		byIP[c.RemoteIP()] = c
	})
	dialAs := func(ip string) (*websocket.Conn, error) {
		ws, _, err := websocket.DefaultDialer.Dial(ts.url, http.Header{"X-Forwarded-For": {"203.0.113.50, " + ip}})
		return ws, err
	}
	bad, err := dialAs("198.51.100.1")
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	good, err := dialAs("198.51.100.2")
	if err != nil {
		t.Fatal(err)
	}
	defer good.Close()
	var c *relay.Client
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		mu.Lock()
		c = byIP["198.51.100.1"]
		n := len(byIP)
		mu.Unlock()
		if c != nil && n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("connections seen as %v", byIP)
		}
	}
	if !c.Misbehave(relay.ScoreBadChain, "test") {
		t.Fatal("not banned")
	}
	bad.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		if _, _, err := bad.ReadMessage(); err != nil {
			break
		}
	}
	// The banned client is refused, even through the proxy...
	again, err := dialAs("198.51.100.1")
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	again.SetReadDeadline(time.Now().Add(10 * time.Second))
	var ce *websocket.CloseError
	for {
		_, _, err := again.ReadMessage()
		if err != nil {
			if !errors.As(err, &ce) || ce.Code != relay.ClosePolicyViolation {
				t.Fatalf("banned client's new connection ended with %v, want close %d", err, relay.ClosePolicyViolation)
			}
			break
		}
	}
	// ... while the other client behind the same proxy is served.
	good.WriteMessage(websocket.TextMessage, wire.Encode(&wire.MsgReq{SubID: "s", Filters: []wire.Filter{{}}}))
	good.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, data, err := good.ReadMessage(); err != nil || string(data) != `["EOSE","s"]` {
		t.Fatalf("other client: %s %v", data, err)
	}
}
