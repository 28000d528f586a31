// Package headerstore is the light node's chain.Store: the header chain in
// memory, written through to a kv.DB in batches. Writing each header in a
// transaction of its own would cost an IndexedDB round trip per header, and
// even one put per header in a shared transaction costs the page more than
// verifying the header does; instead the node calls Flush after each batch
// it processed, and one transaction stores the batch's headers as a single
// record together with the tip that needs them, so a tab closed mid-sync
// leaves a consistent, shorter chain to resume from.
//
// Each record of kv.StoreHeaders holds one or more 96-byte headers (at most
// maxRecordHeaders), concatenated in the order the chain stored them. Its key is the hex hash
// of its first header followed by that of its last (a record of one header,
// as older versions of the page wrote them, is keyed by its own hash alone),
// which keeps keys unique without hashing every header again. The tip's
// hash lives in the same store under the key "tip" (older versions kept it
// in kv.StoreMeta, where it is still read from when the headers store has
// none), so a flush touches one store, and that store asks for no strict
// durability: a write lost to a crash costs a re-sync, not data.
package headerstore

import (
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync"

	"postwork/chain"
	"postwork/wasm/kv"
)

// tipKey is where the best chain's last hash lives in kv.StoreHeaders (and
// in kv.StoreMeta for pages written by older versions).
const tipKey = "tip"

// Store implements chain.Store for a headers-only chain.
type Store struct {
	db kv.DB

	// flushMu makes flushes take turns: two at once would write the same
	// pending headers and then each drop them from pending, the second
	// dropping headers neither wrote.
	flushMu sync.Mutex

	mu sync.Mutex
	// loaded holds the headers read at Open until the chain has indexed
	// them (ForEachHeader); after that the chain's index is the only copy
	// in memory, so a long header chain is not held twice.
	loaded  []chain.Header
	indexed bool // ForEachHeader has run: loaded is nil for good
	count   int
	// pending holds the encoded headers put since the last Flush.
	pending []byte

	// The tip is known by its hash, its header, or both. ConnectBlock
	// records the header alone: hashing it there would cost a few
	// microseconds per synced header in wasm, and only Flush, Tip and
	// DisconnectBlock need the hash, once per batch.
	tip       chain.Hash
	tipHeader chain.Header
	hashKnown bool // tip holds the hash of the tip
	hdrKnown  bool // tipHeader holds the tip's header
	hasTip    bool
	tipSeq    uint64 // counts tip changes
	flushed   uint64 // tipSeq at the last successful Flush
}

// tipHashLocked returns the tip's hash, hashing its header once if need be.
func (s *Store) tipHashLocked() chain.Hash {
	if !s.hashKnown {
		s.tip, s.hashKnown = s.tipHeader.Hash(), true
	}
	return s.tip
}

// Open loads the headers and tip held by db. Headers that do not decode are
// dropped rather than trusted: the chain re-validates and re-syncs them.
func Open(db kv.DB) (*Store, error) {
	s := &Store{db: db}
	entries, err := db.All(kv.StoreHeaders)
	if err != nil {
		return nil, fmt.Errorf("headerstore: load headers: %w", err)
	}
	known := make(map[chain.Hash]bool, len(entries))
	for _, e := range entries {
		v := e.Value
		if e.Key == tipKey || len(v) == 0 || len(v)%chain.HeaderSize != 0 {
			continue
		}
		for ; len(v) > 0; v = v[chain.HeaderSize:] {
			h, err := chain.DecodeHeader(v[:chain.HeaderSize])
			if err != nil {
				continue
			}
			hash := h.Hash()
			if known[hash] {
				continue // stored twice: keep one
			}
			known[hash] = true
			s.loaded = append(s.loaded, h)
		}
	}
	s.count = len(s.loaded)
	v, err := db.Get(kv.StoreHeaders, tipKey)
	if errors.Is(err, kv.ErrNotFound) {
		v, err = db.Get(kv.StoreMeta, tipKey)
	}
	switch {
	case errors.Is(err, kv.ErrNotFound):
	case err != nil:
		return nil, fmt.Errorf("headerstore: load tip: %w", err)
	default:
		if len(v) != len(s.tip) {
			return nil, fmt.Errorf("headerstore: stored tip has %d bytes, want %d", len(v), len(s.tip))
		}
		copy(s.tip[:], v)
		if !known[s.tip] {
			return nil, fmt.Errorf("headerstore: stored tip %s has no stored header", s.tip)
		}
		s.hasTip, s.hashKnown = true, true
	}
	return s, nil
}

// Len is the number of headers stored (flushed or pending).
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

