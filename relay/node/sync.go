package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"sort"
	"time"

	"postwork/chain"
	"postwork/chain/nostr"
	"postwork/chain/wire"
	"postwork/relay"
)

// Sync bounds.
const (
	// maxInflightPerPeer bounds the blocks asked of one peer at a time.
	maxInflightPerPeer = 64
	// requestTimeout is how long a block request may go unanswered before
	// it is asked of someone else.
	requestTimeout = 30 * time.Second
)

// request is a block asked of a peer.
type request struct {
	p  *peer
	at time.Time
}

// HandleChain is relay.Backend's: it serves and follows the chain verbs.
func (n *Node) HandleChain(ctx context.Context, c *relay.Client, m wire.Message) error {
	if h, ok := m.(*wire.MsgHello); ok {
		return n.onHello(c, h)
	}
	p := n.peerOf(c)
	switch m := m.(type) {
	case *wire.MsgTip:
		return n.onTip(p, m)
	case *wire.MsgGetHeaders:
		max := m.Max
		if max == 0 {
			max = wire.MaxHeadersPerMsg
		}
		c.Send(&wire.MsgHeaders{Headers: n.chain.HeadersAfter(m.Locator, m.Stop, max)})
	case *wire.MsgHeaders:
		return n.onHeaders(p, m.Headers)
	case *wire.MsgGetBlocks:
		n.onGetBlocks(ctx, p, m.Hashes)
	case *wire.MsgBlock:
		return n.onBlock(ctx, p, m.Block)
	case *wire.MsgNotFound:
		n.pmu.Lock()
		for _, h := range m.Hashes {
			n.settleLocked(h, p)
		}
		n.pmu.Unlock()
	}
	return nil
}

// ruleReject turns a consensus violation into a refusal that bans the
// sender, except for a time too far ahead, which an honest node with a
// fast clock sends.
func ruleReject(what string, err error) *relay.Reject {
	r := relay.Rejectf(wire.PrefixInvalid, "%s: %v", what, err)
	if !errors.Is(err, chain.ErrTimeTooNew) {
		r.Score = relay.ScoreBadChain
	}
	return r
}

// onTip follows a peer's new best block: its header if the parent is known
// (then its body), else the headers in between.
func (n *Node) onTip(p *peer, m *wire.MsgTip) error {
	p.announced(m.Header.Height, m.Work)
	hash := m.Header.Hash()
	if _, known := n.chain.HeaderByHash(hash); !known {
		if _, parent := n.chain.HeaderByHash(m.Header.Prev); !parent {
			n.getHeaders(p, hash)
			return nil
		}
		if _, err := n.chain.ProcessHeader(&m.Header, n.now().Unix()); err != nil && !errors.Is(err, chain.ErrDuplicateBlock) {
			if chain.IsRuleError(err) {
				return ruleReject("tip header", err)
			}
			return err
		}
	}
	n.requestBlocks(p)
	return nil
}

// getHeaders asks p for the headers after our best chain, up to stop.
func (n *Node) getHeaders(p *peer, stop chain.Hash) {
	p.c.Send(&wire.MsgGetHeaders{Locator: n.chain.Locator(), Stop: stop})
}

// onHeaders adds headers, parents first, then asks for their bodies, and
// for more headers if the message was full.
func (n *Node) onHeaders(p *peer, headers []chain.Header) error {
	now := n.now().Unix()
	for i := range headers {
		h := &headers[i]
		_, err := n.chain.ProcessHeader(h, now)
		switch {
		case err == nil, errors.Is(err, chain.ErrDuplicateBlock):
		case errors.Is(err, chain.ErrUnknownParent):
			// Not an answer to our locator: nothing to build on.
			return relay.Rejectf(wire.PrefixInvalid, "header %d of %d does not connect", i, len(headers)).WithScore(10)
		case chain.IsRuleError(err):
			return ruleReject(fmt.Sprintf("header %d (%s)", h.Height, h.Hash()), err)
		default:
			return err
		}
	}
	if len(headers) > 0 {
		last := headers[len(headers)-1]
		p.announced(last.Height, nil)
		if len(headers) == wire.MaxHeadersPerMsg {
			p.c.Send(&wire.MsgGetHeaders{Locator: []chain.Hash{last.Hash()}})
		}
	}
	n.requestBlocks(p)
	return nil
}

