package node

import (
	"context"
	"time"

	"postwork/chain"
)

// waitUntilValid holds a block the node mined whose time is further ahead
// of the clock than the network accepts (Params.MaxFutureDrift) until the
// clock catches up, and reports whether it did before ctx ended. A miner
// outpaces the median-time rule on a chain that is behind its difficulty
// schedule (a fresh dev or test chain: every block is easy, and each must
// be later than the median of the last 11); without the wait it would find
// the same refused block again and again until the clock moved on.
func (n *Node) waitUntilValid(ctx context.Context, b *chain.Block) bool {
	ahead := b.Header.Time - n.params.MaxFutureDrift - n.now().Unix()
	if ahead <= 0 {
		return true
	}
	t := time.NewTimer(time.Duration(ahead) * time.Second)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
