package hub

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"time"

	"postwork/chain"
	"postwork/chain/wire"
	"postwork/relay"
)

// recentBodies is how many of the best chain's last blocks the hub asks a
// peer for after following its headers: what a light node fetches
// (wasm/lightnode.DefaultRecentBlocks).
const recentBodies = 32

// askTimeout is how long a body asked for may go unanswered before the hub
// asks again.
const askTimeout = 30 * time.Second

// peer is what the hub knows of a connection that said HELLO.
type peer struct {
	helloSent bool
	work      *big.Int
	height    uint64
}

// peerOf returns c's state, creating it; call with cmu held.
func (h *Hub) peerOfLocked(c *relay.Client) *peer {
	p := h.peers[c]
	if p == nil {
		p = &peer{}
		h.peers[c] = p
	}
	return p
}

func (h *Hub) peerGone(c *relay.Client) {
	h.cmu.Lock()
	delete(h.peers, c)
	h.cmu.Unlock()
}

// HandleChain is relay.Backend's: the hub answers HELLO, GETHEADERS and
// GETBLOCKS from its header chain and block cache, follows HEADERS, TIP
// and BLOCK, and announces a new tip whose body it holds to the other
// peers.
func (h *Hub) HandleChain(_ context.Context, c *relay.Client, m wire.Message) error {
	h.cmu.Lock()
	defer h.cmu.Unlock()
	switch m := m.(type) {
	case *wire.MsgHello:
		return h.onHello(c, m)
	case *wire.MsgGetHeaders:
		max := m.Max
		if max <= 0 || max > wire.MaxHeadersPerMsg {
			max = wire.MaxHeadersPerMsg
		}
		c.Send(&wire.MsgHeaders{Headers: h.chain.HeadersAfter(m.Locator, m.Stop, max)})
	case *wire.MsgHeaders:
		return h.onHeaders(c, m.Headers)
	case *wire.MsgTip:
		return h.onTip(c, m)
	case *wire.MsgGetBlocks:
		h.onGetBlocks(c, m.Hashes)
	case *wire.MsgBlock:
		return h.onBlock(c, m.Block)
	case *wire.MsgNotFound:
		for _, hash := range m.Hashes {
			delete(h.blocks.asked, hash)
		}
	}
	return nil
}

func (h *Hub) hello() *wire.MsgHello {
	tip := h.chain.Tip()
	return &wire.MsgHello{
		Network: h.params.Name,
		Genesis: h.params.GenesisHash(),
		Tip:     tip.Hash,
		Height:  tip.Header.Height,
		Work:    tip.Work,
		Agent:   Software + "/" + Version,
		Version: wire.ProtocolVersion,
	}
}

// onHello accepts a node of the same network (another is refused and the
// core closes it), answers with the hub's HELLO once and asks for the
// headers of a peer with more work.
func (h *Hub) onHello(c *relay.Client, m *wire.MsgHello) error {
	if m.Network != h.params.Name || m.Genesis != h.params.GenesisHash() {
		return relay.Rejectf(wire.PrefixInvalid, "wrong network: peer is on %q (genesis %s), this relay on %q (genesis %s)",
			m.Network, m.Genesis, h.params.Name, h.params.GenesisHash())
	}
	if m.Version < 1 {
		return relay.Rejectf(wire.PrefixInvalid, "protocol version %d; this relay speaks %d", m.Version, wire.ProtocolVersion)
	}
	p := h.peerOfLocked(c)
	h.announced(p, m.Height, m.Work)
	if !p.helloSent {
		p.helloSent = true
		c.Send(h.hello())
	}
	if m.Work != nil && m.Work.Cmp(h.chain.Tip().Work) > 0 {
		c.Send(&wire.MsgGetHeaders{Locator: h.chain.Locator(), Max: wire.MaxHeadersPerMsg})
	}
	return nil
}

func (h *Hub) announced(p *peer, height uint64, work *big.Int) {
	if work != nil && (p.work == nil || work.Cmp(p.work) > 0) {
		p.work, p.height = work, height
	}
}

