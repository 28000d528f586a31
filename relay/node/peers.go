package node

import (
	"context"
	"fmt"
	"math/big"
	"math/rand/v2"
	"net/url"
	"sort"
	"sync"
	"time"

	"postwork/chain/wire"
	"postwork/relay"
)

// peer is what the node knows of a connection that said HELLO (or that it
// dialled and greeted).
type peer struct {
	c        *relay.Client
	url      string // the dialled URL; "" for an inbound peer
	outbound bool

	mu        sync.Mutex
	helloSent bool
	self      bool // its HELLO carried this node's nonce: it is this node
	agent     string
	height    uint64
	work      *big.Int // the most work it announced
	inflight  int      // blocks asked of it and not yet answered
}

func (p *peer) announced(height uint64, work *big.Int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if work != nil && (p.work == nil || work.Cmp(p.work) > 0) {
		p.work, p.height = work, height
	}
}

// PeerInfo describes a connected peer for the API.
type PeerInfo struct {
	ID        uint64    `json:"id"`
	Addr      string    `json:"addr"`
	URL       string    `json:"url,omitempty"`
	Outbound  bool      `json:"outbound"`
	Agent     string    `json:"agent"`
	Height    uint64    `json:"height"`
	Work      string    `json:"work"`
	Connected time.Time `json:"connected"`
}

// Peers lists the connected peers, oldest connection first.
func (n *Node) Peers() []PeerInfo {
	n.pmu.Lock()
	var out []PeerInfo
	for c, p := range n.peers {
		if !c.IsPeer() {
			continue
		}
		p.mu.Lock()
		w := "0"
		if p.work != nil {
			w = p.work.Text(16)
		}
		out = append(out, PeerInfo{ID: c.ID(), Addr: c.RemoteIP(), URL: p.url, Outbound: p.outbound, Agent: p.agent, Height: p.height, Work: w, Connected: c.ConnectedAt()})
		p.mu.Unlock()
	}
	n.pmu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// peerOf returns c's peer state, creating it.
func (n *Node) peerOf(c *relay.Client) *peer {
	n.pmu.Lock()
	defer n.pmu.Unlock()
	p := n.peers[c]
	if p == nil {
		p = &peer{c: c}
		n.peers[c] = p
	}
	return p
}

// peerGone forgets a connection that ended and the blocks it owed.
func (n *Node) peerGone(c *relay.Client) {
	n.pmu.Lock()
	p := n.peers[c]
	delete(n.peers, c)
	for h, r := range n.inflight {
		if r.p == p {
			delete(n.inflight, h)
		}
	}
	n.pmu.Unlock()
	if p != nil && c.IsPeer() {
		n.log.Info("peer gone", "peer", c.ID(), "addr", c.RemoteIP(), "url", p.url)
	}
}

// hello is this node's HELLO without its nonce (sendHello adds it), as a
// test impersonating another node sends it.
func (n *Node) hello() *wire.MsgHello {
	tip := n.chain.Tip()
	return &wire.MsgHello{
		Network: n.params.Name,
		Genesis: n.params.GenesisHash(),
		Tip:     tip.Hash,
		Height:  tip.Header.Height,
		Work:    tip.Work,
		Agent:   n.cfg.Agent,
		Version: wire.ProtocolVersion,
	}
}

// newNonce returns a random non-zero HELLO nonce.
func newNonce() uint64 {
	for {
		if v := rand.Uint64(); v != 0 {
			return v
		}
	}
}

// onSelfHello handles a HELLO carrying this node's own nonce: the
// connection joins the node to itself (its own URL among its peers, or an
// address of it learned elsewhere). The accepting end answers with its own
// HELLO, so the dialling end learns it too; the dialling end stops
// dialling that URL. Both ends refuse the connection.
func (n *Node) onSelfHello(c *relay.Client, p *peer) error {
	p.mu.Lock()
	p.self = true
	url, outbound := p.url, p.outbound
	p.mu.Unlock()
	if outbound {
		n.log.Warn("not dialling peer again: it is this node", "url", url,
			"why", "its HELLO carries this node's nonce; remove the URL from --peer")
	} else {
		n.sendHello(p)
	}
	return relay.Rejectf(wire.PrefixInvalid, "connected to itself: the HELLO carries this node's own nonce")
}

func (n *Node) sendHello(p *peer) {
	p.mu.Lock()
	sent := p.helloSent
	p.helloSent = true
	p.mu.Unlock()
	if !sent {
		h := n.hello()
		h.Nonce = n.nonce
		p.c.Send(h)
	}
}

// onHello checks a HELLO: another network or genesis is refused (the core
// then closes the connection). Accepted, the node answers with its own
// HELLO if it has not sent one, asks for headers if the peer has more work,
// and offers its best pending posts.
func (n *Node) onHello(c *relay.Client, m *wire.MsgHello) error {
	if m.Network != n.params.Name || m.Genesis != n.params.GenesisHash() {
		return relay.Rejectf(wire.PrefixInvalid, "wrong network: peer is on %q (genesis %s), this node on %q (genesis %s)",
			m.Network, m.Genesis, n.params.Name, n.params.GenesisHash())
	}
	if m.Version < 1 {
		return relay.Rejectf(wire.PrefixInvalid, "protocol version %d; this node speaks %d", m.Version, wire.ProtocolVersion)
	}
	p := n.peerOf(c)
	if m.Nonce != 0 && m.Nonce == n.nonce {
		return n.onSelfHello(c, p)
	}
	p.mu.Lock()
	first := p.agent == "" && p.work == nil
	p.agent = m.Agent
	p.mu.Unlock()
	p.announced(m.Height, m.Work)
	n.sendHello(p)
	if first {
		n.log.Info("peer", "peer", c.ID(), "addr", c.RemoteIP(), "url", p.url, "agent", m.Agent, "height", m.Height)
	}
	if m.Work.Cmp(n.chain.Tip().Work) > 0 {
		n.getHeaders(p, [32]byte{})
	}
	if first {
		n.offerPending(p)
	}
	return nil
}

// offerPosts is how many pending posts a node sends a new peer: the best
// ones, so two nodes that were apart share what they hold.
const offerPosts = 500

func (n *Node) offerPending(p *peer) {
	posts := n.pool.Select(1<<62, offerPosts)
	for _, ev := range posts {
		frame := wire.Encode(&wire.MsgEvent{Event: ev})
		if !p.c.WaitQueue(context.Background(), len(frame)) {
			return
		}
		p.c.SendFrame(frame)
	}
}

// AddPeer dials url (ws://host:port/ws) and keeps a connection to it while
// Run runs, redialling with exponential backoff; a peer added before Run is
// dialled when it starts. Adding a URL twice does nothing.
func (n *Node) AddPeer(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "ws" && u.Scheme != "wss") || u.Host == "" {
		return fmt.Errorf("node: peer %q: want a ws:// or wss:// URL", rawURL)
	}
	n.dialMu.Lock()
	defer n.dialMu.Unlock()
	if _, ok := n.dialed[rawURL]; ok {
		return nil
	}
	n.dialed[rawURL] = false
	n.startDialsLocked()
	return nil
}

