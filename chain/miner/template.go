package miner

import (
	"encoding/binary"
	"errors"
	"fmt"

	"postwork/chain"
	"postwork/chain/nostr"
)

// Source supplies the posts a template confirms, best first, within a byte
// and count budget (binary encodings, as in a block body). *mempool.Pool is
// one; it must not return posts already in the chain the template extends.
type Source interface {
	Select(maxBytes, maxCount int) []*nostr.Event
}

// ErrNoParent reports a template asked for without params or parent.
var ErrNoParent = errors.New("miner: template needs params and a parent")

// NewTemplate builds the block a miner works on next: a child of parent
// whose coinbase pays the full reward to minerKey, holding the best posts of
// pool (nil for none) that fit the network's body limits. prevTimes are the
// times of the last blocks up to and including parent, as chain.NextParent
// returns them. The time is now, raised to the earliest the median-time-past
// rule allows. Posts created too far after that time for the block to be
// valid are left for a later block. The header is complete but for the
// nonce; the Merkle root is set.
func NewTemplate(p *chain.Params, parent *chain.Header, prevTimes []int64, pool Source, minerKey [32]byte, now int64) (*chain.Block, error) {
	if p == nil || parent == nil {
		return nil, ErrNoParent
	}
	bits, err := chain.NextBits(p, parent)
	if err != nil {
		return nil, fmt.Errorf("miner: next target: %w", err)
	}
	height := parent.Height + 1
	b := &chain.Block{
		Header: chain.Header{
			Version: chain.HeaderVersion,
			Height:  height,
			Prev:    parent.Hash(),
			Time:    max(now, chain.MinTime(prevTimes)),
			Bits:    bits,
		},
		Coinbase: chain.Coinbase{PubKey: minerKey, Reward: p.Reward(height)},
	}
	if pool != nil {
		b.Events = choose(p, b, pool)
	}
	b.Header.Merkle = b.ComputeMerkle()
	return b, nil
}

// choose asks pool for what fits beside b's coinbase and keeps the posts a
// block at b's time may hold, once each.
func choose(p *chain.Params, b *chain.Block, pool Source) []*nostr.Event {
	maxCount := min(p.MaxBlockEvents, chain.MaxBlockEvents)
	room := min(p.MaxBlockBody, chain.MaxBlockBodySize) -
		len(b.Coinbase.AppendBinary(nil)) - len(binary.AppendUvarint(nil, uint64(maxCount)))
	if room <= 0 || maxCount <= 0 {
		return nil
	}
	picked := pool.Select(room, maxCount)
	out := make([]*nostr.Event, 0, len(picked))
	seen := make(map[[32]byte]bool, len(picked))
	var buf []byte
	for _, e := range picked {
		if e == nil || seen[e.ID] || e.CreatedAt > b.Header.Time+p.MaxEventDrift {
			continue
		}
		// A Source is trusted to keep the budget, but a block over the
		// limit would be invalid, so check.
		buf = e.AppendBinary(buf[:0])
		if len(buf) > room || len(out) == maxCount {
			continue
		}
		room -= len(buf)
		seen[e.ID] = true
		out = append(out, e)
	}
	return out
}