// onGetBlocks sends the blocks asked for, paced by the asker's reading, and
// one NOTFOUND for those the node lacks.
func (n *Node) onGetBlocks(ctx context.Context, p *peer, hashes []chain.Hash) {
	var missing []chain.Hash
	for _, h := range hashes {
		b, err := n.chain.Block(h)
		if err != nil {
			missing = append(missing, h)
			continue
		}
		frame := wire.Encode(&wire.MsgBlock{Block: b})
		if !p.c.WaitQueue(ctx, len(frame)) {
			return
		}
		p.c.SendFrame(frame)
	}
	if len(missing) > 0 {
		p.c.Send(&wire.MsgNotFound{Hashes: missing})
	}
}

// onBlock checks a block from a peer (asked for, announced, or mined by a
// light node) on the connection's reader and hands it to the connect loop,
// so the reader verifies the next block while this one is written. A block
// that fails its own checks is answered here; one that fails against the
// chain is answered by connectSane.
func (n *Node) onBlock(ctx context.Context, p *peer, b *chain.Block) error {
	hash := b.Hash()
	n.pmu.Lock()
	r := n.inflight[hash]
	asked := r != nil && r.p == p
	n.pmu.Unlock()
	if !asked {
		// A block nobody asked for is looked up before its signatures are
		// checked, so a peer resending known blocks costs a lookup each.
		// A block we asked for skips this: the lookup waits for the block
		// being connected, and we ask for each block once.
		if err := n.chain.CheckNew(hash); err != nil {
			switch {
			case errors.Is(err, chain.ErrDuplicateBlock):
				n.requestBlocks(p)
				return nil
			case chain.IsRuleError(err):
				return ruleReject("block "+hash.String(), err)
			}
			return err
		}
	}
	sb, err := chain.CheckSaneKnown(n.params, b, n.verifiedBefore)
	if err != nil {
		n.settle(hash, p)
		if chain.IsRuleError(err) {
			return ruleReject("block "+hash.String(), err)
		}
		return err
	}
	n.queueSane(ctx, sb, p)
	return nil
}

// connectSane connects a checked block from p and does the sync's
// bookkeeping: the request is settled, an orphan's missing ancestors are
// asked for, and the next bodies requested. A block the chain refuses gets
// p a NOTICE and the ban score, as the core gives for errors onBlock
// returns.
func (n *Node) connectSane(sb *chain.SaneBlock, p *peer) {
	hash := sb.Hash()
	res, err := n.processSane(sb, p.c)
	n.settle(hash, p)
	switch {
	case err == nil, errors.Is(err, chain.ErrDuplicateBlock):
	case chain.IsRuleError(err):
		rej := ruleReject("block "+hash.String(), err)
		p.c.Send(&wire.MsgNotice{Message: rej.Error()})
		p.c.Misbehave(rej.Score, rej.Reason)
		return
	default:
		n.log.Warn("connect block", "peer", p.c.ID(), "hash", hash, "err", err)
		return
	}
	if res != nil && res.Orphan {
		n.getHeaders(p, hash)
	}
	n.requestBlocks(p)
}

// settle forgets the request for hash (answered or refused by p).
func (n *Node) settle(hash chain.Hash, p *peer) {
	n.pmu.Lock()
	n.settleLocked(hash, p)
	n.pmu.Unlock()
}

// settleLocked forgets the request for hash (answered or refused by p).
func (n *Node) settleLocked(hash chain.Hash, p *peer) {
	if r := n.inflight[hash]; r != nil && r.p == p {
		delete(n.inflight, hash)
		p.mu.Lock()
		p.inflight--
		p.mu.Unlock()
	}
}

// expireRequests forgets requests that went unanswered too long, so
// requestBlocks asks again.
func (n *Node) expireRequests() {
	now := time.Now()
	n.pmu.Lock()
	defer n.pmu.Unlock()
	for h, r := range n.inflight {
		if now.Sub(r.at) > requestTimeout {
			n.settleLocked(h, r.p)
		}
	}
}

