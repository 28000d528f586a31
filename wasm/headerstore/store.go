// Package headerstore is the light node's chain.Store: the header chain in
// memory, written through to a kv.DB in batches. Writing each header in a
// transaction of its own would cost an IndexedDB round trip per header;
// instead the node calls Flush after each batch it processed, and one
// transaction stores the new headers together with the tip that needs them,
// so a tab closed mid-sync leaves a consistent, shorter chain to resume from.
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

// tipKey is where the best chain's last hash lives in kv.StoreMeta.
const tipKey = "tip"

// Store implements chain.Store for a headers-only chain.
type Store struct {
	db kv.DB

	mu sync.Mutex
	// loaded holds the headers read at Open until the chain has indexed
	// them (ForEachHeader); after that the chain's index is the only copy
	// in memory, so a long header chain is not held twice.
	loaded  []chain.Header
	indexed bool // ForEachHeader has run: loaded is nil for good
	count   int
	tip     chain.Hash
	hasTip  bool
	pending []kv.Op
	// last is the header PutHeader stored last and its hash: the chain
	// connects a header right after putting it, and hashing it again costs
	// a few microseconds in wasm, per header.
	last     chain.Header
	lastHash chain.Hash
}

func (s *Store) hashOf(h *chain.Header) chain.Hash {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last == *h {
		return s.lastHash
	}
	return h.Hash()
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
		h, err := chain.DecodeHeader(e.Value)
		if err != nil {
			continue
		}
		s.loaded = append(s.loaded, h)
		known[h.Hash()] = true
	}
	s.count = len(s.loaded)
	v, err := db.Get(kv.StoreMeta, tipKey)
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
		s.hasTip = true
	}
	return s, nil
}

// Len is the number of headers stored (flushed or pending).
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

// Flush writes everything changed since the last Flush in one batch. On
// failure the changes stay pending and the next Flush tries them again.
func (s *Store) Flush() error {
	s.mu.Lock()
	ops := s.pending
	s.mu.Unlock()
	if len(ops) == 0 {
		return nil
	}
	if err := s.db.Apply(ops); err != nil {
		return fmt.Errorf("headerstore: flush %d writes: %w", len(ops), err)
	}
	s.mu.Lock()
	// Ops added while Apply ran stay pending.
	s.pending = slices.Delete(s.pending, 0, len(ops))
	s.mu.Unlock()
	return nil
}

// putLocked queues a header. The chain puts each header once, before it
// connects it, so there is nothing to deduplicate.
func (s *Store) putLocked(h *chain.Header, hash chain.Hash) {
	enc := h.Encode()
	s.pending = append(s.pending, kv.Put(kv.StoreHeaders, hex.EncodeToString(hash[:]), enc[:]))
	s.count++
	if !s.indexed {
		s.loaded = append(s.loaded, *h) // the genesis block, put by chain.New
	}
}

func (s *Store) setTipLocked(hash chain.Hash) {
	s.tip, s.hasTip = hash, true
	s.pending = append(s.pending, kv.Put(kv.StoreMeta, tipKey, slices.Clone(hash[:])))
}

// PutHeader implements chain.Store.
func (s *Store) PutHeader(h *chain.Header) error {
	hash := h.Hash()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.putLocked(h, hash)
	s.last, s.lastHash = *h, hash
	return nil
}

// PutBlock implements chain.Store; a light node keeps only the header.
func (s *Store) PutBlock(b *chain.Block) error { return s.PutHeader(&b.Header) }

// Block implements chain.Store. A headers-only chain never asks for bodies.
func (s *Store) Block(chain.Hash) (*chain.Block, error) { return nil, chain.ErrNotFound }

// ConnectBlock implements chain.Store. The chain has put the header first.
func (s *Store) ConnectBlock(b *chain.Block) error {
	hash := s.hashOf(&b.Header)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hasTip && b.Header.Prev != s.tip {
		return fmt.Errorf("headerstore: connect %s: not a child of tip %s", hash, s.tip)
	}
	s.setTipLocked(hash)
	return nil
}

// DisconnectBlock implements chain.Store.
func (s *Store) DisconnectBlock(b *chain.Block) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.hasTip || b.Hash() != s.tip {
		return fmt.Errorf("headerstore: disconnect %s: not the tip", b.Hash())
	}
	s.setTipLocked(b.Header.Prev)
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
	return s.tip, nil
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
