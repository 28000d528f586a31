package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"postwork/chain"
	"postwork/chain/nostr"
)

// PostRecord is a stored post and where the best chain confirms it.
type PostRecord struct {
	Event     *nostr.Event
	Confirmed bool
	// BlockHash, Height and Index (the post's position among the block's
	// events) are zero for a pending post.
	BlockHash chain.Hash
	Height    uint64
	Index     int
}

// saveBatch is a group of SavePending calls committed together.
type saveBatch struct {
	posts []pendingPost
	done  chan struct{} // closed once err is set
	err   error
}

type pendingPost struct {
	ev       *nostr.Event
	received time.Time
}

// SavePending records a post the node accepted into its mempool. When it
// returns nil the post is on disk (synchronous=FULL: it survives a power
// failure too), so the relay may answer OK. A post already stored, pending
// or confirmed, is left as it is.
//
// Calls that arrive while another write is in progress form a batch that
// the first of them commits in one transaction: one disk flush for all of
// them rather than one each, which is what bounds the rate of OKs.
func (s *Store) SavePending(ev *nostr.Event, received time.Time) error {
	if ev == nil {
		return errors.New("store: save post: nil event")
	}
	if err := checkEvent(ev); err != nil {
		return fmt.Errorf("store: save post %x: %w", ev.ID, err)
	}
	s.bmu.Lock()
	b := s.batch
	leader := b == nil
	if leader {
		b = &saveBatch{done: make(chan struct{})}
		s.batch = b
	}
	b.posts = append(b.posts, pendingPost{ev, received})
	s.bmu.Unlock()
	if !leader {
		<-b.done
		return b.err
	}

	s.wmu.Lock()
	// From here on, callers start the next batch.
	s.bmu.Lock()
	s.batch = nil
	posts := b.posts
	s.bmu.Unlock()
	err := s.txLocked(context.Background(), true, func(tx *sql.Tx) error {
		w := newPostWriter(tx)
		defer w.close()
		var buf []byte
		for _, p := range posts {
			buf = p.ev.AppendBinary(buf[:0])
			if err := w.insertPending(p.ev, buf, p.received.UnixMilli()); err != nil {
				return err
			}
		}
		return nil
	})
	s.wmu.Unlock()
	if err != nil {
		err = fmt.Errorf("store: save pending posts: %w", err)
	}
	b.err = err
	close(b.done)
	return err
}

// checkEvent refuses an event the store could not give back as it was
// given: one over the limits (its binary encoding would not decode) or whose
// id is not its hash (the decoder recomputes ids).
func checkEvent(ev *nostr.Event) error {
	if err := ev.CheckLimits(); err != nil {
		return err
	}
	return ev.CheckID()
}

// RemovePending forgets pending posts (expired or evicted from the mempool)
// and their tags. Confirmed posts and unknown ids are left alone.
func (s *Store) RemovePending(ids [][32]byte) error {
	if len(ids) == 0 {
		return nil
	}
	return s.write(context.Background(), false, func(tx *sql.Tx) error {
		find, err := tx.Prepare("SELECT rid, event FROM posts WHERE id = ? AND block IS NULL")
		if err != nil {
			return err
		}
		defer find.Close()
		untag, err := tx.Prepare("DELETE FROM tags WHERE name = ? AND value = ? AND post = ?")
		if err != nil {
			return err
		}
		defer untag.Close()
		del, err := tx.Prepare("DELETE FROM posts WHERE rid = ?")
		if err != nil {
			return err
		}
		defer del.Close()
		for _, id := range ids {
			var rid int64
			var event []byte
			err := find.QueryRow(id[:]).Scan(&rid, &event)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return fmt.Errorf("store: remove pending %x: %w", id, err)
			}
			// The tags to remove are the post's own: read them from it.
			ev, err := decodePost(id[:], event)
			if err != nil {
				return fmt.Errorf("store: remove pending %x: %w", id, err)
			}
			for _, t := range indexedTags(ev) {
				if _, err := untag.Exec(t[0], t[1], rid); err != nil {
					return fmt.Errorf("store: remove pending %x: %w", id, err)
				}
			}
			if _, err := del.Exec(rid); err != nil {
				return fmt.Errorf("store: remove pending %x: %w", id, err)
			}
		}
		return nil
	})
}

