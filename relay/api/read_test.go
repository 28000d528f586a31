package api_test

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"postwork/chain"
	"postwork/chain/nostr"
	"postwork/relay/node"
)

func TestPostsQuery(t *testing.T) {
	e := start(t)
	other, _ := nostr.GenerateKey()
	var mine []*nostr.Event
	for i := range 3 {
		ev := signed(t, fmt.Sprint("mine ", i), 0)
		ev.CreatedAt -= int64(10 * (3 - i)) // distinct times, oldest first
		ev.Sign(authorKey)
		mine = append(mine, ev)
	}
	profile := &nostr.Event{PubKey: nostr.PublicKey(other), CreatedAt: time.Now().Unix(), Kind: 0, Tags: [][]string{}, Content: `{"name":"other"}`}
	profile.Sign(other)
	for _, ev := range append(mine, profile) {
		if r := e.do("POST", "/api/posts", eventJSON(ev)); r.status != http.StatusAccepted {
			t.Fatalf("submit: %d %s", r.status, r.body)
		}
	}
	e.mine() // some confirmed, one pending
	late := signed(t, "pending one", 0)
	e.do("POST", "/api/posts", eventJSON(late))

	ids := func(path string) []string {
		var out struct {
			Posts []postJSON `json:"posts"`
		}
		e.getJSON(path, &out)
		var s []string
		for _, p := range out.Posts {
			ev := parseEvent(t, p.Event)
			s = append(s, ev.Content+"/"+p.Status)
		}
		return s
	}
	pub := nostr.PublicKey(authorKey)
	npub := nostr.EncodeNpub(pub)
	want := "[pending one/pending mine 2/confirmed mine 1/confirmed mine 0/confirmed]"
	for _, author := range []string{npub, hex.EncodeToString(pub[:]), strings.ToUpper(hex.EncodeToString(pub[:]))} {
		if got := fmt.Sprint(ids("/api/posts?author=" + author)); got != want {
			t.Errorf("author=%s: %s, want %s", author[:10], got, want)
		}
	}
	if got := fmt.Sprint(ids("/api/posts?author=" + npub + "&limit=2")); got != "[pending one/pending mine 2/confirmed]" {
		t.Errorf("limit=2: %s", got)
	}
	if got := fmt.Sprint(ids(fmt.Sprintf("/api/posts?author=%s&until=%d", npub, mine[1].CreatedAt))); got != "[mine 1/confirmed mine 0/confirmed]" {
		t.Errorf("until: %s", got)
	}
	if got := fmt.Sprint(ids("/api/posts?kind=0")); got != `[{"name":"other"}/confirmed]` {
		t.Errorf("kind=0: %s", got)
	}
	if got := ids("/api/posts?author=" + nostr.EncodeNpub(nostr.PublicKey(e.key))); len(got) != 0 {
		t.Errorf("a key with no posts: %v", got)
	}
	wantError(t, "bad npub", e.get("/api/posts?author=npub1xyz"), 400, "not a valid npub")
	wantError(t, "bad key", e.get("/api/posts?author=alice"), 400, "neither an npub nor")
	wantError(t, "kind too big", e.get("/api/posts?kind=70000"), 400, "out of range")
	wantError(t, "limit too big", e.get("/api/posts?limit=501"), 400, "out of range")
	wantError(t, "misspelt", e.get("/api/posts?autor="+npub), 400, `unknown parameter "autor"`)
	wantError(t, "bad escape", e.get("/api/posts?author=%zz"), 400, "malformed query")
}

// A post made of markup comes back as JSON data: a JSON string, escaped,
// with nosniff, equal to what was posted.
func TestHostilePostIsData(t *testing.T) {
	e := start(t)
	hostile := `</script><script>alert(1)</script><img src=x onerror=alert(2)> "quoted" \ ` + "\u2028 \x00"
	ev := signed(t, hostile, 0)
	ev.Tags = [][]string{{"t", "<b>bold</b>"}}
	ev.Sign(authorKey)
	if r := e.do("POST", "/api/posts", eventJSON(ev)); r.status != http.StatusAccepted {
		t.Fatalf("submit: %d %s", r.status, r.body)
	}
	check := func(path string, r response) {
		t.Helper()
		if r.status != http.StatusOK || r.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: %d, nosniff %q", path, r.status, r.header.Get("X-Content-Type-Options"))
		}
		if strings.ContainsAny(string(r.body), "<>") {
			t.Errorf("%s: raw markup in the body: %s", path, r.body)
		}
		if !strings.Contains(string(r.body), `\u003c/script\u003e`) {
			t.Errorf("%s: content not escaped as expected: %s", path, r.body)
		}
	}
	path := "/api/posts/" + hex.EncodeToString(ev.ID[:])
	r := e.get(path)
	check(path, r)
	var p postJSON
	r.json(t, &p)
	if got := parseEvent(t, p.Event); got.Content != hostile || got.Tags[0][1] != "<b>bold</b>" {
		t.Errorf("content came back as %q", got.Content)
	}
	check("/api/mempool", e.get("/api/mempool"))
	check("/pending_tx", e.get("/pending_tx"))
	e.mine()
	check("/api/blocks/1", e.get("/api/blocks/1"))
	check("/chain", e.get("/chain"))
	check("/api/posts", e.get("/api/posts"))
}