// ruleReject turns a consensus violation into a refusal that bans the
// sender, except for a time too far ahead, which an honest node with a
// fast clock sends (as relay/node does).
func ruleReject(what string, err error) error {
	r := relay.Rejectf(wire.PrefixInvalid, "%s: %v", what, err)
	if !errors.Is(err, chain.ErrTimeTooNew) {
		r.Score = relay.ScoreBadChain
	}
	return r
}

// onHeaders adds headers, parents first, asks for more if the message was
// full, and for the bodies of the recent blocks.
func (h *Hub) onHeaders(c *relay.Client, headers []chain.Header) error {
	now := h.now().Unix()
	for i := range headers {
		hd := &headers[i]
		_, err := h.chain.ProcessHeader(hd, now)
		switch {
		case err == nil, errors.Is(err, chain.ErrDuplicateBlock):
		case errors.Is(err, chain.ErrUnknownParent):
			return relay.Rejectf(wire.PrefixInvalid, "header %d of %d does not connect", i, len(headers)).WithScore(10)
		case chain.IsRuleError(err):
			return ruleReject(fmt.Sprintf("header %d (%s)", hd.Height, hd.Hash()), err)
		default:
			return err
		}
	}
	if n := len(headers); n > 0 {
		last := headers[n-1]
		if n == wire.MaxHeadersPerMsg {
			c.Send(&wire.MsgGetHeaders{Locator: []chain.Hash{last.Hash()}, Max: wire.MaxHeadersPerMsg})
			return nil
		}
	}
	h.askBodies(c)
	return nil
}

// askBodies asks c for the bodies of the best chain's recent blocks that
// the hub lacks and has not asked for lately.
func (h *Hub) askBodies(c *relay.Client) {
	tip := h.chain.Tip().Header.Height
	now := h.now()
	var hashes []chain.Hash
	for height := tip; height > 0 && tip-height < recentBodies; height-- {
		hd, ok := h.chain.HeaderAt(height)
		if !ok {
			break
		}
		hash := hd.Hash()
		if h.blocks.has(hash) {
			continue
		}
		if at, ok := h.blocks.asked[hash]; ok && now.Sub(at) < askTimeout {
			continue
		}
		h.blocks.asked[hash] = now
		hashes = append(hashes, hash)
	}
	for len(hashes) > 0 {
		k := min(len(hashes), wire.MaxBlocksPerMsg)
		c.Send(&wire.MsgGetBlocks{Hashes: hashes[:k]})
		hashes = hashes[k:]
	}
}

// onTip follows a peer's new best block: its header if the parent is
// known (then its body), else the headers in between.
func (h *Hub) onTip(c *relay.Client, m *wire.MsgTip) error {
	h.announced(h.peerOfLocked(c), m.Header.Height, m.Work)
	hash := m.Header.Hash()
	if _, known := h.chain.HeaderByHash(hash); !known {
		if _, parent := h.chain.HeaderByHash(m.Header.Prev); !parent {
			c.Send(&wire.MsgGetHeaders{Locator: h.chain.Locator(), Stop: hash, Max: wire.MaxHeadersPerMsg})
			return nil
		}
		if _, err := h.chain.ProcessHeader(&m.Header, h.now().Unix()); err != nil && !errors.Is(err, chain.ErrDuplicateBlock) {
			if chain.IsRuleError(err) {
				return ruleReject("tip header", err)
			}
			return err
		}
	}
	h.askBodies(c)
	return nil
}

// onGetBlocks sends the cached blocks asked for and one NOTFOUND for the
// rest.
func (h *Hub) onGetBlocks(c *relay.Client, hashes []chain.Hash) {
	var missing []chain.Hash
	for _, hash := range hashes {
		b := h.blocks.get(hash)
		if b == nil {
			missing = append(missing, hash)
			continue
		}
		c.Send(&wire.MsgBlock{Block: b})
	}
	if len(missing) > 0 {
		c.Send(&wire.MsgNotFound{Hashes: missing})
	}
}

