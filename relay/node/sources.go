package node

import (
	"context"
	"fmt"
	"time"

	"postwork/chain"
	"postwork/chain/nostr"
	"postwork/relay/api"
	"postwork/relay/store"
	"postwork/relay/web"
)

// API returns the node as relay/api reads and drives it.
func (n *Node) API() api.Node { return apiNode{Chain: n.chain, n: n} }

// Pages returns the node as relay/web's pages read it; started is shown
// as the node's start time.
func (n *Node) Pages(started time.Time) web.Source {
	return webNode{Chain: n.chain, n: n, started: started}
}

// apiNode adapts a Node to api.Node: the chain as it is, the rest from the
// store, the pool and the peers.
type apiNode struct {
	*chain.Chain
	n *Node
}

func (a apiNode) Post(ctx context.Context, id [32]byte) (api.Post, error) {
	rec, err := a.n.post(ctx, id)
	return api.Post(rec), err
}

func (a apiNode) Posts(ctx context.Context, q api.Query) ([]api.Post, error) {
	sq := store.PostQuery{Until: q.Until, Limit: q.Limit}
	if q.Author != nil {
		sq.Authors = [][32]byte{*q.Author}
	}
	if q.Kind != nil {
		sq.Kinds = []int{*q.Kind}
	}
	recs, err := a.n.store.QueryPosts(ctx, sq)
	out := make([]api.Post, len(recs))
	for i, r := range recs {
		out[i] = api.Post(r)
	}
	return out, err
}

func (a apiNode) Balance(ctx context.Context, pub [32]byte) (uint64, int, error) {
	return a.n.balance(ctx, pub)
}

func (a apiNode) Mempool(limit int) api.Mempool {
	return api.Mempool{Count: a.n.pool.Len(), Bytes: a.n.pool.Bytes(), Posts: a.n.bestPending(limit)}
}

func (a apiNode) Peers() []api.Peer {
	ps := a.n.Peers()
	out := make([]api.Peer, len(ps))
	for i, p := range ps {
		out[i] = api.Peer(p)
	}
	return out
}

func (a apiNode) Hashrate() float64                                 { return a.n.Hashrate() }
func (a apiNode) MinPoW() int                                       { return a.n.minPoW }
func (a apiNode) Submit(ctx context.Context, ev *nostr.Event) error { return a.n.Submit(ctx, ev) }
func (a apiNode) MineOne(ctx context.Context) (*chain.Block, error) { return a.n.MineOne(ctx) }
func (a apiNode) AddPeer(url string) error                          { return a.n.AddPeer(url) }

// webNode adapts a Node to web.Source.
type webNode struct {
	*chain.Chain
	n       *Node
	started time.Time
}

func (s webNode) Post(ctx context.Context, id [32]byte) (web.Post, error) {
	rec, err := s.n.post(ctx, id)
	return web.Post(rec), err
}

func (s webNode) Posts(ctx context.Context, author [32]byte, kinds []int, limit int) ([]web.Post, error) {
	recs, err := s.n.store.QueryPosts(ctx, store.PostQuery{Authors: [][32]byte{author}, Kinds: kinds, Limit: limit})
	out := make([]web.Post, len(recs))
	for i, r := range recs {
		out[i] = web.Post(r)
	}
	return out, err
}

func (s webNode) Balance(ctx context.Context, pub [32]byte) (uint64, int, error) {
	return s.n.balance(ctx, pub)
}

func (s webNode) Mempool(ctx context.Context, limit int) (web.Mempool, error) {
	return web.Mempool{Count: s.n.pool.Len(), Bytes: s.n.pool.Bytes(), MinBits: s.n.minPoW, Posts: s.n.bestPending(limit)}, nil
}

func (s webNode) Peers(ctx context.Context) ([]web.Peer, error) {
	ps := s.n.Peers()
	out := make([]web.Peer, len(ps))
	for i, p := range ps {
		addr := p.Addr
		if p.URL != "" {
			addr = p.URL
		}
		out[i] = web.Peer{Addr: addr, Agent: p.Agent, Inbound: !p.Outbound, Height: p.Height, Since: p.Connected}
	}
	return out, nil
}

func (s webNode) Status(ctx context.Context) (web.Status, error) {
	st := web.Status{
		Version:      Software + " " + Version,
		Started:      s.started,
		StorageBytes: -1,
		HeaderHeight: s.n.chain.Tip().Header.Height,
		Mining:       s.n.cfg.Mine,
		Hashrate:     s.n.Hashrate(),
	}
	if stats, ok := s.n.store.(interface {
		Stats(context.Context) (store.Stats, error)
	}); ok {
		sts, err := stats.Stats(ctx)
		if err != nil {
			return st, err
		}
		st.StorageBytes = sts.FileBytes
	}
	return st, nil
}

// post returns a stored post, pending or confirmed, or an error wrapping
// chain.ErrNotFound.
func (n *Node) post(ctx context.Context, id [32]byte) (store.PostRecord, error) {
	recs, err := n.store.QueryPosts(ctx, store.PostQuery{IDs: [][32]byte{id}, Limit: 1})
	if err != nil {
		return store.PostRecord{}, err
	}
	if len(recs) == 0 {
		return store.PostRecord{}, fmt.Errorf("post %x: %w", id, chain.ErrNotFound)
	}
	return recs[0], nil
}

// balance is what pub earned by mining on the best chain: from the store
// if it keeps an index (relay/store), else by reading every block.
func (n *Node) balance(ctx context.Context, pub [32]byte) (reward uint64, blocks int, err error) {
	if b, ok := n.store.(interface {
		Balance(context.Context, [32]byte) (uint64, int, error)
	}); ok {
		return b.Balance(ctx, pub)
	}
	tip := n.chain.Tip().Header.Height
	for h := uint64(1); h <= tip; h++ {
		if err := ctx.Err(); err != nil {
			return 0, 0, err
		}
		hd, ok := n.chain.HeaderAt(h)
		if !ok {
			break
		}
		b, err := n.chain.Block(hd.Hash())
		if err != nil {
			return 0, 0, err
		}
		if b.Coinbase.PubKey == pub {
			reward += b.Coinbase.Reward
			blocks++
		}
	}
	return reward, blocks, nil
}

// bestPending returns the best limit pending posts, best first.
func (n *Node) bestPending(limit int) []*nostr.Event {
	if limit <= 0 {
		return nil
	}
	return n.pool.Select(1<<62, limit)
}
