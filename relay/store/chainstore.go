package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"postwork/chain"
)

// The methods of chain.Store. They take no context (the interface has
// none): each is one short transaction.
var _ chain.Store = (*Store)(nil)

// PutHeader records a header; a header already stored is left as it is.
func (s *Store) PutHeader(h *chain.Header) error {
	if err := checkHeight(h); err != nil {
		return err
	}
	hash, enc := h.Hash(), h.Encode()
	return s.write(context.Background(), false, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO blocks(hash, prev, height, header) VALUES (?, ?, ?, ?)
			ON CONFLICT(hash) DO NOTHING`, hash[:], h.Prev[:], int64(h.Height), enc[:])
		return err
	})
}

// PutBlock records a block, header and body, on any branch.
func (s *Store) PutBlock(b *chain.Block) error {
	if err := checkHeight(&b.Header); err != nil {
		return err
	}
	hash, enc, body := b.Hash(), b.Header.Encode(), b.EncodeBody()
	// A reward beyond int64 cannot be valid (the chain will refuse to
	// connect the block); SQLite integers cannot hold it either.
	var reward any
	if b.Coinbase.Reward <= math.MaxInt64 {
		reward = int64(b.Coinbase.Reward)
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	err := s.txLocked(context.Background(), false, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRow(`INSERT INTO blocks(hash, prev, height, header, has_body, miner, reward)
			VALUES (?, ?, ?, ?, 1, ?, ?)
			ON CONFLICT(hash) DO UPDATE SET has_body = 1, miner = excluded.miner, reward = excluded.reward
			RETURNING id`, hash[:], b.Header.Prev[:], int64(b.Header.Height), enc[:], b.Coinbase.PubKey[:], reward).Scan(&id)
		if err != nil {
			return err
		}
		_, err = tx.Exec("INSERT INTO bodies(block, data) VALUES (?, ?) ON CONFLICT(block) DO NOTHING", id, body)
		return err
	})
	if err == nil {
		s.rememberBlock(b)
	}
	return err
}

func checkHeight(h *chain.Header) error {
	if h.Height > math.MaxInt64 {
		return fmt.Errorf("store: header at height %d: beyond what the store holds", h.Height)
	}
	return nil
}

// Block returns a stored block with its body, or ErrNotFound (also for a
// block whose header alone is stored).
func (s *Store) Block(hash chain.Hash) (*chain.Block, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	var header, body []byte
	err := s.block.QueryRow(hash[:]).Scan(&header, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: block %s: %w", hash, err)
	}
	return decodeBlock(hash, header, body)
}

// decodeBlock decodes a stored block and checks that it is the block asked
// for. It does not check the Merkle root or signatures (chain verify does).
func decodeBlock(hash chain.Hash, header, body []byte) (*chain.Block, error) {
	h, err := decodeHeader(hash, header)
	if err != nil {
		return nil, err
	}
	cb, events, err := chain.DecodeBody(body)
	if err != nil {
		return nil, fmt.Errorf("store: block %s: %w: body: %v", hash, ErrCorrupt, err)
	}
	return &chain.Block{Header: h, Coinbase: cb, Events: events}, nil
}

func decodeHeader(hash chain.Hash, header []byte) (chain.Header, error) {
	h, err := chain.DecodeHeader(header)
	if err != nil {
		return h, fmt.Errorf("store: block %s: %w: header: %v", hash, ErrCorrupt, err)
	}
	if got := h.Hash(); got != hash {
		return h, fmt.Errorf("store: block %s: %w: header hashes to %s", hash, ErrCorrupt, got)
	}
	return h, nil
}

// tipRow is the last connected block.
type tipRow struct {
	id     int64
	hash   chain.Hash
	height int64
}

// tip reads the tip inside a transaction; ok is false when nothing was ever
// connected.
func tip(tx *sql.Tx) (t tipRow, ok bool, err error) {
	var hash []byte
	err = tx.QueryRow("SELECT id, hash, height FROM blocks WHERE connected = 1 ORDER BY height DESC LIMIT 1").
		Scan(&t.id, &hash, &t.height)
	if errors.Is(err, sql.ErrNoRows) {
		return t, false, nil
	}
	if err != nil {
		return t, false, err
	}
	if len(hash) != len(t.hash) {
		return t, false, fmt.Errorf("%w: tip hash of %d bytes", ErrCorrupt, len(hash))
	}
	copy(t.hash[:], hash)
	return t, true, nil
}

// ConnectBlock makes b, a stored child of the tip (or the genesis block of
// an empty chain), the new tip, and records its events as confirmed at their
// place in the block, in one transaction. Posts that were pending become
// confirmed and take the block's copy of the event (its signature is the
// one the Merkle root commits to).
func (s *Store) ConnectBlock(b *chain.Block) error {
	hash := b.Hash()
	return s.write(context.Background(), false, func(tx *sql.Tx) error {
		t, ok, err := tip(tx)
		if err != nil {
			return err
		}
		switch {
		case ok && (b.Header.Prev != t.hash || int64(b.Header.Height) != t.height+1):
			return fmt.Errorf("store: connect %s: not a child of the tip %s", hash, t.hash)
		case !ok && b.Header.Height != 0:
			return fmt.Errorf("store: connect %s: the chain is empty and this is not a genesis block", hash)
		}
		var id int64
		err = tx.QueryRow("UPDATE blocks SET connected = 1 WHERE hash = ? RETURNING id", hash[:]).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: connect %s: block not stored", hash)
		}
		if err != nil {
			return err
		}
		w := newPostWriter(tx)
		defer w.close()
		var buf []byte
		for i, e := range b.Events {
			buf = e.AppendBinary(buf[:0])
			if err := w.confirm(e, buf, id, i); err != nil {
				return fmt.Errorf("store: connect %s: %w", hash, err)
			}
		}
		return nil
	})
}

// DisconnectBlock undoes ConnectBlock for b, the tip: its parent becomes the
// tip and its posts pending again, in one transaction.
func (s *Store) DisconnectBlock(b *chain.Block) error {
	hash := b.Hash()
	now := time.Now().UnixMilli()
	return s.write(context.Background(), false, func(tx *sql.Tx) error {
		t, ok, err := tip(tx)
		if err != nil {
			return err
		}
		if !ok || t.hash != hash {
			return fmt.Errorf("store: disconnect %s: not the tip", hash)
		}
		if t.height == 0 {
			return fmt.Errorf("store: disconnect %s: the genesis block stays", hash)
		}
		if _, err := tx.Exec("UPDATE blocks SET connected = 0 WHERE id = ?", t.id); err != nil {
			return err
		}
		// Posts that came with a block were never received on their own:
		// they count as received now, when they become pending.
		st, err := tx.Prepare("UPDATE posts SET block = NULL, idx = NULL, received = coalesce(received, ?) WHERE id = ? AND block = ?")
		if err != nil {
			return err
		}
		defer st.Close()
		var n int64
		for _, e := range b.Events {
			res, err := st.Exec(now, e.ID[:], t.id)
			if err != nil {
				return err
			}
			k, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += k
		}
		if n != int64(len(b.Events)) {
			return fmt.Errorf("store: disconnect %s: %w: only %d of its %d posts are recorded as confirmed by it",
				hash, ErrCorrupt, n, len(b.Events))
		}
		return nil
	})
}

// hasEventSQL is HasEvent's query.
const hasEventSQL = "SELECT 1 FROM posts WHERE id = ? AND block IS NOT NULL"

// HasEvent reports whether an event is confirmed in the best chain.
//
// The chain asks it for every post of a block just before connecting it:
// for the posts of the block stored last, one query answers them all (see
// eventMemo). When no write holds the writer connection, it asks there: that
// connection's cache holds the index pages the last blocks wrote, while a
// pooled reader starts cold after every write (SQLite drops a connection's
// page cache when another one changed the file) and reads them again.
func (s *Store) HasEvent(id [32]byte) (bool, error) {
	if s.closed.Load() {
		return false, ErrClosed
	}
	st := s.hasEvent
	if s.wmu.TryLock() {
		defer s.wmu.Unlock()
		if s.closed.Load() {
			return false, ErrClosed
		}
		if in, ok, err := s.memoHasEvent(id); ok || err != nil {
			return in, err
		}
		st = s.wHasEvent
	}
	var one int
	err := st.QueryRow(id[:]).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: has event %x: %w", id, err)
	}
	return true, nil
}

// Tip returns the hash of the last connected block, or ErrNotFound.
func (s *Store) Tip() (chain.Hash, error) {
	var t tipRow
	var ok bool
	err := s.read(context.Background(), func(tx *sql.Tx) (err error) {
		t, ok, err = tip(tx)
		return err
	})
	if err != nil {
		return chain.Hash{}, fmt.Errorf("store: tip: %w", err)
	}
	if !ok {
		return chain.Hash{}, ErrNotFound
	}
	return t.hash, nil
}

// ForEachHeader calls fn for every stored header by height, so parents come
// before children, saying whether the block's body is stored too. It reads
// one snapshot; fn must not write to the store.
func (s *Store) ForEachHeader(fn func(h *chain.Header, hasBody bool) error) error {
	return s.read(context.Background(), func(tx *sql.Tx) error {
		rows, err := tx.Query("SELECT hash, header, has_body FROM blocks ORDER BY height, id")
		if err != nil {
			return fmt.Errorf("store: headers: %w", err)
		}
		defer rows.Close()
		var hashb, header []byte
		var hasBody bool
		for rows.Next() {
			if err := rows.Scan(&hashb, &header, &hasBody); err != nil {
				return fmt.Errorf("store: headers: %w", err)
			}
			var hash chain.Hash
			if len(hashb) != len(hash) {
				return fmt.Errorf("store: headers: %w: hash of %d bytes", ErrCorrupt, len(hashb))
			}
			copy(hash[:], hashb)
			h, err := decodeHeader(hash, header)
			if err != nil {
				return err
			}
			if err := fn(&h, hasBody); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: headers: %w", err)
		}
		return nil
	})
}