// Flush writes everything changed since the last Flush in one transaction:
// the new headers as a few records, and the tip. On failure the changes stay
// pending and the next Flush tries them again. It is safe to call from
// several goroutines; they take turns.
func (s *Store) Flush() error {
	s.flushMu.Lock()
	defer s.flushMu.Unlock()
	s.mu.Lock()
	n := len(s.pending)
	seq := s.tipSeq
	var ops []kv.Op
	for rec := s.pending[:n]; len(rec) > 0; {
		size := min(len(rec), maxRecordHeaders*chain.HeaderSize)
		ops = append(ops, recordOp(rec[:size]))
		rec = rec[size:]
	}
	if seq != s.flushed && s.hasTip {
		tip := s.tipHashLocked()
		ops = append(ops, kv.Put(kv.StoreHeaders, tipKey, tip[:]))
	}
	s.mu.Unlock()
	if len(ops) == 0 {
		return nil
	}
	if err := s.db.Apply(ops); err != nil {
		return fmt.Errorf("headerstore: flush %d headers: %w", n/chain.HeaderSize, err)
	}
	s.mu.Lock()
	// Headers put while Apply ran stay pending.
	s.pending = s.pending[:copy(s.pending, s.pending[n:])]
	s.flushed = seq
	s.mu.Unlock()
	return nil
}

// maxRecordHeaders bounds the headers in one record: 512 headers are 48 KiB,
// under the 64 KiB from which Chromium wraps an IndexedDB value in a blob
// stored outside its database (IDBValueWrapper::kWrapThreshold), an extra
// file to write at each flush and to read back at each start.
const maxRecordHeaders = 512

// recordOp stores encoded headers (a copy of them) as one record.
func recordOp(enc []byte) kv.Op {
	first, _ := chain.DecodeHeader(enc[:chain.HeaderSize])
	last, _ := chain.DecodeHeader(enc[len(enc)-chain.HeaderSize:])
	fh, lh := first.Hash(), last.Hash()
	return kv.Put(kv.StoreHeaders, hex.EncodeToString(fh[:])+hex.EncodeToString(lh[:]), slices.Clone(enc))
}

// PutHeader implements chain.Store. The chain puts each header once, before
// it connects it, so there is nothing to deduplicate.
func (s *Store) PutHeader(h *chain.Header) error {
	enc := h.Encode()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending = append(s.pending, enc[:]...)
	s.count++
	if !s.indexed {
		s.loaded = append(s.loaded, *h) // the genesis block, put by chain.New
	}
	return nil
}

// PutBlock implements chain.Store; a light node keeps only the header.
func (s *Store) PutBlock(b *chain.Block) error { return s.PutHeader(&b.Header) }

// Block implements chain.Store. A headers-only chain never asks for bodies.
func (s *Store) Block(chain.Hash) (*chain.Block, error) { return nil, chain.ErrNotFound }

// ConnectBlock implements chain.Store. The chain has put the header first
// and checked that it links to its parent, the tip; this checks what it can
// without hashing: the parent's hash when it is known, the height otherwise.
func (s *Store) ConnectBlock(b *chain.Block) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hasTip {
		switch {
		case s.hashKnown && b.Header.Prev != s.tip:
			return fmt.Errorf("headerstore: connect %s: not a child of tip %s", b.Hash(), s.tip)
		case !s.hashKnown && b.Header.Height != s.tipHeader.Height+1:
			return fmt.Errorf("headerstore: connect header at height %d: not a child of tip at height %d", b.Header.Height, s.tipHeader.Height)
		}
	}
	s.tipHeader, s.hdrKnown, s.hashKnown, s.hasTip = b.Header, true, false, true
	s.tipSeq++
	return nil
}

// DisconnectBlock implements chain.Store.
func (s *Store) DisconnectBlock(b *chain.Block) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.hasTip || !(s.hdrKnown && b.Header == s.tipHeader || b.Hash() == s.tipHashLocked()) {
		return fmt.Errorf("headerstore: disconnect %s: not the tip", b.Hash())
	}
	s.tip, s.hashKnown, s.hdrKnown = b.Header.Prev, true, false
	s.tipSeq++
	return nil
}

// HasEvent implements chain.Store. A light chain records no events; the
// feed knows which posts it has seen confirmed.
func (s *Store) HasEvent([32]byte) (bool, error) { return false, nil }

// Tip implements chain.Store.
func (s *Store) Tip() (chain.Hash, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.hasTip {
		return chain.Hash{}, chain.ErrNotFound
	}
	return s.tipHashLocked(), nil
}

// ForEachHeader implements chain.Store. It serves the headers read at Open
// once: chain.New calls it once, and the chain keeps the index after.
func (s *Store) ForEachHeader(fn func(h *chain.Header, hasBody bool) error) error {
	s.mu.Lock()
	hs := s.loaded
	s.loaded, s.indexed = nil, true
	s.mu.Unlock()
	slices.SortFunc(hs, func(a, b chain.Header) int {
		switch {
		case a.Height < b.Height:
			return -1
		case a.Height > b.Height:
			return 1
		}
		return 0
	})
	for i := range hs {
		if err := fn(&hs[i], false); err != nil {
			return err
		}
	}
	return nil
}
