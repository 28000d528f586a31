package node

import (
	"bytes"
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"postwork/chain"
	"postwork/chain/nostr"
	"postwork/chain/wire"
	"postwork/relay/store"
)

// MemStore is a Store in memory: a chain.MemStore and the posts beside it,
// confirmed and unconfirmed as blocks connect and disconnect, with the same
// semantics as relay/store. A node without a data directory runs on it;
// nothing survives a restart.
type MemStore struct {
	*chain.MemStore

	mu    sync.Mutex
	posts map[[32]byte]*memPost
	seq   uint64
}

type memPost struct {
	ev        *nostr.Event
	received  time.Time
	seq       uint64
	confirmed bool
	block     chain.Hash
	height    uint64
	index     int
}

// NewMemStore returns an empty store.
func NewMemStore() *MemStore {
	return &MemStore{MemStore: chain.NewMemStore(), posts: make(map[[32]byte]*memPost)}
}

// ConnectBlock connects b and confirms its posts, the block's copy of each.
func (s *MemStore) ConnectBlock(b *chain.Block) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.MemStore.ConnectBlock(b); err != nil {
		return err
	}
	hash := b.Hash()
	for i, ev := range b.Events {
		p := s.posts[ev.ID]
		if p == nil {
			s.seq++
			p = &memPost{seq: s.seq}
			s.posts[ev.ID] = p
		}
		p.ev, p.confirmed, p.block, p.height, p.index = ev, true, hash, b.Header.Height, i
	}
	return nil
}

// DisconnectBlock disconnects b; its posts become pending again.
func (s *MemStore) DisconnectBlock(b *chain.Block) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.MemStore.DisconnectBlock(b); err != nil {
		return err
	}
	for _, ev := range b.Events {
		if p := s.posts[ev.ID]; p != nil {
			p.confirmed, p.block, p.height, p.index = false, chain.Hash{}, 0, 0
		}
	}
	return nil
}

func (s *MemStore) SavePending(ev *nostr.Event, received time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.posts[ev.ID]; ok {
		return nil
	}
	s.seq++
	s.posts[ev.ID] = &memPost{ev: ev, received: received, seq: s.seq}
	return nil
}

func (s *MemStore) RemovePending(ids [][32]byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		if p := s.posts[id]; p != nil && !p.confirmed {
			delete(s.posts, id)
		}
	}
	return nil
}

func (s *MemStore) LoadPending() ([]*nostr.Event, error) {
	s.mu.Lock()
	var pending []*memPost
	for _, p := range s.posts {
		if !p.confirmed {
			pending = append(pending, p)
		}
	}
	s.mu.Unlock()
	slices.SortFunc(pending, func(a, b *memPost) int {
		return cmp.Or(a.received.Compare(b.received), cmp.Compare(a.seq, b.seq))
	})
	out := make([]*nostr.Event, len(pending))
	for i, p := range pending {
		out[i] = p.ev
	}
	return out, nil
}

// QueryPosts scans every post: fine for the sizes a node without a disk
// holds. Limits follow relay/store: 0 or above store.MaxQueryLimit means
// store.MaxQueryLimit.
func (s *MemStore) QueryPosts(ctx context.Context, q store.PostQuery) ([]store.PostRecord, error) {
	f := wire.Filter{IDs: q.IDs, Authors: q.Authors, Kinds: q.Kinds, Since: q.Since, Until: q.Until}
	if q.Tags != nil {
		f.Tags = make(map[string][]string, len(q.Tags))
		for k, v := range q.Tags {
			if len(k) == 2 && k[0] == '#' {
				k = k[1:]
			}
			f.Tags[k] = v
		}
	}
	limit := q.Limit
	if limit <= 0 || limit > store.MaxQueryLimit {
		limit = store.MaxQueryLimit
	}
	s.mu.Lock()
	var out []store.PostRecord
	for _, p := range s.posts {
		if f.Match(p.ev) {
			out = append(out, store.PostRecord{Event: p.ev, Confirmed: p.confirmed, BlockHash: p.block, Height: p.height, Index: p.index})
		}
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b store.PostRecord) int {
		return cmp.Or(cmp.Compare(b.Event.CreatedAt, a.Event.CreatedAt), bytes.Compare(a.Event.ID[:], b.Event.ID[:]))
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, ctx.Err()
}
