package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"postwork/chain"
	"postwork/chain/nostr"
	"postwork/relay"
)

// fakeNode is a Node of two blocks and one post, for fuzzing the handlers
// alone; the tests in api_test run them over a real node.
type fakeNode struct {
	blocks []*chain.Block
	post   *nostr.Event
}

func newFakeNode(t testing.TB) *fakeNode {
	sk, _ := nostr.GenerateKey()
	ev := &nostr.Event{PubKey: nostr.PublicKey(sk), CreatedAt: 1_800_000_000, Kind: 1, Tags: [][]string{}, Content: "<b>hi</b>"}
	if err := ev.Sign(sk); err != nil {
		t.Fatal(err)
	}
	g := chain.TestNet.Genesis()
	b := &chain.Block{Header: chain.Header{Version: 1, Height: 1, Prev: g.Hash(), Time: g.Header.Time + 1, Bits: g.Header.Bits},
		Coinbase: chain.Coinbase{PubKey: ev.PubKey, Reward: 1}, Events: []*nostr.Event{ev}}
	b.Header.Merkle = b.ComputeMerkle()
	return &fakeNode{blocks: []*chain.Block{g, b}, post: ev}
}

func (f *fakeNode) Params() *chain.Params { return chain.TestNet }
func (f *fakeNode) Tip() chain.Tip {
	b := f.blocks[len(f.blocks)-1]
	return chain.Tip{Hash: b.Hash(), Header: b.Header}
}
func (f *fakeNode) HeaderAt(h uint64) (chain.Header, bool) {
	if h >= uint64(len(f.blocks)) {
		return chain.Header{}, false
	}
	return f.blocks[h].Header, true
}
func (f *fakeNode) HeaderByHash(hash chain.Hash) (chain.Header, bool) {
	for _, b := range f.blocks {
		if b.Hash() == hash {
			return b.Header, true
		}
	}
	return chain.Header{}, false
}
func (f *fakeNode) Block(hash chain.Hash) (*chain.Block, error) {
	for _, b := range f.blocks {
		if b.Hash() == hash {
			return b, nil
		}
	}
	return nil, chain.ErrNotFound
}
func (f *fakeNode) Confirmations(hash chain.Hash) uint64 {
	for i, b := range f.blocks {
		if b.Hash() == hash {
			return uint64(len(f.blocks) - i)
		}
	}
	return 0
}
func (f *fakeNode) Post(ctx context.Context, id [32]byte) (Post, error) {
	if id == f.post.ID {
		return Post{Event: f.post, Confirmed: true, BlockHash: f.blocks[1].Hash(), Height: 1}, nil
	}
	return Post{}, chain.ErrNotFound
}
func (f *fakeNode) Posts(ctx context.Context, q Query) ([]Post, error) {
	p, _ := f.Post(ctx, f.post.ID)
	return []Post{p}, nil
}
func (f *fakeNode) Balance(ctx context.Context, pub [32]byte) (uint64, int, error) { return 0, 0, nil }
func (f *fakeNode) Mempool(limit int) Mempool                                      { return Mempool{} }
func (f *fakeNode) Peers() []Peer                                                  { return nil }
func (f *fakeNode) Hashrate() float64                                              { return 0 }
func (f *fakeNode) MinPoW() int                                                    { return 0 }
func (f *fakeNode) Submit(ctx context.Context, ev *nostr.Event) error {
	if err := ev.Verify(); err != nil {
		return relay.Rejectf("invalid", "%v", err)
	}
	return nil
}
func (f *fakeNode) MineOne(ctx context.Context) (*chain.Block, error) { return f.blocks[1], nil }
func (f *fakeNode) AddPeer(url string) error                          { return nil }

type refuseTransport struct{}

func (refuseTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("no network in this test")
}

