package worker

import (
	"context"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"postwork/chain"
	"postwork/chain/chaintest"
	"postwork/chain/nostr"
	"postwork/chain/wire"
	"postwork/relay/node"
)

// A full node (relay/node, mining on the dev network) dials the worker as
// its peer; a light client says HELLO to the worker. The worker follows the
// node's chain and announces each new tip whose body it holds: the client
// gets TIP, fetches the block and the headers, and checks them with the
// chain rules. A post the client gives the worker reaches the node's
// mempool.
func TestWorkerHubWithFullNode(t *testing.T) {
	root := repoRoot(t)
	w := startWrangler(t, root, t.TempDir())

	n := startMiningNode(t, w.url)

	// The light client's own header chain checks what the worker sends.
	light, err := chain.New(chain.DevNet, chain.NewMemStore(), chain.Config{HeadersOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	conn, _, err := websocket.DefaultDialer.Dial(w.url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	write := func(m wire.Message) {
		t.Helper()
		if err := conn.WriteMessage(websocket.TextMessage, wire.Encode(m)); err != nil {
			t.Fatal(err)
		}
	}
	// One reader goroutine (it exits when the test ends or conn closes)
	// queues every message, so the test can also look at what has already
	// arrived without waiting.
	msgs := make(chan wire.Message, 4096)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(msgs)
		for {
			_, frame, err := conn.ReadMessage()
			if err != nil {
				return
			}
			m, err := wire.Parse(frame)
			if err != nil {
				t.Errorf("worker sent %s: %v", frame, err)
				return
			}
			select {
			case msgs <- m:
			case <-stop:
				return
			}
		}
	}()
	// read returns the next message that pred accepts, within 60 s.
	read := func(what string, pred func(wire.Message) bool) wire.Message {
		t.Helper()
		timeout := time.After(60 * time.Second)
		for {
			select {
			case m, ok := <-msgs:
				if !ok {
					t.Fatalf("connection ended waiting for %s\nwrangler:\n%s", what, w.out)
				}
				if pred(m) {
					return m
				}
			case <-timeout:
				t.Fatalf("no %s within 60 s\nwrangler:\n%s", what, w.out)
			}
		}
	}
	tip := light.Tip()
	write(&wire.MsgHello{Network: "dev", Genesis: chain.DevNet.GenesisHash(), Tip: tip.Hash, Work: tip.Work, Agent: "test-light", Version: wire.ProtocolVersion})
	read("the worker's HELLO", func(m wire.Message) bool { _, ok := m.(*wire.MsgHello); return ok })

	// A TIP comes once the worker followed the node and holds the block.
	tipMsg := read("a TIP from the worker", func(m wire.Message) bool { _, ok := m.(*wire.MsgTip); return ok }).(*wire.MsgTip)
	// The node mines a burst of easy blocks at first, more than the worker
	// keeps bodies of: ask for the latest tip announced so far.
	for latest := true; latest; {
		select {
		case m, ok := <-msgs:
			if tm, is := m.(*wire.MsgTip); is {
				tipMsg = tm
			}
			latest = ok
		default:
			latest = false
		}
	}
	hash := tipMsg.Header.Hash()
	write(&wire.MsgGetBlocks{Hashes: []chain.Hash{hash}})
	blk := read("the announced block", func(m wire.Message) bool {
		b, ok := m.(*wire.MsgBlock)
		if !ok {
			if nf, ok := m.(*wire.MsgNotFound); ok {
				t.Fatalf("the worker announced %s but has no body for it: %v", hash, nf.Hashes)
			}
		}
		return ok && b.Block.Hash() == hash
	}).(*wire.MsgBlock)
	if err := chain.CheckBlockSanity(chain.DevNet, blk.Block); err != nil {
		t.Errorf("announced block: %v", err)
	}
	write(&wire.MsgGetHeaders{Locator: light.Locator(), Max: wire.MaxHeadersPerMsg})
	hs := read("HEADERS", func(m wire.Message) bool { _, ok := m.(*wire.MsgHeaders); return ok }).(*wire.MsgHeaders)
	for i := range hs.Headers {
		if _, err := light.ProcessHeader(&hs.Headers[i], time.Now().Unix()); err != nil {
			t.Fatalf("header %d from the worker: %v", hs.Headers[i].Height, err)
		}
	}
	if _, ok := light.HeaderByHash(hash); !ok || light.Tip().Header.Height < tipMsg.Header.Height {
		t.Errorf("after %d headers the light chain is at %d, the TIP said %d", len(hs.Headers), light.Tip().Header.Height, tipMsg.Header.Height)
	}

	// A post through the worker reaches the node.
	ev := &nostr.Event{PubKey: nostr.PublicKey(chaintest.Key(9)), CreatedAt: time.Now().Unix(), Kind: 1, Content: "through the worker"}
	if err := nostr.MinePoW(context.Background(), ev, chain.DevNet.DefaultMinPostBits, nil); err != nil {
		t.Fatal(err)
	}
	if err := ev.Sign(chaintest.Key(9)); err != nil {
		t.Fatal(err)
	}
	write(&wire.MsgEvent{Event: ev})
	ok := read("OK", func(m wire.Message) bool { o, is := m.(*wire.MsgOK); return is && o.EventID == ev.ID }).(*wire.MsgOK)
	if !ok.Accepted {
		t.Fatalf("post refused: %s", ok.Reason)
	}
	deadline := time.Now().Add(30 * time.Second)
	for !n.Pool().Has(ev.ID) {
		if in, _ := n.Chain().HasEvent(ev.ID); in {
			break // mined already
		}
		if time.Now().After(deadline) {
			t.Fatal("the post sent to the worker never reached the full node")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startMiningNode runs a full node on the dev network, mining on one
// thread, with the worker at url as its peer, until the test ends.
func startMiningNode(t *testing.T, url string) *node.Node {
	t.Helper()
	n, err := node.New(node.Config{Params: chain.DevNet, MinPoW: -1, Peers: []string{url}, Mine: true, Threads: 1,
		RedialMin: 50 * time.Millisecond, RedialMax: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }() // returns when ctx is cancelled
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("node: %v", err)
		}
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		n.Shutdown(sctx)
	})
	return n
}
