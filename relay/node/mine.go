package node

import (
	"context"
	"errors"
	"fmt"

	"postwork/chain"
	"postwork/chain/miner"
)

// template builds the block to mine next, holding chainMu for reading so
// the tip and the pool agree.
func (n *Node) template() (*chain.Block, error) {
	n.chainMu.RLock()
	defer n.chainMu.RUnlock()
	parent, times := n.chain.NextParent()
	return miner.NewTemplate(n.params, &parent, times, n.pool, n.cfg.MinerKey, n.now().Unix())
}

// mine runs the miner until ctx ends.
func (n *Node) mine(ctx context.Context) error {
	n.log.Info("mining", "threads", max(n.cfg.Threads, 1))
	return n.miner.Run(ctx, n.template, n.newTip, func(b *chain.Block) {
		n.waitUntilValid(ctx, b)
		if _, err := n.processBlock(b, nil); err != nil && !errors.Is(err, chain.ErrDuplicateBlock) {
			n.log.Error("mined block refused", "hash", b.Hash(), "err", err)
			return
		}
		n.log.Info("mined", "height", b.Header.Height, "hash", b.Hash(), "posts", len(b.Events), "hashrate", n.miner.Hashrate())
	})
}

// MineOne mines one block on the current tip with the configured threads
// and connects it, whether or not Run mines: for tests and the API's
// "mine now". It returns the block, or ctx's error.
func (n *Node) MineOne(ctx context.Context) (*chain.Block, error) {
	b, err := n.template()
	if err != nil {
		return nil, err
	}
	h, ok := miner.Search(ctx, b.Header, max(n.cfg.Threads, 1), nil)
	if !ok {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, errors.New("node: no nonce found")
	}
	b.Header = h
	if !n.waitUntilValid(ctx, b) {
		return nil, ctx.Err()
	}
	if _, err := n.processBlock(b, nil); err != nil {
		return nil, fmt.Errorf("node: mined block: %w", err)
	}
	return b, nil
}