// onBlock checks a block (asked for, or mined by a light node): its header
// joins the header chain, its body must pass the sanity checks (Merkle
// root, coinbase, every post's id and signature). A block on the best
// chain is kept for GETBLOCKS, its posts go to subscribers, and if it is
// the new tip every other peer hears of it, once.
func (h *Hub) onBlock(c *relay.Client, b *chain.Block) error {
	hash := b.Hash()
	delete(h.blocks.asked, hash)
	if h.blocks.has(hash) {
		return nil
	}
	// The body first: a header whose body is invalid must not become the
	// tip, since no valid body can ever match its Merkle root.
	if err := chain.CheckBlockSanity(h.params, b); err != nil {
		if chain.IsRuleError(err) {
			return ruleReject("block "+hash.String(), err)
		}
		return err
	}
	if _, known := h.chain.HeaderByHash(hash); !known {
		_, err := h.chain.ProcessHeader(&b.Header, h.now().Unix())
		switch {
		case err == nil, errors.Is(err, chain.ErrDuplicateBlock):
		case errors.Is(err, chain.ErrUnknownParent):
			c.Send(&wire.MsgGetHeaders{Locator: h.chain.Locator(), Stop: hash, Max: wire.MaxHeadersPerMsg})
			return nil
		case chain.IsRuleError(err):
			return ruleReject("block "+hash.String(), err)
		default:
			return err
		}
	}
	h.blocks.add(b)
	for _, ev := range b.Events {
		h.relay.Deliver(ev)
	}
	if tip := h.chain.Tip(); tip.Hash == hash && !h.blocks.announced(hash) {
		h.blocks.markAnnounced(hash)
		h.relay.Broadcast(&wire.MsgTip{Header: tip.Header, Work: tip.Work}, c)
	}
	return nil
}

// Resync asks every peer that announced more work than the hub's tip for
// headers: after a restore (the header chain starts again from genesis
// when the Durable Object was evicted) nobody else would.
func (h *Hub) Resync() {
	h.cmu.Lock()
	defer h.cmu.Unlock()
	tip := h.chain.Tip()
	for c, p := range h.peers {
		if c.IsPeer() && p.work != nil && p.work.Cmp(tip.Work) > 0 {
			c.Send(&wire.MsgGetHeaders{Locator: h.chain.Locator(), Max: wire.MaxHeadersPerMsg})
		}
	}
}

// blockCache holds recent blocks, bounded in count and bytes, oldest out.
type blockCache struct {
	maxCount, maxBytes int
	order              []chain.Hash
	byHash             map[chain.Hash]cachedBlock
	bytes              int
	asked              map[chain.Hash]time.Time
}

type cachedBlock struct {
	b         *chain.Block
	size      int
	announced bool
}

func newBlockCache(maxCount, maxBytes int) blockCache {
	return blockCache{maxCount: maxCount, maxBytes: maxBytes, byHash: make(map[chain.Hash]cachedBlock), asked: make(map[chain.Hash]time.Time)}
}

func (bc *blockCache) has(hash chain.Hash) bool { _, ok := bc.byHash[hash]; return ok }

func (bc *blockCache) get(hash chain.Hash) *chain.Block { return bc.byHash[hash].b }

func (bc *blockCache) announced(hash chain.Hash) bool { return bc.byHash[hash].announced }

func (bc *blockCache) markAnnounced(hash chain.Hash) {
	if e, ok := bc.byHash[hash]; ok {
		e.announced = true
		bc.byHash[hash] = e
	}
}

func (bc *blockCache) add(b *chain.Block) {
	hash := b.Hash()
	size := chain.HeaderSize + len(b.EncodeBody())
	bc.byHash[hash] = cachedBlock{b: b, size: size}
	bc.order = append(bc.order, hash)
	bc.bytes += size
	for len(bc.order) > bc.maxCount || (bc.bytes > bc.maxBytes && len(bc.order) > 1) {
		old := bc.order[0]
		bc.order = bc.order[1:]
		bc.bytes -= bc.byHash[old].size
		delete(bc.byHash, old)
	}
	// asked is bounded by what askBodies adds: recentBodies per call, and
	// entries go when answered, refused or replaced here.
	if len(bc.asked) > 4*recentBodies {
		clear(bc.asked)
	}
}