// requestBlocks asks for the bodies the best header branch still lacks:
// from prefer if it has room, else from the peers with the most work.
func (n *Node) requestBlocks(prefer *peer) {
	missing := n.chain.MissingBodies(4 * maxInflightPerPeer)
	if len(missing) == 0 {
		return
	}
	n.pmu.Lock()
	var peers []*peer
	if prefer != nil && n.peers[prefer.c] == prefer {
		peers = append(peers, prefer)
	}
	var others []*peer
	for c, p := range n.peers {
		if p != prefer && c.IsPeer() {
			others = append(others, p)
		}
	}
	work := make(map[*peer]*big.Int, len(others))
	for _, p := range others {
		p.mu.Lock()
		work[p] = p.work
		p.mu.Unlock()
	}
	sort.Slice(others, func(i, j int) bool {
		wi, wj := work[others[i]], work[others[j]]
		return wi != nil && (wj == nil || wi.Cmp(wj) > 0)
	})
	peers = append(peers, others...)
	asks := make(map[*peer][]chain.Hash)
	now := time.Now()
	for _, h := range missing {
		if n.inflight[h] != nil || n.chain.IsOrphan(h) {
			continue
		}
		for _, p := range peers {
			p.mu.Lock()
			room := p.inflight < maxInflightPerPeer
			if room {
				p.inflight++
			}
			p.mu.Unlock()
			if room {
				n.inflight[h] = &request{p: p, at: now}
				asks[p] = append(asks[p], h)
				break
			}
		}
	}
	n.pmu.Unlock()
	for p, hashes := range asks {
		for len(hashes) > 0 {
			k := min(len(hashes), wire.MaxBlocksPerMsg)
			p.c.Send(&wire.MsgGetBlocks{Hashes: hashes[:k]})
			hashes = hashes[k:]
		}
	}
}

// processBlock checks a block and adds it to the chain (see processSane).
// The miner's blocks come this way.
func (n *Node) processBlock(b *chain.Block, origin *relay.Client) (*chain.Result, error) {
	sb, err := chain.CheckSaneKnown(n.params, b, n.verifiedBefore)
	if err != nil {
		return &chain.Result{Hash: b.Hash()}, err
	}
	return n.processSane(sb, origin)
}

// verifiedBefore vouches for a post the mempool holds with the same
// signature (the pool takes only verified posts; a block's copy may carry
// another signature, which is then checked). Blocks of posts the node
// already has, its own mined ones and most of its peers' once it is in
// sync, then cost a hash per post instead of a signature check.
func (n *Node) verifiedBefore(e *nostr.Event) bool {
	pooled, ok := n.pool.Get(e.ID)
	return ok && pooled.Sig == e.Sig
}

// processSane adds a checked block to the chain and brings the mempool, the
// store of pending posts, subscribers, peers (all but origin) and the miner
// up to date with what changed. Only the chain's update holds chainMu: the
// signatures were checked before.
func (n *Node) processSane(sb *chain.SaneBlock, origin *relay.Client) (*chain.Result, error) {
	n.chainMu.Lock()
	before := n.chain.Tip().Hash
	res, err := n.chain.ProcessSaneBlock(sb, n.now().Unix())
	var restored []*nostr.Event
	if res != nil && (len(res.Connected) > 0 || len(res.Disconnected) > 0) {
		restored = n.applyLocked(res)
	}
	tip := n.chain.Tip()
	n.chainMu.Unlock()
	if res == nil || tip.Hash == before {
		return res, err
	}
	level := slog.LevelInfo
	if origin == nil {
		level = slog.LevelDebug // our own block: mine logs it
	}
	n.log.Log(context.Background(), level, "new tip", "height", tip.Header.Height, "hash", tip.Hash, "connected", len(res.Connected), "disconnected", len(res.Disconnected), "pending", n.pool.Len())
	for _, blk := range res.Connected {
		for _, ev := range blk.Events {
			n.relay.Deliver(ev)
		}
	}
	// Posts a reorganisation returned to the pool go to the peers: the
	// winning branch's nodes may never have seen them.
	for _, ev := range restored {
		n.relay.Broadcast(&wire.MsgEvent{Event: ev}, nil)
	}
	n.relay.Broadcast(&wire.MsgTip{Header: tip.Header, Work: tip.Work}, origin)
	select {
	case n.newTip <- struct{}{}:
	default:
	}
	return res, err
}

// applyLocked updates the mempool for a changed best chain: posts of
// disconnected blocks come back (tip first, as Restore expects), posts of
// connected blocks leave. It returns the posts restored.
func (n *Node) applyLocked(res *chain.Result) []*nostr.Event {
	now := n.now()
	var restored []*nostr.Event
	var dropped [][32]byte
	for _, b := range res.Disconnected {
		dropped = append(dropped, n.pool.Restore(b.Events, now)...)
		restored = append(restored, b.Events...)
	}
	for _, b := range res.Connected {
		n.pool.RemoveConfirmed(b.Events)
	}
	if len(dropped) > 0 {
		if err := n.store.RemovePending(dropped); err != nil {
			n.log.Error("remove dropped posts", "err", err)
		}
	}
	// Keep only the restored posts that are still pending (not dropped, not
	// confirmed again by the new branch).
	out := restored[:0]
	for _, ev := range restored {
		if n.pool.Has(ev.ID) {
			out = append(out, ev)
		}
	}
	return out
}
