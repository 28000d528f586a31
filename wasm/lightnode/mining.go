package lightnode

import (
	"errors"
	"fmt"
	"math/big"
	"sort"

	"postwork/chain"
	"postwork/chain/miner"
	"postwork/chain/nostr"
	"postwork/chain/pow"
	"postwork/chain/wire"
)

// MaxPendingAge bounds how old a pending post may be for a browser-mined
// block to include it. The light node cannot ask the chain whether an old
// post was confirmed in a block whose body it never fetched, and one such
// post makes the whole block invalid; recent posts are in the recent bodies
// it does fetch.
const MaxPendingAge = 10 * 60 // seconds

// ErrNotSynced is returned by MiningTemplate before the header chain has
// caught up with the relay: work on an old tip would be wasted.
var ErrNotSynced = errors.New("lightnode: not synced with the relay yet")

// MiningTemplate builds the block the page's workers search nonces for: a
// child of the best header the node verified, its coinbase paying minerKey,
// holding the recent pending posts the feed knows (its own and those the
// relay sent). It also returns the expected number of hashes to find a
// block at the template's difficulty, for the page's time estimate.
func (n *Node) MiningTemplate(minerKey [32]byte) (*chain.Block, float64, error) {
	nw := n.network()
	if nw == nil {
		return nil, 0, errNoNetwork
	}
	n.mu.Lock()
	synced := !n.stats.SyncedAt.IsZero()
	n.mu.Unlock()
	if !synced {
		return nil, 0, ErrNotSynced
	}
	parent, times := nw.chain.NextParent()
	now := n.cfg.Now().Unix()
	b, err := miner.NewTemplate(nw.params, &parent, times, pendingPosts{nw: nw, now: now}, minerKey, now)
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

// pendingPosts is the feed's unconfirmed recent posts as a miner.Source.
type pendingPosts struct {
	nw  *network
	now int64
}

// Select returns the pending posts with the most NIP-13 work first, within
// the budget.
func (p pendingPosts) Select(maxBytes, maxCount int) []*nostr.Event {
	var cand []*nostr.Event
	for _, post := range p.nw.feed.Posts() {
		e := post.Event
		if post.Confirmed || e == nil || e.CreatedAt < p.now-MaxPendingAge {
			continue
		}
		cand = append(cand, e)
	}
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
