package hub

import (
	"context"
	"fmt"
	"slices"
	"time"

	"postwork/chain/nostr"
	"postwork/chain/wire"
	"postwork/relay"
)

// posts are the recent posts, oldest arrival first, bounded in count and
// bytes.
type posts struct {
	maxCount, maxBytes int
	list               []postEntry // arrival order; list[head:] are live
	head               int
	byID               map[[32]byte]struct{}
	bytes              int
}

type postEntry struct {
	ev   *nostr.Event
	at   time.Time
	size int
}

func newPosts(maxCount, maxBytes int) posts {
	return posts{maxCount: maxCount, maxBytes: maxBytes, byID: make(map[[32]byte]struct{})}
}

func (p *posts) len() int { return len(p.list) - p.head }

func (p *posts) has(id [32]byte) bool { _, ok := p.byID[id]; return ok }

// add appends ev and returns the ids it pushed out.
func (p *posts) add(ev *nostr.Event, at time.Time) (dropped [][32]byte) {
	if p.has(ev.ID) {
		return nil
	}
	size := len(ev.AppendBinary(nil))
	p.list = append(p.list, postEntry{ev: ev, at: at, size: size})
	p.byID[ev.ID] = struct{}{}
	p.bytes += size
	for p.len() > p.maxCount || (p.bytes > p.maxBytes && p.len() > 1) {
		dropped = append(dropped, p.dropOldest())
	}
	return dropped
}

// expire drops the posts that arrived before cutoff.
func (p *posts) expire(cutoff time.Time) (dropped [][32]byte) {
	for p.len() > 0 && p.list[p.head].at.Before(cutoff) {
		dropped = append(dropped, p.dropOldest())
	}
	return dropped
}

func (p *posts) dropOldest() [32]byte {
	e := p.list[p.head]
	p.list[p.head] = postEntry{}
	p.head++
	delete(p.byID, e.ev.ID)
	p.bytes -= e.size
	// Compact once the dead prefix is half the slice, so memory stays
	// proportional to what is kept.
	if p.head > len(p.list)/2 {
		p.list = slices.Clone(p.list[p.head:])
		p.head = 0
	}
	return e.ev.ID
}

// query returns the posts matching f, newest first, at most limit.
func (p *posts) query(f *wire.Filter, limit int) []*nostr.Event {
	var out []*nostr.Event
	for _, e := range p.list[p.head:] {
		if f.Match(e.ev) {
			out = append(out, e.ev)
		}
	}
	slices.SortStableFunc(out, func(a, b *nostr.Event) int {
		switch {
		case a.CreatedAt > b.CreatedAt:
			return -1
		case a.CreatedAt < b.CreatedAt:
			return 1
		}
		return 0
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

// SubmitEvent is relay.Backend's: the full node's post policy (minimum
// NIP-13 work, created_at at most Params.MaxEventDrift ahead), then the
// post is kept and saved before nil is returned.
func (h *Hub) SubmitEvent(_ context.Context, _ *relay.Client, ev *nostr.Event) error {
	now := h.now()
	if err := relay.CheckPost(ev, h.minPoW, h.params.MaxEventDrift, now); err != nil {
		return err
	}
	h.mu.Lock()
	if h.posts.has(ev.ID) {
		h.mu.Unlock()
		return relay.Rejectf(wire.PrefixDuplicate, "already have this event")
	}
	dropped := h.posts.expire(now.Add(-h.cfg.MaxPostAge))
	dropped = append(dropped, h.posts.add(ev, now)...)
	h.mu.Unlock()
	if h.store != nil {
		if err := h.store.SavePost(ev, now); err != nil {
			h.mu.Lock()
			h.posts.remove(ev.ID)
			h.mu.Unlock()
			h.log.Error("save post", "id", fmt.Sprintf("%x", ev.ID), "err", err)
			return relay.Rejectf(wire.PrefixError, "could not store the post")
		}
		if len(dropped) > 0 {
			if err := h.store.DeletePosts(dropped); err != nil {
				h.log.Error("delete old posts", "err", err)
			}
		}
	}
	for _, id := range dropped {
		h.relay.Forget(id)
	}
	return nil
}

// remove forgets a post that could not be saved (the newest, so scanning
// from the end is short).
func (p *posts) remove(id [32]byte) {
	if !p.has(id) {
		return
	}
	for i := len(p.list) - 1; i >= p.head; i-- {
		if p.list[i].ev.ID == id {
			p.bytes -= p.list[i].size
			p.list = slices.Delete(p.list, i, i+1)
			delete(p.byID, id)
			return
		}
	}
}

// QueryEvents is relay.Backend's: the recent posts that match f, newest
// first, at most Limits.QueryLimit (or the filter's lower limit).
func (h *Hub) QueryEvents(_ context.Context, f *wire.Filter) ([]*nostr.Event, error) {
	limit := h.cfg.Limits.QueryLimit
	if f.HasLimit && f.Limit < limit {
		limit = f.Limit
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.posts.query(f, limit), nil
}

// get returns the post with id, or nil.
func (p *posts) get(id [32]byte) *nostr.Event {
	if !p.has(id) {
		return nil
	}
	for _, e := range p.list[p.head:] {
		if e.ev.ID == id {
			return e.ev
		}
	}
	return nil
}