// LoadPending returns the pending posts in the order they were received, to
// refill the mempool at start-up.
func (s *Store) LoadPending() ([]*nostr.Event, error) {
	var out []*nostr.Event
	err := s.read(context.Background(), func(tx *sql.Tx) error {
		rows, err := tx.Query("SELECT id, event FROM posts WHERE block IS NULL ORDER BY received, rid")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, event []byte
			if err := rows.Scan(&id, &event); err != nil {
				return err
			}
			ev, err := decodePost(id, event)
			if err != nil {
				return err
			}
			out = append(out, ev)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: load pending: %w", err)
	}
	return out, nil
}

// Post returns a stored post, pending or confirmed, or ErrNotFound.
func (s *Store) Post(ctx context.Context, id [32]byte) (PostRecord, error) {
	var rec PostRecord
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, postSelect+" WHERE p.id = ?", id[:])
		if err != nil {
			return err
		}
		recs, err := scanPosts(rows)
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			return ErrNotFound
		}
		rec = recs[0]
		return nil
	})
	if errors.Is(err, ErrNotFound) {
		return PostRecord{}, err
	}
	if err != nil {
		return PostRecord{}, fmt.Errorf("store: post %x: %w", id, err)
	}
	return rec, nil
}

// postSelect reads posts with the block that confirms them, if any.
const postSelect = `SELECT p.id, p.event, p.idx, b.hash, b.height
	FROM posts p LEFT JOIN blocks b ON b.id = p.block`

// scanPosts reads the rows of a postSelect query and closes them.
func scanPosts(rows *sql.Rows) ([]PostRecord, error) {
	defer rows.Close()
	var out []PostRecord
	for rows.Next() {
		var id, event, hash []byte
		var idx, height sql.NullInt64
		if err := rows.Scan(&id, &event, &idx, &hash, &height); err != nil {
			return nil, err
		}
		ev, err := decodePost(id, event)
		if err != nil {
			return nil, err
		}
		rec := PostRecord{Event: ev}
		if idx.Valid {
			if len(hash) != len(rec.BlockHash) || !height.Valid || height.Int64 < 0 || idx.Int64 < 0 {
				return nil, fmt.Errorf("%w: post %x: bad block reference", ErrCorrupt, id)
			}
			rec.Confirmed = true
			copy(rec.BlockHash[:], hash)
			rec.Height = uint64(height.Int64)
			rec.Index = int(idx.Int64)
		}
		out = append(out, rec)
	}
	return out, rows.Err()
}

// decodePost decodes a stored event and checks that it is the one its row
// names: a decoding error is corruption, never a panic or a wrong post.
func decodePost(id, event []byte) (*nostr.Event, error) {
	ev, n, err := nostr.DecodeBinary(event)
	if err != nil {
		return nil, fmt.Errorf("%w: post %x: %v", ErrCorrupt, id, err)
	}
	if n != len(event) {
		return nil, fmt.Errorf("%w: post %x: %d trailing bytes", ErrCorrupt, id, len(event)-n)
	}
	if !bytes.Equal(ev.ID[:], id) {
		return nil, fmt.Errorf("%w: post %x: event hashes to %x", ErrCorrupt, id, ev.ID)
	}
	return ev, nil
}

// postWriter writes posts in one transaction. It prepares each statement
// when first used: a block's connect needs two of the four, and preparing
// is a good part of a statement's cost.
type postWriter struct {
	tx                     *sql.Tx
	ins, add, promote, tag *sql.Stmt
}