// startDialsLocked starts a dial loop for each added URL that has none,
// if Run runs.
func (n *Node) startDialsLocked() {
	if n.runCtx == nil {
		return
	}
	ctx := n.runCtx
	for url, started := range n.dialed {
		if !started {
			n.dialed[url] = true
			n.runWG.Go(func() { n.dialLoop(ctx, url) })
		}
	}
}

// dialLoop keeps a connection to url until ctx ends.
func (n *Node) dialLoop(ctx context.Context, url string) {
	backoff := n.cfg.RedialMin
	for ctx.Err() == nil {
		dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		c, err := n.ws.Dial(dctx, url)
		cancel()
		if err != nil {
			n.log.Debug("dial", "url", url, "err", err, "retry in", backoff)
		} else {
			p := n.peerOf(c)
			p.mu.Lock()
			p.url, p.outbound = url, true
			p.mu.Unlock()
			n.sendHello(p)
			start := time.Now()
			select {
			case <-c.Done():
			case <-ctx.Done():
				return
			}
			p.mu.Lock()
			self := p.self
			p.mu.Unlock()
			if self {
				return // onSelfHello logged why; the URL stays added, so it is not dialled again
			}
			n.log.Info("peer connection ended", "url", url)
			if time.Since(start) > time.Minute {
				backoff = n.cfg.RedialMin
			}
		}
		// Full jitter keeps nodes that lost a peer together from redialling
		// in step.
		wait := backoff/2 + rand.N(backoff/2+1)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(2*backoff, n.cfg.RedialMax)
	}
}
