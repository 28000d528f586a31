package chain

import (
	"cmp"
	"fmt"
	"slices"
	"sync"
)

// MemStore is a Store in memory, for tests and for nodes that need no
// persistence.
type MemStore struct {
	mu      sync.Mutex
	headers map[Hash]Header
	bodies  map[Hash]*Block
	events  map[[32]byte]Hash // confirmed event → block
	tip     Hash
	hasTip  bool
}

// NewMemStore returns an empty store.
func NewMemStore() *MemStore {
	return &MemStore{
		headers: make(map[Hash]Header),
		bodies:  make(map[Hash]*Block),
		events:  make(map[[32]byte]Hash),
	}
}

func (s *MemStore) PutHeader(h *Header) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.headers[h.Hash()] = *h
	return nil
}

func (s *MemStore) PutBlock(b *Block) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	hash := b.Hash()
	s.headers[hash] = b.Header
	s.bodies[hash] = b
	return nil
}

func (s *MemStore) Block(hash Hash) (*Block, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.bodies[hash]; ok {
		return b, nil
	}
	return nil, ErrNotFound
}

func (s *MemStore) ConnectBlock(b *Block) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hasTip && b.Header.Prev != s.tip {
		return fmt.Errorf("memstore: connect %s: not a child of tip %s", b.Hash(), s.tip)
	}
	hash := b.Hash()
	for _, e := range b.Events {
		s.events[e.ID] = hash
	}
	s.tip, s.hasTip = hash, true
	return nil
}

func (s *MemStore) DisconnectBlock(b *Block) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.hasTip || b.Hash() != s.tip {
		return fmt.Errorf("memstore: disconnect %s: not the tip", b.Hash())
	}
	for _, e := range b.Events {
		delete(s.events, e.ID)
	}
	s.tip = b.Header.Prev
	return nil
}

func (s *MemStore) HasEvent(id [32]byte) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.events[id]
	return ok, nil
}

func (s *MemStore) Tip() (Hash, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.hasTip {
		return Hash{}, ErrNotFound
	}
	return s.tip, nil
}

func (s *MemStore) ForEachHeader(fn func(h *Header, hasBody bool) error) error {
	s.mu.Lock()
	hs := make([]Header, 0, len(s.headers))
	for _, h := range s.headers {
		hs = append(hs, h)
	}
	bodies := make(map[Hash]bool, len(s.bodies))
	for h := range s.bodies {
		bodies[h] = true
	}
	s.mu.Unlock()
	slices.SortFunc(hs, func(a, b Header) int { return cmp.Compare(a.Height, b.Height) })
	for i := range hs {
		if err := fn(&hs[i], bodies[hs[i].Hash()]); err != nil {
			return err
		}
	}
	return nil
}
