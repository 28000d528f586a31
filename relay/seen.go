package relay

import "sync"

// SeenSet remembers recently seen ids (events, blocks), bounded: it keeps
// two generations of at most half the capacity each and drops the older
// generation when the newer fills, so an id is remembered for at least
// capacity/2 insertions after it was added. Safe for concurrent use.
type SeenSet struct {
	mu        sync.Mutex
	half      int
	cur, prev map[[32]byte]struct{}
}

// NewSeenSet returns a set that remembers about capacity ids.
func NewSeenSet(capacity int) *SeenSet {
	half := max(capacity/2, 1)
	return &SeenSet{half: half, cur: make(map[[32]byte]struct{}), prev: map[[32]byte]struct{}{}}
}

// Add records id and reports whether it was new.
func (s *SeenSet) Add(id [32]byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hasLocked(id) {
		return false
	}
	if len(s.cur) >= s.half {
		s.prev, s.cur = s.cur, make(map[[32]byte]struct{}, s.half)
	}
	s.cur[id] = struct{}{}
	return true
}

// Has reports whether id was seen recently.
func (s *SeenSet) Has(id [32]byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hasLocked(id)
}

// Remove forgets id, so it counts as new again (a post that left the pool
// and may come back).
func (s *SeenSet) Remove(id [32]byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.cur, id)
	delete(s.prev, id)
}

func (s *SeenSet) hasLocked(id [32]byte) bool {
	if _, ok := s.cur[id]; ok {
		return true
	}
	_, ok := s.prev[id]
	return ok
}
