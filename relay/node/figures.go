package node

import (
	"context"
	"time"
)

// The figures relay/metrics reads at each scrape.

// TipHeight is the height of the best chain's tip.
func (n *Node) TipHeight() uint64 { return n.chain.Tip().Header.Height }

// TipTime is the header time of the best chain's tip, unix seconds.
func (n *Node) TipTime() int64 { return n.chain.Tip().Header.Time }

// PeerCount is the number of connected nodes.
func (n *Node) PeerCount() int { return len(n.relay.Peers()) }

// MempoolSize is the number of pending posts and their binary size.
func (n *Node) MempoolSize() (posts, bytes int) { return n.pool.Len(), n.pool.Bytes() }

// LogMining logs the miner's progress every interval until ctx ends:
// hashrate, tip and pending posts (each block found is logged as it
// connects). It runs on the caller's goroutine.
func (n *Node) LogMining(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		tip := n.chain.Tip()
		n.log.Info("mining progress", "hashrate", int64(n.Hashrate()), "height", tip.Header.Height,
			"tip_age", n.now().Sub(time.Unix(tip.Header.Time, 0)).Round(time.Second), "pending", n.pool.Len())
	}
}
