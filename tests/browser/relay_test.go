package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/gorilla/websocket"

	"postwork/chain"
	"postwork/chain/mempool"
	"postwork/chain/miner"
	"postwork/chain/nostr"
	"postwork/chain/wire"
	"postwork/relay"
	"postwork/relay/ws"
)

// scriptedRelay is a test double of a relay at /ws: an honest one that
// speaks the protocol from a chain it mines on demand, which a test can
// turn hostile (garbage frames, invalid headers, a lying tip). It exists
// for what a real node must never do; the user scenarios run against
// `postwork node` itself.
type scriptedRelay struct {
	t      testing.TB
	params *chain.Params
	chain  *chain.Chain
	pool   *mempool.Pool

	mu     sync.Mutex
	blocks map[chain.Hash]*chain.Block
	events []*nostr.Event // everything accepted, in order
	conns  map[*relayConn]bool
	// Hostile behaviour, each off when nil. afterHello runs after the
	// relay answered a HELLO; lieHello replaces the HELLO it answers with;
	// tamper rewrites the headers it serves.
	afterHello func(c *relayConn)
	lieHello   *wire.MsgHello
	tamper     func([]chain.Header) []chain.Header
}

type relayConn struct {
	ws   *websocket.Conn
	wmu  sync.Mutex
	subs map[string][]wire.Filter
}

func (c *relayConn) send(frame []byte) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	c.ws.WriteMessage(websocket.TextMessage, frame)
}

func newScriptedRelay(t testing.TB, p *chain.Params) *scriptedRelay {
	c, err := chain.New(p, chain.NewMemStore(), chain.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return &scriptedRelay{t: t, params: p, chain: c, pool: mempool.New(mempool.Config{}),
		blocks: make(map[chain.Hash]*chain.Block), conns: make(map[*relayConn]bool)}
}

// mine builds, solves and connects a block of the pending posts, then
// announces it. time 0 means now.
func (r *scriptedRelay) mine(at int64) *chain.Block {
	r.t.Helper()
	if at == 0 {
		at = time.Now().Unix()
	}
	parent, times := r.chain.NextParent()
	b, err := miner.NewTemplate(r.params, &parent, times, r.pool, nostr.PublicKey(mustKey(r.t)), at)
	if err != nil {
		r.t.Fatal(err)
	}
	for {
		ok, err := miner.Scan(&b.Header, 1<<16)
		if err != nil {
			r.t.Fatal(err)
		}
		if ok {
			break
		}
	}
	return r.add(b)
}

func (r *scriptedRelay) add(b *chain.Block) *chain.Block {
	r.t.Helper()
	if _, err := r.chain.ProcessBlock(b, time.Now().Unix()); err != nil {
		r.t.Fatalf("scripted relay: own block: %v", err)
	}
	r.pool.RemoveConfirmed(b.Events)
	r.mu.Lock()
	r.blocks[b.Hash()] = b
	conns := r.connList()
	r.mu.Unlock()
	tip := r.chain.Tip()
	frame := wire.Encode(&wire.MsgTip{Header: tip.Header, Work: tip.Work})
	for _, c := range conns {
		c.send(frame)
	}
	return b
}

func (r *scriptedRelay) connList() []*relayConn {
	var out []*relayConn
	for c := range r.conns {
		out = append(out, c)
	}
	return out
}

// broadcast sends a raw frame to every connection.
func (r *scriptedRelay) broadcast(frame []byte) {
	r.mu.Lock()
	conns := r.connList()
	r.mu.Unlock()
	for _, c := range conns {
		c.send(frame)
	}
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// mineHandler mines a block on each request, as the tutorial's /mine does.
func (r *scriptedRelay) mineHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		b := r.mine(0)
		fmt.Fprintf(w, "Block #%d is mined.", b.Header.Height)
	})
}

// apiHandler answers GET /api/posts/{id} as relay/api does, for the
// fields the light node reads: pending, or confirmed with its block and
// Merkle proof; 404 for a post it never saw.
func (r *scriptedRelay) apiHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		id, err := chain.ParseHash(strings.TrimPrefix(req.URL.Path, "/api/posts/"))
		if err != nil {
			http.Error(w, "bad id", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if r.pool.Has(id) {
			fmt.Fprint(w, `{"status":"pending"}`)
			return
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		for hash, b := range r.blocks {
			for i, e := range b.Events {
				if chain.Hash(e.ID) != id || r.chain.Confirmations(hash) == 0 {
					continue
				}
				proof, _ := b.ProveEvent(i)
				hs := make([]string, len(proof))
				for j, p := range proof {
					hs[j] = chain.Hash(p).String()
				}
				json.NewEncoder(w).Encode(map[string]any{"status": "confirmed",
					"block": map[string]any{"hash": hash.String(), "height": b.Header.Height},
					"proof": map[string]any{"index": i + 1, "size": len(b.Events) + 1, "hashes": hs}})
				return
			}
		}
		http.NotFound(w, req)
	})
}

