package chromium

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"

	"postwork/chain"
	"postwork/chain/nostr"
	"postwork/relay/node"
	"postwork/relay/store"
	"postwork/relay/web"
	"postwork/relay/web/nodesource"
)

// root is the repository root, where node_modules/ and build/ are.
var root = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}()

// requireTools fails, saying what to run, when the browser check cannot
// run; it is a required check, never skipped.
func requireTools(t *testing.T) string {
	t.Helper()
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	var missing []string
	if _, err := os.Stat(chromium); err != nil {
		missing = append(missing, chromium+" (run `make deps`: apt-get install chromium)")
	}
	if _, err := exec.LookPath("node"); err != nil {
		missing = append(missing, "node on PATH")
	}
	if _, err := os.Stat(filepath.Join(root, "node_modules", "playwright-core")); err != nil {
		missing = append(missing, "node_modules/playwright-core (run `make deps`: npm ci)")
	}
	if len(missing) > 0 {
		t.Fatalf("the Chromium check needs: %s", strings.Join(missing, "; "))
	}
	return chromium
}

func key(seed byte) *btcec.PrivateKey {
	var b [32]byte
	b[0], b[31] = 0x42, seed
	sk, _ := btcec.PrivKeyFromBytes(b[:])
	return sk
}

// signed returns a post of seed's key with NIP-13 work of bits.
func signed(t *testing.T, seed byte, kind int, content string, at time.Time, bits int, tags ...[]string) *nostr.Event {
	t.Helper()
	if tags == nil {
		tags = [][]string{}
	}
	ev := &nostr.Event{Kind: kind, CreatedAt: at.Unix(), Content: content, Tags: tags, PubKey: nostr.PublicKey(key(seed))}
	if err := nostr.MinePoW(context.Background(), ev, bits, nil); err != nil {
		t.Fatal(err)
	}
	if err := ev.Sign(key(seed)); err != nil {
		t.Fatal(err)
	}
	return ev
}

// page is one page the script loads, and what it must find there.
type page struct {
	Name   string   `json:"name"`
	Path   string   `json:"path"`
	Status int      `json:"status"`
	Expect []string `json:"expect"` // data-testid values that must be present
	Text   string   `json:"text,omitempty"`
	Live   bool     `json:"live,omitempty"`
}

