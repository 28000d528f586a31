// Package nodesource reads a full node (relay/node) for the pages of
// relay/web: it is the web.Source over a node's chain, mempool, peers and
// store. It lives apart from relay/web so that the pages do not depend on
// the node, and apart from relay/node so that the node does not depend on
// the pages; cmd/postwork joins the two:
//
//	pages := web.New(nodesource.New(n, st, time.Now()), web.Options{})
//	pages.Register(mux)
package nodesource

import (
	"context"
	"time"

	"postwork/chain"
	"postwork/relay/node"
	"postwork/relay/store"
	"postwork/relay/web"
)

// maxMissing bounds how many missing bodies Status looks at to tell how far
// the best header is ahead of the tip.
const maxMissing = 2000

// Source is a web.Source over a node and the store it was opened with.
type Source struct {
	*chain.Chain
	node    *node.Node
	store   node.Store
	started time.Time
}

var _ web.Source = (*Source)(nil)

// New returns the Source of n, whose store is st (the node.Config.Store it
// was created with), running since started.
func New(n *node.Node, st node.Store, started time.Time) *Source {
	return &Source{Chain: n.Chain(), node: n, store: st, started: started}
}

// Post finds a post by id in the store, pending or confirmed.
func (s *Source) Post(ctx context.Context, id [32]byte) (web.Post, error) {
	recs, err := s.store.QueryPosts(ctx, store.PostQuery{IDs: [][32]byte{id}, Limit: 1})
	if err != nil {
		return web.Post{}, err
	}
	if len(recs) == 0 {
		return web.Post{}, chain.ErrNotFound
	}
	return web.Post(recs[0]), nil
}

// Posts returns an author's posts, newest first.
func (s *Source) Posts(ctx context.Context, author [32]byte, kinds []int, limit int) ([]web.Post, error) {
	recs, err := s.store.QueryPosts(ctx, store.PostQuery{Authors: [][32]byte{author}, Kinds: kinds, Limit: limit})
	if err != nil {
		return nil, err
	}
	out := make([]web.Post, len(recs))
	for i, r := range recs {
		out[i] = web.Post(r)
	}
	return out, nil
}

// balancer is what relay/store answers from its index; a store without it
// (node.MemStore) is answered by walking the best chain.
type balancer interface {
	Balance(ctx context.Context, pubkey [32]byte) (uint64, int, error)
}

// Balance sums the coinbase rewards a key earned on the best chain.
func (s *Source) Balance(ctx context.Context, pub [32]byte) (uint64, int, error) {
	if b, ok := s.store.(balancer); ok {
		return b.Balance(ctx, pub)
	}
	var total uint64
	var blocks int
	for h := uint64(0); h <= s.Tip().Header.Height; h++ {
		if err := ctx.Err(); err != nil {
			return 0, 0, err
		}
		hd, ok := s.HeaderAt(h)
		if !ok {
			break
		}
		b, err := s.Block(hd.Hash())
		if err != nil {
			return 0, 0, err
		}
		if b.Coinbase.PubKey == pub {
			total += b.Coinbase.Reward
			blocks++
		}
	}
	return total, blocks, nil
}

// Mempool describes the node's pending posts.
func (s *Source) Mempool(ctx context.Context, limit int) (web.Mempool, error) {
	pool := s.node.Pool()
	m := web.Mempool{Count: pool.Len(), Bytes: pool.Bytes(), MinBits: s.node.MinPoW()}
	if limit > 0 {
		all := pool.All()
		m.Posts = all[:min(limit, len(all))]
	}
	return m, nil
}

// Peers lists the connected peers; an outbound one by the URL dialled.
func (s *Source) Peers(ctx context.Context) ([]web.Peer, error) {
	var out []web.Peer
	for _, p := range s.node.Peers() {
		addr := p.Addr
		if p.URL != "" {
			addr = p.URL
		}
		out = append(out, web.Peer{Addr: addr, Agent: p.Agent, Inbound: !p.Outbound, Height: p.Height, Since: p.Connected})
	}
	return out, nil
}

// statser is relay/store's size report.
type statser interface {
	Stats(ctx context.Context) (store.Stats, error)
}

// Status describes the node. HeaderHeight is the highest block whose body
// the node still waits for (looking at the first maxMissing of them), or the
// tip when none is missing; StorageBytes is -1 for a store in memory.
func (s *Source) Status(ctx context.Context) (web.Status, error) {
	st := web.Status{
		Version:      node.Software + " " + node.Version,
		Started:      s.started,
		StorageBytes: -1,
		HeaderHeight: s.Tip().Header.Height,
		Hashrate:     s.node.Hashrate(),
	}
	st.Mining = st.Hashrate > 0
	if missing := s.MissingBodies(maxMissing); len(missing) > 0 {
		if hd, ok := s.HeaderByHash(missing[len(missing)-1]); ok {
			st.HeaderHeight = max(st.HeaderHeight, hd.Height)
		}
	}
	if ss, ok := s.store.(statser); ok {
		stats, err := ss.Stats(ctx)
		if err != nil {
			return web.Status{}, err
		}
		st.StorageBytes = stats.FileBytes
	}
	return st, nil
}
