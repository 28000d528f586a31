package chromium

import (
	"context"
	"time"

	"postwork/chain"
	"postwork/relay/node"
	"postwork/relay/store"
	"postwork/relay/web"
)

// nodeSource is web.Source over a running node and its SQLite store: the
// adapter the full node's HTTP wiring needs, kept here, small, so the check
// reads a real node through the same calls.
type nodeSource struct {
	*chain.Chain
	node    *node.Node
	store   *store.Store
	started time.Time
}

var _ web.Source = (*nodeSource)(nil)

func (s *nodeSource) Post(ctx context.Context, id [32]byte) (web.Post, error) {
	rec, err := s.store.Post(ctx, id)
	return web.Post(rec), err
}

func (s *nodeSource) Posts(ctx context.Context, author [32]byte, kinds []int, limit int) ([]web.Post, error) {
	recs, err := s.store.QueryPosts(ctx, store.PostQuery{Authors: [][32]byte{author}, Kinds: kinds, Limit: limit})
	out := make([]web.Post, len(recs))
	for i, r := range recs {
		out[i] = web.Post(r)
	}
	return out, err
}

func (s *nodeSource) Balance(ctx context.Context, pub [32]byte) (uint64, int, error) {
	return s.store.Balance(ctx, pub)
}

func (s *nodeSource) Mempool(ctx context.Context, limit int) (web.Mempool, error) {
	pool := s.node.Pool()
	all := pool.All()
	m := web.Mempool{Count: len(all), Bytes: pool.Bytes(), MinBits: s.node.MinPoW()}
	m.Posts = all[:min(limit, len(all))]
	return m, nil
}

func (s *nodeSource) Peers(ctx context.Context) ([]web.Peer, error) {
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

func (s *nodeSource) Status(ctx context.Context) (web.Status, error) {
	st, err := s.store.Stats(ctx)
	if err != nil {
		return web.Status{}, err
	}
	return web.Status{
		Version:      node.Software + " " + node.Version,
		Started:      s.started,
		StorageBytes: st.FileBytes,
		HeaderHeight: s.Tip().Header.Height,
		Hashrate:     s.node.Hashrate(),
	}, nil
}