func TestPagesInChromium(t *testing.T) {
	chromium := requireTools(t)
	ctx := t.Context()
	p := chain.DevNet
	// The node's clock runs an hour after the network's genesis time, which
	// may be later than the machine's clock.
	offset := time.Unix(p.GenesisTime, 0).Add(time.Hour).Sub(time.Now())
	clock := func() time.Time { return time.Now().Add(offset) }

	st, err := store.Open(ctx, filepath.Join(t.TempDir(), store.FileName), p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	minerKey := nostr.PublicKey(key(1))
	n, err := node.New(node.Config{
		Params: p, Store: st, MinPoW: p.DefaultMinPostBits,
		Threads: 1, MinerKey: minerKey,
		Now: clock, Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	bits := p.DefaultMinPostBits
	now := clock()
	alice := signed(t, 10, 1, "Hello from alice.\nThis post has two lines.", now, bits)
	profile := signed(t, 10, 0, `{"name":"alice","display_name":"Alice","about":"Writes posts, mines blocks.","website":"https://alice.example/"}`, now, bits)
	hostile := signed(t, 66, 1, `<script>alert(1)</script><img src=x onerror=alert(2)> <a href="javascript:alert(3)">x</a>`, now, bits,
		[]string{"t", `"><script>alert(4)</script>`}, []string{"e", hex.EncodeToString(alice.ID[:])})
	evilProfile := signed(t, 66, 0, `{"name":"<img src=x onerror=alert(5)>","about":"<script>alert(6)</script>","website":"javascript:alert(7)"}`, now, bits)
	for _, ev := range []*nostr.Event{alice, profile, hostile, evilProfile} {
		if err := n.Submit(ctx, ev); err != nil {
			t.Fatalf("submit: %v", err)
		}
	}

	// Mine a few blocks: the first confirms the posts.
	for range 4 {
		if _, err := n.MineOne(ctx); err != nil {
			t.Fatalf("mine: %v", err)
		}
	}
	if n.Pool().Len() != 0 {
		t.Fatalf("%d posts still pending after mining", n.Pool().Len())
	}
	pending := signed(t, 11, 1, "Waiting for a block: <b>not bold</b>", clock(), bits+4)
	if err := n.Submit(ctx, pending); err != nil {
		t.Fatal(err)
	}

	src := nodesource.New(n, st, clock().Add(-90*time.Minute))
	h := web.New(src, web.Options{Now: clock, PollInterval: 100 * time.Millisecond})
	mux := http.NewServeMux()
	mux.Handle("/ws", n.WebSocket())
	h.Register(mux)
	mux.HandleFunc("/", h.NotFound)
	var seq atomic.Int64
	mux.HandleFunc("POST /test/post", func(w http.ResponseWriter, r *http.Request) {
		content := fmt.Sprintf("live post %d", seq.Add(1))
		if err := n.Submit(r.Context(), signed(t, 12, 1, content, clock(), bits)); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_, _ = w.Write([]byte(content))
	})
	mux.HandleFunc("POST /test/mine", func(w http.ResponseWriter, r *http.Request) {
		b, err := n.MineOne(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_, _ = fmt.Fprint(w, b.Header.Height)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 10 * time.Second}
	srv.RegisterOnShutdown(h.Close)
	go srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = n.Shutdown(ctx)
		_ = srv.Shutdown(ctx)
	})
	base := "http://" + ln.Addr().String()

	// A second node dials this one, so /peers has a real peer.
	peerNode, err := node.New(node.Config{Params: p, Now: clock, Logger: slog.New(slog.DiscardHandler),
		Peers: []string{"ws://" + ln.Addr().String() + "/ws"}})
	if err != nil {
		t.Fatal(err)
	}
	peerCtx, stopPeer := context.WithCancel(ctx)
	peerDone := make(chan error, 1)
	go func() { peerDone <- peerNode.Run(peerCtx) }()
	t.Cleanup(func() {
		stopPeer()
		<-peerDone
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = peerNode.Shutdown(ctx)
	})
	deadline := time.Now().Add(30 * time.Second)
	for len(n.Peers()) == 0 || peerNode.Chain().Tip().Hash != n.Chain().Tip().Hash {
		if time.Now().After(deadline) {
			t.Fatalf("the second node did not connect and sync in 30 s (%d peers, its tip %d)", len(n.Peers()), peerNode.Chain().Tip().Header.Height)
		}
		time.Sleep(20 * time.Millisecond) // polling the nodes' state, with a deadline
	}

	tip := n.Chain().Tip()
	id := func(ev *nostr.Event) string { return hex.EncodeToString(ev.ID[:]) }
	pages := []page{
		{Name: "explorer", Path: "/explorer", Status: 200, Expect: []string{"tip-height", "hashrate", "recent-blocks", "recent-posts"}, Live: true},
		{Name: "block-tip", Path: "/block/" + tip.Hash.String(), Status: 200, Expect: []string{"block-hash", "block-miner", "block-prev"}},
		{Name: "block-genesis", Path: "/block/0", Status: 200, Expect: []string{"block-hash", "block-child"}},
		{Name: "post", Path: "/post/" + id(alice), Status: 200, Expect: []string{"post-content", "post-proof", "post-confirmations"}, Text: "This post has two lines."},
		{Name: "post-hostile", Path: "/post/" + id(hostile), Status: 200, Expect: []string{"post-content", "post-tags"}, Text: "<script>alert(1)</script>"},
		{Name: "post-pending", Path: "/post/" + id(pending), Status: 200, Expect: []string{"post-status"}, Text: "<b>not bold</b>"},
		{Name: "author", Path: "/author/" + nostr.EncodeNpub(alice.PubKey), Status: 200, Expect: []string{"profile-name", "author-posts"}, Text: "Writes posts, mines blocks."},
		{Name: "author-hostile", Path: "/author/" + nostr.EncodeNpub(hostile.PubKey), Status: 200, Expect: []string{"profile-name"}, Text: "<img src=x onerror=alert(5)>"},
		{Name: "author-miner", Path: "/author/" + nostr.EncodeNpub(minerKey), Status: 200, Expect: []string{"rewards-total"}},
		{Name: "mempool", Path: "/mempool", Status: 200, Expect: []string{"mempool-summary", "mempool-posts"}, Live: true},
		{Name: "peers", Path: "/peers", Status: 200, Expect: []string{"peer-row"}, Text: "inbound"},
		{Name: "status", Path: "/status", Status: 200, Expect: []string{"status-version", "status-storage", "status-sync"}},
		{Name: "search-height", Path: "/search?q=1", Status: 200, Expect: []string{"block-hash"}},
		{Name: "search-bad", Path: "/search?q=%3Cscript%3E", Status: 400, Expect: []string{"error-message"}},
		{Name: "not-found", Path: "/post/" + strings.Repeat("ab", 32), Status: 404, Expect: []string{"error-message"}},
	}
	list, _ := json.Marshal(pages)
	out := filepath.Join(root, "build", "screenshots")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}

	ctxRun, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctxRun, "node", filepath.Join("relay", "web", "chromium", "testdata", "pages.mjs"), base, out, string(list))
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromium)
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	began := time.Now()
	err = cmd.Run()
	t.Logf("pages.mjs (%.1f s):\n%s", time.Since(began).Seconds(), output.String())
	if err != nil {
		t.Fatalf("pages.mjs: %v", err)
	}
}
