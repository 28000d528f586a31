package relay

import (
	"context"
	"slices"
	"sync"

	"postwork/chain/nostr"
	"postwork/chain/wire"
)

// subscription is one open REQ. Until its stored events and EOSE are sent,
// live events that match are held back (up to Options.PendingLive), then
// sent after EOSE unless they were among the stored ones: a client sees
// every event once, stored ones before EOSE.
type subscription struct {
	id      string
	filters []wire.Filter

	mu      sync.Mutex
	live    bool
	pending []*nostr.Event
}

func (s *subscription) match(ev *nostr.Event) bool {
	for i := range s.filters {
		if s.filters[i].Match(ev) {
			return true
		}
	}
	return false
}

// handleReq opens (or replaces) a subscription, sends its stored events and
// EOSE, then lets live events through.
func (c *Client) handleReq(ctx context.Context, req *wire.MsgReq) {
	r := c.relay
	for _, hook := range r.RejectReq {
		if reject, msg := hook(ctx, c, req); reject {
			c.Send(&wire.MsgClosed{SubID: req.SubID, Reason: msg})
			return
		}
	}
	sub := &subscription{id: req.SubID, filters: req.Filters}
	c.mu.Lock()
	if c.subs == nil {
		c.mu.Unlock()
		return // disconnected meanwhile
	}
	c.setSubLocked(req.SubID, sub)
	c.mu.Unlock()

	stored, err := c.query(ctx, req.Filters)
	if err != nil {
		c.mu.Lock()
		if c.subs != nil && c.subs[req.SubID] == sub {
			c.setSubLocked(req.SubID, nil)
		}
		c.mu.Unlock()
		c.Send(&wire.MsgClosed{SubID: req.SubID, Reason: reasonOf(err).Error()})
		return
	}
	sent := make(map[[32]byte]struct{}, len(stored))
	for _, ev := range stored {
		sent[ev.ID] = struct{}{}
		frame := wire.AppendEventDelivery(nil, req.SubID, ev.AppendJSON(nil))
		if !c.WaitQueue(ctx, len(frame)) {
			return
		}
		c.conn.Send(frame)
	}
	c.Send(&wire.MsgEOSE{SubID: req.SubID})

	sub.mu.Lock()
	for _, ev := range sub.pending {
		if _, dup := sent[ev.ID]; !dup {
			c.conn.Send(wire.AppendEventDelivery(nil, req.SubID, ev.AppendJSON(nil)))
		}
	}
	sub.pending, sub.live = nil, true
	sub.mu.Unlock()
}

// query runs each filter against the backend and merges the results:
// newest first, each event once. A filter with "limit":0 asks for live
// events only.
func (c *Client) query(ctx context.Context, filters []wire.Filter) ([]*nostr.Event, error) {
	ctx, cancel := context.WithTimeout(ctx, c.relay.opts.QueryTimeout)
	defer cancel()
	var out []*nostr.Event
	seen := make(map[[32]byte]struct{})
	for i := range filters {
		f := &filters[i]
		if f.HasLimit && f.Limit == 0 {
			continue
		}
		evs, err := c.relay.backend.QueryEvents(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, ev := range evs {
			if _, dup := seen[ev.ID]; !dup {
				seen[ev.ID] = struct{}{}
				out = append(out, ev)
			}
		}
	}
	if len(filters) > 1 {
		slices.SortStableFunc(out, func(a, b *nostr.Event) int {
			switch {
			case a.CreatedAt > b.CreatedAt:
				return -1
			case a.CreatedAt < b.CreatedAt:
				return 1
			}
			return 0
		})
	}
	return out, nil
}

// handleClose ends a subscription. NIP-01 asks for no answer.
func (c *Client) handleClose(m *wire.MsgClose) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.subs[m.SubID]; ok {
		c.setSubLocked(m.SubID, nil)
	}
}

// delivery is one event on its way to every matching subscription: the
// event, its JSON, and the delivery frames made so far, by subscription id.
type delivery struct {
	ev     *nostr.Event
	evJSON []byte
	frames map[string]*Frame
}

// frame returns the delivery frame for subscription id subID, encoding it
// on first use.
func (d *delivery) frame(subID string) *Frame {
	if f, ok := d.frames[subID]; ok {
		return f
	}
	if d.frames == nil {
		d.frames = make(map[string]*Frame)
	}
	f := NewFrame(wire.AppendEventDelivery(nil, subID, d.evJSON))
	d.frames[subID] = f
	return f
}

// deliver queues d's event to each of the client's subscriptions it
// matches: live ones get the shared frame, those still sending stored
// events hold it back.
func (c *Client) deliver(d *delivery) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, sub := range c.subList {
		if !sub.match(d.ev) {
			continue
		}
		sub.mu.Lock()
		if sub.live {
			sub.mu.Unlock()
			c.sendShared(d.frame(sub.id))
			continue
		}
		if len(sub.pending) < c.relay.opts.PendingLive {
			sub.pending = append(sub.pending, d.ev)
		}
		sub.mu.Unlock()
	}
}
