package node

import (
	"context"
	"errors"
	"fmt"

	"postwork/chain/mempool"
	"postwork/chain/nostr"
	"postwork/chain/wire"
	"postwork/relay"
	"postwork/relay/store"
)

// SubmitEvent is relay.Backend's: it admits a verified post into the
// mempool and stores it durably before returning nil. Refusals are
// *relay.Reject values with NIP-01 prefixes.
func (n *Node) SubmitEvent(ctx context.Context, _ *relay.Client, ev *nostr.Event) error {
	return n.admit(ev)
}

// Submit verifies a post from outside a connection (the HTTP API), admits
// it like one from a client and publishes it to subscribers and peers.
func (n *Node) Submit(ctx context.Context, ev *nostr.Event) error {
	if n.relay.Seen(ev.ID) && ev.CheckID() == nil {
		return relay.Rejectf(wire.PrefixDuplicate, "already have this event")
	}
	if err := ev.Verify(); err != nil {
		return relay.Rejectf(wire.PrefixInvalid, "%v", err)
	}
	if err := n.admit(ev); err != nil {
		return err
	}
	n.relay.Publish(ev, nil)
	return nil
}

// admit runs the node's checks on a verified post, adds it to the pool and
// saves it. Posts it evicts are forgotten by the store and the relay.
func (n *Node) admit(ev *nostr.Event) error {
	now := n.now()
	if err := relay.CheckPost(ev, n.minPoW, n.params.MaxEventDrift, now); err != nil {
		return err
	}
	evicted, err := n.addToPool(ev)
	if err != nil {
		return err
	}
	if err := n.store.SavePending(ev, now); err != nil {
		n.pool.RemoveConfirmed([]*nostr.Event{ev})
		n.log.Error("save post", "id", fmt.Sprintf("%x", ev.ID), "err", err)
		return relay.Rejectf(wire.PrefixError, "could not store the post")
	}
	if len(evicted) > 0 {
		for _, id := range evicted {
			n.relay.Forget(id)
		}
		if err := n.store.RemovePending(evicted); err != nil {
			n.log.Error("remove evicted posts", "err", err)
		}
	}
	return nil
}

// addToPool checks the chain and admits ev, holding chainMu for reading so
// a block confirming ev cannot connect in between.
func (n *Node) addToPool(ev *nostr.Event) ([][32]byte, error) {
	n.chainMu.RLock()
	defer n.chainMu.RUnlock()
	in, err := n.chain.HasEvent(ev.ID)
	if err != nil {
		return nil, err
	}
	if in {
		return nil, relay.Rejectf(wire.PrefixDuplicate, "already in the chain")
	}
	evicted, err := n.pool.AddVerified(ev, n.now())
	switch {
	case err == nil:
		return evicted, nil
	case errors.Is(err, mempool.ErrDuplicate):
		return nil, relay.Rejectf(wire.PrefixDuplicate, "already pending")
	case errors.Is(err, mempool.ErrLowPoW):
		return nil, relay.Rejectf(wire.PrefixPoW, "difficulty %d is less than %d", ev.PoW(), n.minPoW)
	case errors.Is(err, mempool.ErrPoolFull):
		return nil, relay.Rejectf(wire.PrefixPoW, "the mempool is full of posts with more work; add work and send again")
	case errors.Is(err, mempool.ErrInvalid):
		return nil, relay.Rejectf(wire.PrefixInvalid, "%v", err).WithScore(relay.ScoreInvalid)
	}
	return nil, err
}

// QueryEvents is relay.Backend's: stored posts, pending and confirmed.
func (n *Node) QueryEvents(ctx context.Context, f *wire.Filter) ([]*nostr.Event, error) {
	q := store.PostQuery{IDs: f.IDs, Authors: f.Authors, Kinds: f.Kinds, Tags: f.Tags, Since: f.Since, Until: f.Until, Limit: n.cfg.Limits.QueryLimit}
	if f.HasLimit && f.Limit < q.Limit {
		q.Limit = f.Limit
	}
	recs, err := n.store.QueryPosts(ctx, q)
	if errors.Is(err, store.ErrBadQuery) {
		return nil, relay.Rejectf(wire.PrefixInvalid, "%v", err)
	}
	if err != nil {
		return nil, err
	}
	out := make([]*nostr.Event, len(recs))
	for i, r := range recs {
		out[i] = r.Event
	}
	return out, nil
}
