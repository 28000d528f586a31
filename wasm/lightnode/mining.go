package lightnode

import (
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strings"

	"postwork/chain"
	"postwork/chain/miner"
	"postwork/chain/nostr"
	"postwork/chain/pow"
	"postwork/chain/wire"
)

// MaxPendingAge bounds how old a pending post may be for a browser-mined
// block to include it.
const MaxPendingAge = 10 * 60 // seconds

// maxLive bounds the posts a session remembers as safe to mine.
const maxLive = 10000

// ErrNotSynced is returned by MiningTemplate before the header chain has
// caught up with the relay: work on an old tip would be wasted.
var ErrNotSynced = errors.New("lightnode: not synced with the relay yet")

// MiningTemplate builds the block the page's workers search nonces for: a
// child of the best header the node verified, its coinbase paying minerKey,
// holding the pending posts that are safe to include (see livePosts). It
// also returns the expected number of hashes to find a block at the
// template's difficulty, for the page's time estimate. It needs a synced
// connection with no block bodies outstanding.
func (n *Node) MiningTemplate(minerKey [32]byte) (*chain.Block, float64, error) {
	nw := n.network()
	if nw == nil {
		return nil, 0, errNoNetwork
	}
	n.mu.Lock()
	synced := !n.stats.SyncedAt.IsZero()
	s := n.sess
	n.mu.Unlock()
	if !synced || s == nil {
		return nil, 0, ErrNotSynced
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.wanted) > 0 || s.net != nw {
		return nil, 0, ErrNotSynced
	}
	parent, times := nw.chain.NextParent()
	now := n.cfg.Now().Unix()
	b, err := miner.NewTemplate(nw.params, &parent, times, s.live.source(s, now), minerKey, now)
	if err != nil {
		return nil, 0, err
	}
	work, _ := new(big.Float).SetInt(pow.CalcWork(b.Header.Bits)).Float64()
	return b, work, nil
}

// SubmitBlock hands a block the page's workers solved to the relay as an
// unsolicited BLOCK (docs/protocol.md) and takes it into the node's own
// chain and feed, as if the relay had forwarded it.
func (n *Node) SubmitBlock(b *chain.Block) error {
	nw := n.network()
	if nw == nil {
		return errNoNetwork
	}
	if err := chain.CheckBlockSanity(nw.params, b); err != nil {
		return fmt.Errorf("mined block: %w", err)
	}
	n.mu.Lock()
	s := n.sess
	n.mu.Unlock()
	if s == nil {
		return errors.New("not connected to the relay: the mined block was not sent")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.send(&wire.MsgBlock{Block: b})
	return s.onBlock(b)
}

// livePosts are the posts a browser may mine. A block holding a post that
// is already in the chain is invalid, the relay refuses it and scores the
// page as misbehaving, and a light node cannot ask its chain: it has the
// bodies of recent blocks only. So a post is mined only if this session
// saw it enter the relay's pool (an EVENT after EOSE, or our own post
// accepted with OK, not as a duplicate) and the node has the bodies of
// every block since then, so a block that confirmed it would have marked
// it confirmed in the feed. A new session (a reconnect, another tab taking
// over) starts with none. Guarded by the session's mu.
type livePosts struct {
	eose bool
	at   map[[32]byte]uint64 // post id → tip height one block before it was seen
}

func (l *livePosts) add(s *session, e *nostr.Event) {
	if s.net == nil {
		return
	}
	if l.at == nil {
		l.at = make(map[[32]byte]uint64)
	}
	if len(l.at) >= maxLive {
		return
	}
	// One block of margin: the relay may send a post of the tip's block
	// before the node fetched that block's body.
	h := s.net.chain.Tip().Header.Height
	if h > 0 {
		h--
	}
	if _, ok := l.at[e.ID]; !ok {
		l.at[e.ID] = h
	}
}

// event notes a post the relay delivered: live only after EOSE, and only
// if onEvent verified it into the feed.
func (l *livePosts) event(s *session, e *nostr.Event) {
	if l.eose && s.net != nil && s.net.feed.Has(e.ID) {
		l.add(s, e)
	}
}

// accepted notes our own post the relay took into its pool.
func (l *livePosts) accepted(s *session, e *nostr.Event, reason string) {
	if !strings.HasPrefix(reason, wire.PrefixDuplicate) {
		l.add(s, e)
	}
}

// source returns the posts safe to mine now as a miner.Source.
func (l *livePosts) source(s *session, now int64) miner.Source {
	c := s.net.chain
	// low is the lowest height from which every block up to the tip has
	// its body here.
	tip := c.Tip().Header.Height
	low := tip + 1
	for low > 1 {
		hd, ok := c.HeaderAt(low - 1)
		if !ok || !s.net.haveBody(hd.Hash()) {
			break
		}
		low--
	}
	var cand []*nostr.Event
	for _, post := range s.net.feed.Posts() {
		e := post.Event
		if e == nil || post.Confirmed || e.CreatedAt < now-MaxPendingAge {
			continue
		}
		if h, ok := l.at[e.ID]; ok && h+1 >= low {
			cand = append(cand, e)
		}
	}
	for id, h := range l.at {
		if h+1 < low && tip > h+uint64(s.n.cfg.RecentBlocks) {
			delete(l.at, id) // its blocks' bodies are gone for good
		}
	}
	return pendingPosts(cand)
}

// pendingPosts is a miner.Source over a fixed list.
type pendingPosts []*nostr.Event

// Select returns the posts with the most NIP-13 work first, within the
// budget.
func (p pendingPosts) Select(maxBytes, maxCount int) []*nostr.Event {
	cand := append([]*nostr.Event(nil), p...)
	sort.SliceStable(cand, func(i, j int) bool { return cand[i].PoW() > cand[j].PoW() })
	var out []*nostr.Event
	room := maxBytes
	for _, e := range cand {
		if len(out) >= maxCount {
			break
		}
		if size := len(e.AppendBinary(nil)); size <= room {
			out = append(out, e)
			room -= size
		}
	}
	return out
}