func TestMempool(t *testing.T) {
	e := start(t, func(c *node.Config) { c.MinPoW = 2 })
	var evs []*nostr.Event
	for i := range 3 {
		ev := signed(t, fmt.Sprint("pending ", i), 2+4*i)
		evs = append(evs, ev)
		e.do("POST", "/api/posts", eventJSON(ev))
	}
	var m struct {
		Count  int               `json:"count"`
		Bytes  int               `json:"bytes"`
		MinPoW int               `json:"min_pow"`
		Posts  []json.RawMessage `json:"posts"`
	}
	e.getJSON("/api/mempool", &m)
	if m.Count != 3 || m.Bytes != e.node.Pool().Bytes() || m.MinPoW != 2 || len(m.Posts) != 3 {
		t.Fatalf("mempool %+v", m)
	}
	// Best first: the most work, the earliest among equals.
	best := evs[0]
	for _, ev := range evs[1:] {
		if ev.PoW() > best.PoW() {
			best = ev
		}
	}
	if parseEvent(t, m.Posts[0]).ID != best.ID {
		t.Errorf("first post is not the one with the most work")
	}
	e.getJSON("/api/mempool?limit=1", &m)
	if m.Count != 3 || len(m.Posts) != 1 {
		t.Errorf("limit=1: count %d, %d posts", m.Count, len(m.Posts))
	}
	e.getJSON("/api/mempool?limit=0", &m)
	if m.Count != 3 || m.Posts == nil || len(m.Posts) != 0 {
		t.Errorf("limit=0: count %d, posts %v", m.Count, m.Posts)
	}
	wantError(t, "limit too big", e.get("/api/mempool?limit=9999"), 400, "out of range")
	e.mine()
	e.getJSON("/api/mempool", &m)
	if m.Count != 0 || m.Bytes != 0 || len(m.Posts) != 0 {
		t.Errorf("after a block: %+v", m)
	}
}

func TestBalance(t *testing.T) {
	e := start(t)
	for range 3 {
		e.mine()
	}
	pub := nostr.PublicKey(e.key)
	type bal struct {
		PubKey string `json:"pubkey"`
		Npub   string `json:"npub"`
		Reward uint64 `json:"reward"`
		Coins  string `json:"coins"`
		Blocks int    `json:"blocks"`
	}
	for _, key := range []string{nostr.EncodeNpub(pub), hex.EncodeToString(pub[:])} {
		var b bal
		e.getJSON("/api/balance/"+key, &b)
		if b.Blocks != 3 || b.Reward != 3*chain.TestNet.Reward(1) || b.Coins != "150.00000000" || b.Npub != nostr.EncodeNpub(pub) || b.PubKey != hex.EncodeToString(pub[:]) {
			t.Errorf("balance of %s: %+v", key[:8], b)
		}
	}
	var none bal
	e.getJSON("/api/balance/"+nostr.EncodeNpub(nostr.PublicKey(authorKey)), &none)
	if none.Blocks != 0 || none.Reward != 0 || none.Coins != "0.00000000" {
		t.Errorf("a key that mined nothing: %+v", none)
	}
	wantError(t, "bad key", e.get("/api/balance/npub1qqq"), 400, "not a valid npub")
	wantError(t, "nsec given", e.get("/api/balance/nsec1qqq"), 400, "neither an npub nor")
}

func TestPeersHealthAndErrors(t *testing.T) {
	a, b := start(t), start(t)
	if err := a.node.AddPeer("ws" + strings.TrimPrefix(b.url, "http") + "/ws"); err != nil {
		t.Fatal(err)
	}
	var peers struct {
		Peers []struct {
			URL      string `json:"url"`
			Outbound bool   `json:"outbound"`
			Agent    string `json:"agent"`
			Height   uint64 `json:"height"`
		} `json:"peers"`
	}
	waitFor(t, "a peer in /api/peers", func() bool {
		a.getJSON("/api/peers", &peers)
		return len(peers.Peers) == 1
	})
	if p := peers.Peers[0]; !p.Outbound || !strings.HasSuffix(p.URL, "/ws") || !strings.HasPrefix(p.Agent, "postwork/") {
		t.Errorf("peer %+v", p)
	}
	waitFor(t, "the inbound peer at b", func() bool {
		b.getJSON("/api/peers", &peers)
		return len(peers.Peers) == 1 && !peers.Peers[0].Outbound
	})

	var h struct {
		Status  string `json:"status"`
		Network string `json:"network"`
		Peers   int    `json:"peers"`
	}
	a.getJSON("/healthz", &h)
	if h.Status != "ok" || h.Network != "test" || h.Peers != 1 {
		t.Errorf("healthz %+v", h)
	}

	r := a.do("DELETE", "/api/posts", nil)
	wantError(t, "DELETE", r, 405, "method DELETE not allowed")
	if r.header.Get("Allow") != "GET, HEAD, POST" {
		t.Errorf("Allow %q", r.header.Get("Allow"))
	}
	wantError(t, "POST /api/tip", a.do("POST", "/api/tip", []byte("{}")), 405, "use GET, HEAD")
	wantError(t, "unknown route", a.get("/api/nothing/here"), 404, `no API route "/api/nothing/here"`)
	if r := a.do("HEAD", "/api/tip", nil); r.status != 200 || len(r.body) != 0 {
		t.Errorf("HEAD: %d, %d bytes", r.status, len(r.body))
	}
	// A page on another origin may read and post: CORS preflight.
	r = a.do("OPTIONS", "/api/posts", nil, "Origin", "http://elsewhere.example", "Access-Control-Request-Method", "POST")
	if r.status != 204 || r.header.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(r.header.Get("Access-Control-Allow-Methods"), "POST") {
		t.Errorf("preflight: %d %v", r.status, r.header)
	}
	if a.get("/api/tip").header.Get("Access-Control-Allow-Origin") != "*" {
		t.Error("GET without CORS header")
	}
}
