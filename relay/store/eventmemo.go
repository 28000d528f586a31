package store

import (
	"context"
	"fmt"
	"strings"

	"postwork/chain"
)

// memoChunk is how many ids one execution of the memo's query looks up.
const memoChunk = 64

// confirmedInSQL finds which of memoChunk ids are confirmed (unused slots
// repeat an id).
var confirmedInSQL = "SELECT id FROM posts WHERE block IS NOT NULL AND id IN (?" +
	strings.Repeat(", ?", memoChunk-1) + ")"

// eventMemo answers HasEvent for the posts of the block PutBlock stored
// last. The chain asks for each of them just before it connects the block
// (CheckBlockConnect); one query per 64 posts costs a fraction of one
// statement per post. It is valid while no write followed it (gen), and is
// only read and written by holders of wmu.
type eventMemo struct {
	gen       uint64            // Store.gen when block was set
	block     map[[32]byte]bool // the block's post ids
	confirmed map[[32]byte]bool // those confirmed; nil until first asked
}

// rememberBlock sets the memo to b's posts. The caller holds wmu and has
// just written b.
func (s *Store) rememberBlock(b *chain.Block) {
	ids := make(map[[32]byte]bool, len(b.Events))
	for _, e := range b.Events {
		ids[e.ID] = true
	}
	s.memo = eventMemo{gen: s.gen, block: ids}
}

// memoHasEvent answers from the memo when it covers id; ok is false when it
// does not. The caller holds wmu.
func (s *Store) memoHasEvent(id [32]byte) (in, ok bool, err error) {
	m := &s.memo
	if m.gen != s.gen || !m.block[id] {
		return false, false, nil
	}
	if m.confirmed == nil {
		confirmed, err := s.confirmedAmong(m.block)
		if err != nil {
			return false, false, err
		}
		m.confirmed = confirmed
	}
	return m.confirmed[id], true, nil
}

// confirmedAmong returns which of ids are confirmed, asking on the writer
// connection (the caller holds wmu).
func (s *Store) confirmedAmong(ids map[[32]byte]bool) (map[[32]byte]bool, error) {
	all := make([][32]byte, 0, len(ids))
	for id := range ids {
		all = append(all, id)
	}
	out := make(map[[32]byte]bool)
	args := make([]any, memoChunk)
	for len(all) > 0 {
		n := min(len(all), memoChunk)
		for i := range args {
			args[i] = all[min(i, n-1)][:]
		}
		if err := s.scanConfirmed(args, out); err != nil {
			return nil, fmt.Errorf("store: has event: %w", err)
		}
		all = all[n:]
	}
	return out, nil
}

func (s *Store) scanConfirmed(args []any, out map[[32]byte]bool) error {
	rows, err := s.wConfirmedIn.QueryContext(context.Background(), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id []byte
		if err := rows.Scan(&id); err != nil {
			return err
		}
		if len(id) != 32 {
			return fmt.Errorf("%w: post id of %d bytes", ErrCorrupt, len(id))
		}
		out[[32]byte(id)] = true
	}
	return rows.Err()
}
