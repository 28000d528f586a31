package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"

	"postwork/chain"
	"postwork/chain/nostr"
	"postwork/relay/api"
	"postwork/relay/node"
	"postwork/relay/store"
)

// env is a full node on the test network over a SQLite store in a temp
// dir, serving /ws and the API on a loopback port until the test ends.
type env struct {
	t     *testing.T
	node  *node.Node
	store *store.Store
	key   *btcec.PrivateKey // the node's key: mining and tutorial posts
	url   string            // http://127.0.0.1:port
}

func start(t *testing.T, mutate ...func(*node.Config)) *env {
	t.Helper()
	key, err := nostr.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), store.Path(t.TempDir()), chain.TestNet)
	if err != nil {
		t.Fatal(err)
	}
	cfg := node.Config{Params: chain.TestNet, Store: st, Threads: 1, MinerKey: nostr.PublicKey(key),
		RedialMin: 20 * time.Millisecond, RedialMax: 200 * time.Millisecond}
	for _, m := range mutate {
		m(&cfg)
	}
	n, err := node.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/ws", n.WebSocket())
	api.New(n.API(), api.Options{Key: key, SyncWait: 15 * time.Second}).Register(mux)
	srv := httptest.NewServer(mux)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }() // returns when ctx ends
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		n.Shutdown(sctx)
		srv.Close()
		st.Close()
	})
	return &env{t: t, node: n, store: st, key: key, url: srv.URL}
}

// mine mines one block now with the pending posts.
func (e *env) mine() *chain.Block {
	e.t.Helper()
	b, err := e.node.MineOne(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

// response is an answer read whole.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Fatalf("content type %q, want JSON; body %s", ct, r.body)
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("body is not the JSON expected: %v\n%s", err, r.body)
	}
}

// errorText is the {"error"} of a JSON error answer.
func (r response) errorText(t *testing.T) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	r.json(t, &e)
	if e.Error == "" {
		t.Fatalf("error answer without a message: %s", r.body)
	}
	return e.Error
}

func (e *env) do(method, path string, body []byte, hdr ...string) response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.url+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func (e *env) get(path string) response { return e.do("GET", path, nil) }

func (e *env) postJSON(path string, v any) response {
	e.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.do("POST", path, b, "Content-Type", "application/json")
}

// getJSON GETs path, expects 200 and decodes the body into v.
func (e *env) getJSON(path string, v any) {
	e.t.Helper()
	r := e.get(path)
	if r.status != http.StatusOK {
		e.t.Fatalf("GET %s: %d %s", path, r.status, r.body)
	}
	r.json(e.t, v)
}

// wantError checks an error answer's status and that its message holds
// each of parts.
func wantError(t *testing.T, what string, r response, status int, parts ...string) {
	t.Helper()
	if r.status != status {
		t.Errorf("%s: status %d, want %d; body %s", what, r.status, status, r.body)
		return
	}
	msg := r.errorText(t)
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("%s: error %q lacks %q", what, msg, p)
		}
	}
}

var authorKey, _ = nostr.GenerateKey()

// signed returns a kind-1 post by authorKey with at least bits of NIP-13
// work.
func signed(t *testing.T, content string, bits int) *nostr.Event {
	t.Helper()
	ev := &nostr.Event{PubKey: nostr.PublicKey(authorKey), CreatedAt: time.Now().Unix(), Kind: 1, Tags: [][]string{}, Content: content}
	if err := nostr.MinePoW(context.Background(), ev, bits, nil); err != nil {
		t.Fatal(err)
	}
	if err := ev.Sign(authorKey); err != nil {
		t.Fatal(err)
	}
	return ev
}

// eventJSON is an event's NIP-01 JSON.
func eventJSON(ev *nostr.Event) []byte { return ev.AppendJSON(nil) }

// waitFor polls cond until it holds or 15 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