// Whatever a client sends, the handlers answer without panicking, with a
// status below 500 (the fake node never fails; register_with's outgoing
// call fails as the other node's fault, a 502), and an answer that says it
// is JSON is JSON.
func FuzzHandlers(f *testing.F) {
	n := newFakeNode(f)
	id := hexString(n.post.ID)
	for _, s := range [][4]string{
		{"GET", "/api/tip", "", ""},
		{"GET", "/api/blocks", "from=0&limit=5", ""},
		{"GET", "/api/blocks/1", "", ""},
		{"GET", "/api/blocks/" + n.blocks[1].Hash().String(), "", ""},
		{"GET", "/api/posts", "author=" + nostr.EncodeNpub(n.post.PubKey) + "&kind=1&until=5&limit=2", ""},
		{"GET", "/api/posts/" + id, "", ""},
		{"POST", "/api/posts", "", string(n.post.AppendJSON(nil))},
		{"POST", "/api/posts", "", `{"id":1}`},
		{"GET", "/api/mempool", "limit=3", ""},
		{"GET", "/api/balance/" + id, "", ""},
		{"GET", "/chain", "", ""},
		{"POST", "/new_transaction", "", `{"author":"a","content":"b"}`},
		{"POST", "/register_node", "", `{"node_address":"http://127.0.0.1:9/"}`},
		{"POST", "/register_with", "", `{"node_address":"http://127.0.0.1:9/"}`},
		{"GET", "/mine", "", ""},
		{"PUT", "/api/posts/x", "a=%zz", "\x00"},
	} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	sk, _ := nostr.GenerateKey()
	f.Fuzz(func(t *testing.T, method, path, rawQuery, body string) {
		// A handler per input: its registered peers are state, and a
		// full set is a 503 by design.
		h := New(n, Options{Key: sk, Client: &http.Client{Transport: refuseTransport{}}, SyncWait: time.Millisecond})
		mux := http.NewServeMux()
		h.Register(mux)
		if method == "" || strings.ContainsFunc(method, func(r rune) bool { return r <= ' ' || r >= 0x7f || strings.ContainsRune("()<>@,;:\\\"/[]?={}", r) }) {
			return
		}
		req := httptest.NewRequest("GET", "/", bytes.NewReader([]byte(body)))
		req.Method = method
		req.URL.Path = "/" + strings.TrimPrefix(path, "/")
		req.URL.RawQuery = rawQuery
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)
		if w.Code >= 500 && !(w.Code == http.StatusBadGateway && req.URL.Path == "/register_with") {
			t.Fatalf("%s %s?%s: %d %s", method, req.URL.Path, rawQuery, w.Code, w.Body)
		}
		if strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") && !json.Valid(w.Body.Bytes()) {
			t.Fatalf("%s %s: invalid JSON %q", method, req.URL.Path, w.Body)
		}
	})
}

// peerAddress accepts only http(s)/ws(s) URLs of a host, and its two
// forms describe the same node: parsing either again gives both back.
func FuzzPeerAddress(f *testing.F) {
	for _, s := range []string{"http://127.0.0.1:8000/", "http://h:1", "https://h/x/", "ws://h:2/ws", "wss://h/p/ws", "http://u@h/", "http:///", "http://h/?q", "javascript:alert(1)", "http://[::1]:80/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		httpAddr, wsURL, err := peerAddress(s)
		if err != nil {
			return
		}
		if !strings.HasPrefix(httpAddr, "http") || !strings.HasSuffix(httpAddr, "/") || !strings.HasPrefix(wsURL, "ws") || !strings.HasSuffix(wsURL, "/ws") {
			t.Fatalf("%q gave %q and %q", s, httpAddr, wsURL)
		}
		for _, again := range []string{httpAddr, wsURL} {
			h2, w2, err := peerAddress(again)
			if err != nil || h2 != httpAddr || w2 != wsURL {
				t.Fatalf("%q gave %q, %q; parsing %q again gave %q, %q, %v", s, httpAddr, wsURL, again, h2, w2, err)
			}
		}
	})
}