// handler serves the relay at its path: the WebSocket, and its NIP-11
// document (with relay/ws's own handler) to requests that ask for it.
func (r *scriptedRelay) handler() http.Handler {
	info := &relay.Info{SupportedNIPs: []int{1, 11}, Software: "scripted-relay", Version: "test",
		Limitation: relay.Limitation{MinPowDifficulty: r.params.DefaultMinPostBits},
		Postwork:   &relay.ChainInfo{Network: r.params.Name, Genesis: r.params.GenesisHash().String()}}
	return ws.InfoHandler(info, r)
}

func (r *scriptedRelay) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	ws, err := upgrader.Upgrade(w, req, nil)
	if err != nil {
		return
	}
	ws.SetReadLimit(wire.MaxFrameSize)
	c := &relayConn{ws: ws, subs: make(map[string][]wire.Filter)}
	r.mu.Lock()
	r.conns[c] = true
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		delete(r.conns, c)
		r.mu.Unlock()
		ws.Close()
	}()
	for {
		_, frame, err := ws.ReadMessage()
		if err != nil {
			return
		}
		m, err := wire.Parse(frame)
		if err != nil {
			continue
		}
		if os.Getenv("PW_RELAY_DEBUG") != "" {
			r.t.Logf("scripted relay got %.200s", frame)
		}
		r.handle(c, m)
	}
}

func (r *scriptedRelay) handle(c *relayConn, m wire.Message) {
	switch m := m.(type) {
	case *wire.MsgHello:
		// As relay/node does: answer a HELLO of the same network with ours.
		if m.Network != r.params.Name || m.Genesis != r.params.GenesisHash() {
			c.send(wire.Encode(&wire.MsgNotice{Message: "invalid: wrong network"}))
			c.ws.Close()
			return
		}
		tip := r.chain.Tip()
		hello := &wire.MsgHello{Network: r.params.Name, Genesis: r.params.GenesisHash(), Tip: tip.Hash,
			Height: tip.Header.Height, Work: tip.Work, Agent: "scripted-relay", Version: wire.ProtocolVersion}
		if r.lieHello != nil {
			hello = r.lieHello
		}
		c.send(wire.Encode(hello))
		if r.afterHello != nil {
			r.afterHello(c)
		}
	case *wire.MsgGetHeaders:
		hs := r.chain.HeadersAfter(m.Locator, m.Stop, m.Max)
		if r.tamper != nil {
			hs = r.tamper(hs)
		}
		c.send(wire.Encode(&wire.MsgHeaders{Headers: hs}))
	case *wire.MsgGetBlocks:
		var missing []chain.Hash
		for _, h := range m.Hashes {
			r.mu.Lock()
			b := r.blocks[h]
			r.mu.Unlock()
			if b == nil {
				missing = append(missing, h)
				continue
			}
			c.send(wire.Encode(&wire.MsgBlock{Block: b}))
		}
		if len(missing) > 0 {
			c.send(wire.Encode(&wire.MsgNotFound{Hashes: missing}))
		}
	case *wire.MsgEvent:
		if _, err := r.pool.Add(m.Event, time.Now()); err != nil {
			c.send(wire.Encode(&wire.MsgOK{EventID: m.Event.ID, Reason: "invalid: " + err.Error()}))
			return
		}
		r.mu.Lock()
		r.events = append(r.events, m.Event)
		conns := r.connList()
		r.mu.Unlock()
		c.send(wire.Encode(&wire.MsgOK{EventID: m.Event.ID, Accepted: true}))
		for _, o := range conns {
			for sub, fs := range o.subsCopy() {
				if matchAny(fs, m.Event) {
					o.send(wire.Encode(&wire.MsgEvent{SubID: sub, Event: m.Event}))
				}
			}
		}
	case *wire.MsgReq:
		c.wmu.Lock()
		c.subs[m.SubID] = m.Filters
		c.wmu.Unlock()
		r.mu.Lock()
		evs := append([]*nostr.Event(nil), r.events...)
		r.mu.Unlock()
		for i := len(evs) - 1; i >= 0; i-- {
			if matchAny(m.Filters, evs[i]) {
				c.send(wire.Encode(&wire.MsgEvent{SubID: m.SubID, Event: evs[i]}))
			}
		}
		c.send(wire.Encode(&wire.MsgEOSE{SubID: m.SubID}))
	}
}

func (c *relayConn) subsCopy() map[string][]wire.Filter {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	out := make(map[string][]wire.Filter, len(c.subs))
	for k, v := range c.subs {
		out[k] = v
	}
	return out
}

func matchAny(fs []wire.Filter, e *nostr.Event) bool {
	for i := range fs {
		if fs[i].Match(e) {
			return true
		}
	}
	return false
}

func mustKey(t testing.TB) *btcec.PrivateKey {
	t.Helper()
	sk, err := nostr.PrivateKeyFromBytes([32]byte{31: 7})
	if err != nil {
		t.Fatal(err)
	}
	return sk
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, d time.Duration, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out after %s waiting for %s", d, what)
		case <-time.After(20 * time.Millisecond):
		}
	}
}
