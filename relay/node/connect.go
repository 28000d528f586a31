package node

import (
	"context"

	"postwork/chain"
)

// connectQueue bounds the checked blocks waiting for the connect loop:
// enough to keep it busy while readers verify the next ones, few enough
// that a slow store soon stops the readers, and through them the peers.
const connectQueue = 8

// connectJob is a block that passed chain.CheckSane, and the peer it came
// from (penalised if the chain refuses it).
type connectJob struct {
	sb *chain.SaneBlock
	p  *peer
}

// connectLoop connects queued blocks, in the order they were queued, until
// ctx ends; Run runs it. Blocks still queued then are dropped: their
// requests stay in flight until they expire or the peer goes, and are then
// asked again.
func (n *Node) connectLoop(ctx context.Context) {
	q := make(chan connectJob, connectQueue)
	done := make(chan struct{})
	n.cmu.Lock()
	n.connectQ, n.connectDone = q, done
	n.cmu.Unlock()
	defer func() {
		n.cmu.Lock()
		n.connectQ, n.connectDone = nil, nil
		n.cmu.Unlock()
		close(done)
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case j := <-q:
			n.connectSane(j.sb, j.p)
		}
	}
}

// queueSane hands a checked block to the connect loop, waiting while the
// queue is full (which paces the sender). Without a loop (Run is not
// running) the caller connects the block itself. ctx is the sender's
// connection: when it ends the block is dropped.
func (n *Node) queueSane(ctx context.Context, sb *chain.SaneBlock, p *peer) {
	n.cmu.Lock()
	q, done := n.connectQ, n.connectDone
	n.cmu.Unlock()
	if q == nil {
		n.connectSane(sb, p)
		return
	}
	select {
	case q <- connectJob{sb: sb, p: p}:
	case <-done:
		n.connectSane(sb, p)
	case <-ctx.Done():
	}
}