// The statements of a postWriter.
const (
	insertPendingSQL = `INSERT INTO posts(id, pubkey, created_at, kind, event, received)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING RETURNING rid`
	// confirm first tries to insert the post confirmed: a block from a
	// peer brings posts new to the store, and a plain insert is the
	// cheapest statement (no RETURNING, whose rows SQLite buffers in a
	// temporary table per execution). A post stored already is then
	// turned confirmed if it is pending (received is never NULL for those:
	// SavePending and DisconnectBlock set it).
	insertConfirmedSQL = `INSERT INTO posts(id, pubkey, created_at, kind, event, block, idx)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`
	promoteSQL   = `UPDATE posts SET block = ?, idx = ?, event = ? WHERE id = ? AND block IS NULL`
	insertTagSQL = `INSERT OR IGNORE INTO tags(name, value, post) VALUES (?, ?, ?)`
)

func newPostWriter(tx *sql.Tx) *postWriter { return &postWriter{tx: tx} }

// stmt returns *st, preparing it first if needed.
func (w *postWriter) stmt(st **sql.Stmt, query string) (*sql.Stmt, error) {
	if *st == nil {
		var err error
		if *st, err = w.tx.Prepare(query); err != nil {
			return nil, err
		}
	}
	return *st, nil
}

func (w *postWriter) close() {
	for _, st := range []*sql.Stmt{w.ins, w.add, w.promote, w.tag} {
		if st != nil {
			st.Close()
		}
	}
}

// insertPending adds a pending post unless its id is stored already.
func (w *postWriter) insertPending(ev *nostr.Event, enc []byte, received int64) error {
	ins, err := w.stmt(&w.ins, insertPendingSQL)
	if err != nil {
		return err
	}
	var rid int64
	err = ins.QueryRow(ev.ID[:], ev.PubKey[:], ev.CreatedAt, ev.Kind, enc, received).Scan(&rid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return w.tags(ev, rid)
}

// confirm records ev as the idx-th post of block, inserting it or turning
// its pending row confirmed; a post confirmed already is an error.
func (w *postWriter) confirm(ev *nostr.Event, enc []byte, block int64, idx int) error {
	add, err := w.stmt(&w.add, insertConfirmedSQL)
	if err != nil {
		return err
	}
	res, err := add.Exec(ev.ID[:], ev.PubKey[:], ev.CreatedAt, ev.Kind, enc, block, idx)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 1 {
		rid, err := res.LastInsertId()
		if err != nil {
			return err
		}
		return w.tags(ev, rid)
	}
	// Stored already: pending (its tags are indexed) or confirmed.
	promote, err := w.stmt(&w.promote, promoteSQL)
	if err != nil {
		return err
	}
	res, err = promote.Exec(block, idx, enc, ev.ID[:])
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return fmt.Errorf("event %x is already confirmed", ev.ID)
	}
	return nil
}

// tags indexes the single-letter tags of a post just inserted: the first
// value of each, as NIP-01 filters match them.
func (w *postWriter) tags(ev *nostr.Event, rid int64) error {
	for _, t := range indexedTags(ev) {
		tag, err := w.stmt(&w.tag, insertTagSQL)
		if err != nil {
			return err
		}
		if _, err := tag.Exec(t[0], t[1], rid); err != nil {
			return err
		}
	}
	return nil
}

// indexedTags returns the tags of ev the tags table holds: those with a
// single-letter name and a value.
func indexedTags(ev *nostr.Event) [][]string {
	var out [][]string
	for _, t := range ev.Tags {
		if len(t) >= 2 && isIndexedTag(t[0]) {
			out = append(out, t)
		}
	}
	return out
}

// isIndexedTag reports whether a tag name is a single letter, the tags
// NIP-01 filters (#e, #p, #t...) can ask for.
func isIndexedTag(name string) bool {
	return len(name) == 1 && (name[0] >= 'a' && name[0] <= 'z' || name[0] >= 'A' && name[0] <= 'Z')
}
