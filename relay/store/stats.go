package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"postwork/chain"
)

// Balance returns what a key has earned by mining: the sum of the coinbase
// rewards of the best chain's blocks it mined, and how many blocks those are.
func (s *Store) Balance(ctx context.Context, pubkey [32]byte) (reward uint64, blocks int, err error) {
	var sum int64
	err = s.read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT coalesce(sum(reward), 0), count(*) FROM blocks WHERE connected = 1 AND miner = ?",
			pubkey[:]).Scan(&sum, &blocks)
	})
	if err != nil {
		return 0, 0, fmt.Errorf("store: balance of %x: %w", pubkey, err)
	}
	if sum < 0 {
		return 0, 0, fmt.Errorf("store: balance of %x: %w: negative sum of rewards", pubkey, ErrCorrupt)
	}
	return uint64(sum), blocks, nil
}

// BlockHashAt returns the hash of the best chain's block at height, or
// ErrNotFound above the tip.
func (s *Store) BlockHashAt(ctx context.Context, height uint64) (chain.Hash, error) {
	var hash chain.Hash
	if height > 1<<62 {
		return hash, ErrNotFound
	}
	var b []byte
	err := s.read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT hash FROM blocks WHERE connected = 1 AND height = ?", int64(height)).Scan(&b)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return hash, ErrNotFound
	}
	if err != nil {
		return hash, fmt.Errorf("store: block at height %d: %w", height, err)
	}
	if len(b) != len(hash) {
		return hash, fmt.Errorf("store: block at height %d: %w: hash of %d bytes", height, ErrCorrupt, len(b))
	}
	copy(hash[:], b)
	return hash, nil
}

// Stats are counts of what the store holds.
type Stats struct {
	PendingPosts   int64
	ConfirmedPosts int64
	// Blocks counts the best chain, genesis included (tip height + 1);
	// StoredBlocks every stored header, side branches included.
	Blocks       int64
	StoredBlocks int64
	// FileBytes is the size of the database file and its write-ahead log.
	FileBytes int64
}

// Stats counts posts and blocks in one snapshot and measures the files.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	err := s.read(ctx, func(tx *sql.Tx) error {
		for _, q := range []struct {
			sql string
			n   *int64
		}{
			{"SELECT count(*) FROM posts WHERE block IS NULL", &st.PendingPosts},
			{"SELECT count(*) FROM posts", &st.ConfirmedPosts}, // less the pending, below
			{"SELECT count(*) FROM blocks WHERE connected = 1", &st.Blocks},
			{"SELECT count(*) FROM blocks", &st.StoredBlocks},
		} {
			if err := tx.QueryRowContext(ctx, q.sql).Scan(q.n); err != nil {
				return err
			}
		}
		st.ConfirmedPosts -= st.PendingPosts
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("store: stats: %w", err)
	}
	for _, name := range []string{s.path, s.path + "-wal"} {
		fi, err := os.Stat(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return st, fmt.Errorf("store: stats: %w", err)
		}
		st.FileBytes += fi.Size()
	}
	return st, nil
}
