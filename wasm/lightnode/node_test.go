package lightnode

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"postwork/chain"
	"postwork/chain/chaintest"
	"postwork/chain/nostr"
	"postwork/chain/wire"
	"postwork/wasm/headerstore"
	"postwork/wasm/kv"
	"postwork/wasm/outbox"
	"postwork/wasm/wallet"
)

// pipe is an in-memory Conn: the node's end of a connection to testPeer.
type pipe struct {
	toNode   chan []byte
	fromNode chan []byte
	closed   chan struct{}
	once     sync.Once
}

func newPipe() *pipe {
	return &pipe{toNode: make(chan []byte, 4096), fromNode: make(chan []byte, 4096), closed: make(chan struct{})}
}

func (p *pipe) Read(ctx context.Context) ([]byte, error) {
	select {
	case f := <-p.toNode:
		return f, nil
	case <-p.closed:
		return nil, errors.New("pipe closed")
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (p *pipe) Write(_ context.Context, f []byte) error {
	select {
	case p.fromNode <- f:
		return nil
	case <-p.closed:
		return errors.New("pipe closed")
	}
}

func (p *pipe) Close() error {
	p.once.Do(func() { close(p.closed) })
	return nil
}

// testPeer is a scripted relay for one layer's tests: it answers from a
// full chain, and can be told to lie.
type testPeer struct {
	t      *testing.T
	params *chain.Params
	chain  *chain.Chain
	blocks map[chain.Hash]*chain.Block
	tamper func([]chain.Header) []chain.Header
	lie    *wire.MsgHello
	after  func(send func(string))

	mu       sync.Mutex
	received []wire.Message
	conns    int
}

func newTestPeer(t *testing.T, blocks []*chain.Block) *testPeer {
	c, err := chain.New(chain.TestNet, chain.NewMemStore(), chain.Config{})
	if err != nil {
		t.Fatal(err)
	}
	p := &testPeer{t: t, params: chain.TestNet, chain: c, blocks: make(map[chain.Hash]*chain.Block)}
	for _, b := range blocks {
		if _, err := c.ProcessBlock(b, time.Now().Unix()); err != nil {
			t.Fatal(err)
		}
		p.blocks[b.Hash()] = b
	}
	return p
}

func (p *testPeer) dial(ctx context.Context, url string) (Conn, error) {
	c := newPipe()
	p.mu.Lock()
	p.conns++
	p.mu.Unlock()
	go p.serve(c)
	return c, nil
}

func (p *testPeer) serve(c *pipe) {
	send := func(s string) {
		select {
		case c.toNode <- []byte(s):
		case <-c.closed:
		}
	}
	enc := func(m wire.Message) { send(string(wire.Encode(m))) }
	for {
		var f []byte
		select {
		case f = <-c.fromNode:
		case <-c.closed:
			return
		}
		m, err := wire.Parse(f)
		if err != nil {
			p.t.Errorf("light node sent a frame its own codec refuses: %v: %s", err, f)
			continue
		}
		p.mu.Lock()
		p.received = append(p.received, m)
		p.mu.Unlock()
		switch m := m.(type) {
		case *wire.MsgHello:
			tip := p.chain.Tip()
			h := &wire.MsgHello{Network: p.params.Name, Genesis: p.params.GenesisHash(), Tip: tip.Hash, Height: tip.Header.Height, Work: tip.Work, Version: 1}
			if p.lie != nil {
				h = p.lie
			}
			enc(h)
			if p.after != nil {
				p.after(send)
			}
		case *wire.MsgGetHeaders:
			hs := p.chain.HeadersAfter(m.Locator, m.Stop, m.Max)
			if p.tamper != nil {
				hs = p.tamper(hs)
			}
			enc(&wire.MsgHeaders{Headers: hs})
		case *wire.MsgGetBlocks:
			for _, h := range m.Hashes {
				if b := p.blocks[h]; b != nil {
					enc(&wire.MsgBlock{Block: b})
				}
			}
		case *wire.MsgEvent:
			enc(&wire.MsgOK{EventID: m.Event.ID, Accepted: true})
		}
	}
}

// fetch serves the peer's NIP-11 document.
func (p *testPeer) fetch(_ context.Context, url, accept string, max int) ([]byte, error) {
	if accept != "application/nostr+json" {
		return nil, errors.New("404 not found")
	}
	return []byte(`{"limitation":{"min_pow_difficulty":3},"postwork":{"network":"test","genesis":"` + p.params.GenesisHash().String() + `"}}`), nil
}

type harness struct {
	node     *Node
	settings *kv.Mem
	chainDB  *kv.Mem
	cancel   context.CancelFunc
	done     chan struct{}
}

func startNode(t *testing.T, p *testPeer) *harness {
	t.Helper()
	settings, chainDB := kv.NewMem(), kv.NewMem()
	w, _, err := wallet.Load(settings, nil)
	if err != nil {
		t.Fatal(err)
	}
	ob, _, err := outbox.Open(settings)
	if err != nil {
		t.Fatal(err)
	}
	n := New(Config{
		Relay: "ws://peer/ws", Dial: p.dial, Fetch: p.fetch, Wallet: w, Outbox: ob, Settings: settings,
		ChainDB: func(string) (kv.DB, error) { return chainDB, nil },
	})
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{node: n, settings: settings, chainDB: chainDB, cancel: cancel, done: make(chan struct{})}
	go func() { defer close(h.done); n.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-h.done })
	return h
}

func waitState(t *testing.T, n *Node, what string, cond func(State) bool) State {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := n.State()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; state: conn=%s tip=%d problems=%v posts=%+v", what, s.Conn, s.Tip.Height, s.Problems, s.Posts)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func problems(s State) string {
	var b strings.Builder
	for _, p := range s.Problems {
		b.WriteString(p.Text + "\n")
	}
	return b.String()
}

// chainOf returns n blocks on TestNet's genesis; the last one confirms post.
func chainOf(t testing.TB, n int, post *nostr.Event) []*chain.Block {
	g := &chain.TestNet.Genesis().Header
	blocks := chaintest.Branch(t, chain.TestNet, g, n-1, "x")
	last := &blocks[len(blocks)-1].Header
	return append(blocks, chaintest.Child(t, chain.TestNet, last, last.Time+1, "tip", post))
}

func TestSyncAcrossBatchesAndConfirmPosts(t *testing.T) {
	post := chaintest.Post(t, 4, "in the last block", chain.TestNet.GenesisTime)
	n := wire.MaxHeadersPerMsg + 150
	blocks := chainOf(t, n, post)
	h := startNode(t, newTestPeer(t, blocks))
	s := waitState(t, h.node, "synced with the post confirmed", func(s State) bool {
		return s.Sync.Synced && len(s.Posts) == 1 && s.Posts[0].Status == StatusConfirmed
	})
	if s.Tip.Height != uint64(n) || s.Tip.Hash != blocks[n-1].Hash().String() {
		t.Fatalf("tip %d %s", s.Tip.Height, s.Tip.Hash)
	}
	if s.Sync.Headers != n || s.Network != "test" || s.MinBits != 3 {
		t.Fatalf("verified %d headers (want %d), network %q, min bits %d", s.Sync.Headers, n, s.Network, s.MinBits)
	}
	if p := s.Posts[0]; p.Height != uint64(n) || p.Confirmations != 1 || p.Content != "in the last block" {
		t.Fatalf("post %+v", p)
	}
	// Everything is stored: a new node on the same storage starts there.
	h.cancel()
	<-h.done
	stored, err := headerstore.Open(h.chainDB)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Len() != n+1 {
		t.Fatalf("%d headers stored, want %d", stored.Len(), n+1)
	}
}

func TestInvalidHeaderIsNotStored(t *testing.T) {
	blocks := chainOf(t, 20, chaintest.Post(t, 4, "x", chain.TestNet.GenesisTime))
	p := newTestPeer(t, blocks)
	p.tamper = func(hs []chain.Header) []chain.Header {
		for i := range hs {
			if hs[i].Height == 12 {
				hs[i].Bits = 0x1d00ffff // not what the difficulty rule asks
			}
		}
		return hs
	}
	h := startNode(t, p)
	s := waitState(t, h.node, "the invalid header reported", func(s State) bool {
		return strings.Contains(problems(s), "invalid header at height 12")
	})
	if s.Tip.Height != 11 {
		t.Fatalf("tip %d, want 11", s.Tip.Height)
	}
	for _, hd := range storedHeaders(t, h.chainDB) {
		if hd.Height >= 12 {
			t.Fatalf("stored a header at height %d", hd.Height)
		}
	}
}

// A bad header in a full batch ends the session although the node has
// already asked for the next batch: nothing from the bad header on is
// stored, whatever the relay sends next.
func TestInvalidHeaderInFullBatchIsNotStored(t *testing.T) {
	n := wire.MaxHeadersPerMsg + 50
	blocks := chainOf(t, n, chaintest.Post(t, 4, "x", chain.TestNet.GenesisTime))
	p := newTestPeer(t, blocks)
	bad := uint64(wire.MaxHeadersPerMsg - 500)
	p.tamper = func(hs []chain.Header) []chain.Header {
		for i := range hs {
			if hs[i].Height == bad {
				hs[i].Bits = 0x1d00ffff
			}
		}
		return hs
	}
	h := startNode(t, p)
	s := waitState(t, h.node, "the invalid header reported", func(s State) bool {
		return strings.Contains(problems(s), fmt.Sprintf("invalid header at height %d", bad))
	})
	if s.Tip.Height != bad-1 {
		t.Fatalf("tip %d, want %d", s.Tip.Height, bad-1)
	}
	h.cancel()
	<-h.done
	hs := storedHeaders(t, h.chainDB)
	for _, hd := range hs {
		if hd.Height >= bad {
			t.Fatalf("stored a header at height %d", hd.Height)
		}
	}
	if len(hs) != int(bad) {
		t.Fatalf("%d headers stored, want %d (genesis to %d)", len(hs), bad, bad-1)
	}
}

// storedHeaders decodes every header in the store's records.
func storedHeaders(t *testing.T, db kv.DB) []chain.Header {
	t.Helper()
	var out []chain.Header
	for _, e := range must(db.All(kv.StoreHeaders)) {
		for v := e.Value; len(v) >= chain.HeaderSize; v = v[chain.HeaderSize:] {
			hd, err := chain.DecodeHeader(v[:chain.HeaderSize])
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, hd)
		}
	}
	return out
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestLyingTipIsCalledOut(t *testing.T) {
	blocks := chainOf(t, 5, chaintest.Post(t, 4, "x", chain.TestNet.GenesisTime))
	p := newTestPeer(t, blocks)
	tip := p.chain.Tip()
	p.lie = &wire.MsgHello{Network: "test", Genesis: chain.TestNet.GenesisHash(), Tip: chain.Hash{9}, Height: 999, Work: new(big.Int).Lsh(tip.Work, 10), Version: 1}
	h := startNode(t, p)
	s := waitState(t, h.node, "the lie reported", func(s State) bool {
		return strings.Contains(problems(s), "claimed a best block")
	})
	if s.Tip.Height != 5 || !strings.Contains(problems(s), "height 999") {
		t.Fatalf("tip %d; problems %s", s.Tip.Height, problems(s))
	}
}

func TestGarbageIsToleratedThenCutOff(t *testing.T) {
	blocks := chainOf(t, 3, chaintest.Post(t, 4, "x", chain.TestNet.GenesisTime))
	p := newTestPeer(t, blocks)
	p.after = func(send func(string)) {
		send(`nonsense`)
		send(`["UNKNOWN","verb"]`)
		send(`["EVENT",{"id":"00"}]`)
	}
	h := startNode(t, p)
	s := waitState(t, h.node, "synced despite garbage", func(s State) bool { return s.Sync.Synced && s.Tip.Height == 3 })
	if got := strings.Count(problems(s), "malformed"); got != 2 {
		t.Fatalf("%d malformed-frame problems, want 2 (unknown verbs are ignored): %s", got, problems(s))
	}

	flood := newTestPeer(t, blocks)
	flood.after = func(send func(string)) {
		for range maxGarbage + 5 {
			send(`[`)
		}
	}
	h2 := startNode(t, flood)
	waitState(t, h2.node, "the flooding relay dropped", func(s State) bool {
		return s.Conn == "closed" && strings.Contains(s.ConnDetail, "malformed messages")
	})
}

func TestOfflinePostGoesOutOnConnect(t *testing.T) {
	blocks := chainOf(t, 3, chaintest.Post(t, 4, "x", chain.TestNet.GenesisTime))
	p := newTestPeer(t, blocks)
	settings := kv.NewMem()
	w, _, _ := wallet.Load(settings, nil)
	ob, _, _ := outbox.Open(settings)
	e := &nostr.Event{PubKey: w.PubKey(), CreatedAt: chain.TestNet.GenesisTime, Kind: 1, Tags: [][]string{}, Content: "written offline"}
	if err := w.Sign(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	// Not connected yet: the post waits in the outbox.
	n := New(Config{Relay: "ws://peer/ws", Dial: p.dial, Fetch: p.fetch, Wallet: w, Outbox: ob, Settings: settings,
		ChainDB: func(string) (kv.DB, error) { return kv.NewMem(), nil }})
	if err := n.Publish(e); err != nil {
		t.Fatal(err)
	}
	if s := n.State(); len(s.Posts) != 1 || s.Posts[0].Status != StatusSending || !s.Posts[0].Mine {
		t.Fatalf("offline post: %+v", s.Posts)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); n.Run(ctx) }()
	defer func() { cancel(); <-done }()
	waitState(t, n, "the post accepted and pending", func(s State) bool {
		for _, p := range s.Posts {
			if p.Content == "written offline" {
				return p.Status == StatusPending
			}
		}
		return false
	})
	if len(ob.Waiting()) != 0 {
		t.Fatal("accepted post still in the outbox")
	}
}

// FuzzSessionFrames feeds arbitrary frames to a synced session: nothing a
// relay sends may panic the node.
func FuzzSessionFrames(f *testing.F) {
	seeds := []string{
		`["HEADERS","AAAA"]`, `["TIP",{}]`, `["BLOCK","AAAA"]`, `["OK","00",true,""]`, `["EVENT","s",{}]`,
		`["NOTICE","hi"]`, `["CLOSED","feed","error: x"]`, `["GETHEADERS",{"locator":[]}]`, `["GETBLOCKS",["` + strings.Repeat("0", 64) + `"]]`,
		`["HELLO",{"network":"main","genesis":"` + strings.Repeat("0", 64) + `","tip":"` + strings.Repeat("0", 64) + `","height":1,"work":"1","version":1}]`,
		`["NOTFOUND",[]]`, `["EOSE","feed"]`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	blocks := chainOf(f, 3, chaintest.Post(f, 4, "x", chain.TestNet.GenesisTime))
	f.Fuzz(func(t *testing.T, frame []byte) {
		settings := kv.NewMem()
		w, _, _ := wallet.Load(settings, nil)
		ob, _, _ := outbox.Open(settings)
		n := New(Config{Wallet: w, Outbox: ob, Settings: settings, ChainDB: func(string) (kv.DB, error) { return kv.NewMem(), nil }})
		nw, err := n.useNetwork(chain.TestNet)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range blocks {
			nw.chain.ProcessHeader(&b.Header, time.Now().Unix())
		}
		ctx, cancel := context.WithCancelCause(context.Background())
		defer cancel(nil)
		s := &session{n: n, conn: newPipe(), ctx: ctx, cancel: cancel, start: time.Now(), net: nw,
			wanted: map[chain.Hash]bool{blocks[2].Hash(): true}, sent: map[[32]byte]time.Time{}}
		s.mu.Lock()
		s.handle(frame)
		s.mu.Unlock()
		n.State()
	})
}
