package web

import (
	"bytes"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"postwork/chain"
	"postwork/chain/nostr"
)

// fixture is a small chain with posts, profiles, a pending post and peers.
type fixture struct {
	node    *testNode
	h       *Handler
	logs    *bytes.Buffer
	alice   *nostr.Event // kind 1 in block 1
	profile *nostr.Event // alice's kind 0 in block 1
	reply   *nostr.Event // bob's reply in block 1, tagging alice and her post
	carol   *nostr.Event // kind 1 in block 2
	pending *nostr.Event // bob, in the mempool
	b1, b2  *chain.Block
}

const (
	seedAlice = 10
	seedBob   = 11
	seedCarol = 12
	seedMiner = 1
	seedOther = 2
)

func newFixture(t *testing.T) *fixture {
	t.Helper()
	n := newTestNode(t)
	f := &fixture{node: n, logs: new(bytes.Buffer)}
	f.alice = n.addPost(t, seedAlice, 1, "hello from alice\nsecond line")
	f.profile = n.addPost(t, seedAlice, 0, `{"name":"alice","display_name":"Alice","about":"I write posts.","website":"https://alice.example/"}`)
	f.reply = n.addPost(t, seedBob, 1, "hi alice",
		[]string{"e", hex.EncodeToString(f.alice.ID[:])}, []string{"p", hex.EncodeToString(f.alice.PubKey[:])})
	f.b1 = n.mine(t, seedMiner)
	f.carol = n.addPost(t, seedCarol, 1, "carol was here")
	f.b2 = n.mine(t, seedOther)
	f.pending = n.addPost(t, seedBob, 1, "still waiting")
	n.peers = []Peer{
		{Addr: "127.0.0.1:50000", Agent: "postwork/test", Inbound: true, Height: 2, Since: time.Unix(n.clock, 0)},
		{Addr: "ws://127.0.0.2:8080/ws", Agent: "postwork/test", Height: 1, Since: time.Unix(n.clock, 0)},
	}
	n.status.HeaderHeight = 2
	clock := time.Unix(chain.TestNet.GenesisTime, 0).Add(90 * time.Minute)
	f.h = New(n, Options{
		Now:    func() time.Time { return clock },
		Logger: slog.New(slog.NewTextHandler(f.logs, nil)),
	})
	return f
}

// response is a page as a client receives it.
type response struct {
	status int
	header http.Header
	body   string
	doc    *html.Node
}

// get serves path through h without a network, as a browser would ask for
// it (following no redirect).
func get(t *testing.T, h http.Handler, path string) response {
	t.Helper()
	return do(t, h, httptest.NewRequest(http.MethodGet, path, nil))
}

func do(t *testing.T, h http.Handler, req *http.Request) response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	r := response{status: res.StatusCode, header: res.Header, body: string(body)}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		doc, err := html.Parse(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("GET %s: parse: %v", req.URL, err)
		}
		r.doc = doc
	}
	return r
}

// mustPage fails unless r is an HTML page with the status.
func (r response) mustPage(t *testing.T, path string, status int) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("GET %s: status %d, want %d; body:\n%s", path, r.status, status, clipBody(r.body))
	}
	if r.doc == nil {
		t.Fatalf("GET %s: %q is not an HTML page", path, r.header.Get("Content-Type"))
	}
	return r
}

func clipBody(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}

func all(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func byTestID(n *html.Node, id string) []*html.Node {
	return all(n, func(n *html.Node) bool { return attr(n, "data-testid") == id })
}

func byTag(n *html.Node, tag string) []*html.Node {
	return all(n, func(n *html.Node) bool { return n.Data == tag })
}

// one returns the text of the single element with data-testid id.
func (r response) one(t *testing.T, id string) string {
	t.Helper()
	got := byTestID(r.doc, id)
	if len(got) != 1 {
		t.Fatalf("data-testid=%q: %d elements, want 1", id, len(got))
	}
	return text(got[0])
}

func (r response) count(id string) int { return len(byTestID(r.doc, id)) }

// text is what a reader sees of n: its text with white space collapsed.
func text(n *html.Node) string { return strings.Join(strings.Fields(rawText(n)), " ") }

func rawText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func links(n *html.Node) []string {
	var out []string
	for _, a := range byTag(n, "a") {
		out = append(out, attr(a, "href"))
	}
	return out
}

func hasLink(n *html.Node, href string) bool {
	for _, l := range links(n) {
		if l == href {
			return true
		}
	}
	return false
}

func idHex(ev *nostr.Event) string { return hex.EncodeToString(ev.ID[:]) }
