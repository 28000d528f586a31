// Package mempool holds a node's pending posts: signed Nostr events waiting
// for a block. Work is the fee: posts rank by their NIP-13 difficulty (leading
// zero bits of the id), then by arrival, oldest first, then by id, so every
// node that saw the same posts at the same times orders them the same way.
// The pool is bounded in bytes; when it is full, a stronger post displaces the
// weakest ones. It does no I/O and reads no clock: callers pass the time.
package mempool

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"postwork/chain/nostr"
)

// Defaults for Config fields left zero, and the expiry a node should use.
const (
	// DefaultMaxBytes bounds the pool at 32 MiB of binary events: several
	// full blocks' worth, and small enough for a browser tab.
	DefaultMaxBytes = 32 << 20

	// DefaultMaxAge is how long a post may wait for a block. Nodes call
	// Expire(now.Add(-DefaultMaxAge)) from time to time (on each new block
	// is enough); a post that waited this long is unlikely to be mined at
	// its difficulty, and its author can send it again with more work.
	DefaultMaxAge = 72 * time.Hour
)

// Errors returned by Add and AddVerified; test with errors.Is.
var (
	ErrLowPoW    = errors.New("mempool: proof of work too low")
	ErrDuplicate = errors.New("mempool: post already pending")
	ErrPoolFull  = errors.New("mempool: pool full of stronger posts")
	ErrInvalid   = errors.New("mempool: invalid post")
)

// Config sets a pool's policy.
type Config struct {
	// MaxBytes bounds the sum of the posts' binary encodings (their size
	// in a block body). Zero means DefaultMaxBytes.
	MaxBytes int
	// MinBits is the least NIP-13 difficulty Add admits. Zero admits all.
	MinBits int
}

// Pool is a set of pending posts ordered best first. It is safe for
// concurrent use. Events passed in and handed out are shared, not copied:
// nobody may modify them.
type Pool struct {
	maxBytes int
	minBits  int

	mu      sync.Mutex
	byID    map[[32]byte]*entry
	tree    treap
	bytes   int
	restore int64 // rank of the last restored post; decreases
}

// entry is one pending post and its place in the order.
type entry struct {
	ev   *nostr.Event
	bits int
	size int
	// class 0 holds posts given back by Restore, class 1 posts from Add,
	// so a post that was already mined once goes back to the front of its
	// difficulty. rank orders within a class: arrival in unix nanoseconds
	// for Add, a decreasing counter for Restore.
	class int
	rank  int64
	added time.Time // for Expire

	prio        uint64 // treap heap priority, random
	left, right *entry
}

// before reports whether a ranks ahead of b: more bits, then restored before
// added, then older, then smaller id.
func (a *entry) before(b *entry) bool {
	if a.bits != b.bits {
		return a.bits > b.bits
	}
	if a.class != b.class {
		return a.class < b.class
	}
	if a.rank != b.rank {
		return a.rank < b.rank
	}
	for i := range a.ev.ID {
		if a.ev.ID[i] != b.ev.ID[i] {
			return a.ev.ID[i] < b.ev.ID[i]
		}
	}
	return false
}

// New returns an empty pool.
func New(cfg Config) *Pool {
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	return &Pool{
		maxBytes: cfg.MaxBytes,
		minBits:  max(cfg.MinBits, 0),
		byID:     make(map[[32]byte]*entry),
	}
}

// Add verifies ev (id, signature, limits) and admits it. It returns the ids
// of the weaker posts evicted to make room, so a relay can tell their authors.
// It fails with ErrLowPoW below the pool's MinBits, ErrDuplicate for a
// pending post, ErrInvalid when verification fails, and ErrPoolFull when the
// pool is full of posts that rank ahead of ev. The cheap checks come first,
// so a flood of weak or repeated posts costs no signature checks.
func (p *Pool) Add(ev *nostr.Event, now time.Time) (evicted [][32]byte, err error) {
	return p.add(ev, now, true)
}

// AddVerified is Add for an event the caller has already verified (a relay
// verifies each event once, before it reaches the pool). An event that was
// not verified could carry an id that does not match its content.
func (p *Pool) AddVerified(ev *nostr.Event, now time.Time) (evicted [][32]byte, err error) {
	return p.add(ev, now, false)
}

func (p *Pool) add(ev *nostr.Event, now time.Time, verify bool) ([][32]byte, error) {
	if ev == nil {
		return nil, fmt.Errorf("%w: nil event", ErrInvalid)
	}
	bits := nostr.LeadingZeroBits(ev.ID)
	if bits < p.minBits {
		return nil, fmt.Errorf("%w: have %d bits, need %d", ErrLowPoW, bits, p.minBits)
	}
	if p.Has(ev.ID) {
		return nil, fmt.Errorf("%w: %x", ErrDuplicate, ev.ID)
	}
	if verify {
		if err := ev.Verify(); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
	}
	e := &entry{ev: ev, bits: bits, size: len(ev.AppendBinary(nil)), class: 1, rank: now.UnixNano(), added: now}

	p.mu.Lock()
	defer p.mu.Unlock()
	if _, dup := p.byID[ev.ID]; dup { // added while we verified
		return nil, fmt.Errorf("%w: %x", ErrDuplicate, ev.ID)
	}
	victims, err := p.admitLocked(e)
	return ids(victims), err
}

// admitLocked inserts e, first evicting the weakest posts if the pool would
// exceed its bytes. Only posts that rank after e may go; if they do not free
// enough room, nothing changes and it returns ErrPoolFull.
func (p *Pool) admitLocked(e *entry) ([]*entry, error) {
	need := p.bytes + e.size - p.maxBytes
	if e.size > p.maxBytes {
		return nil, fmt.Errorf("%w: post of %d bytes exceeds the pool's %d", ErrPoolFull, e.size, p.maxBytes)
	}
	var victims []*entry
	if need > 0 {
		freed := 0
		p.tree.descend(func(v *entry) bool {
			if !e.before(v) {
				return false
			}
			victims = append(victims, v)
			freed += v.size
			return freed < need
		})
		if freed < need {
			return nil, fmt.Errorf("%w: post has %d bits, %d bytes; only %d bytes of weaker posts to evict", ErrPoolFull, e.bits, e.size, freed)
		}
		for _, v := range victims {
			p.removeLocked(v)
		}
	}
	e.prio = rand.Uint64()
	p.tree.insert(e)
	p.byID[e.ev.ID] = e
	p.bytes += e.size
	return victims, nil
}

func (p *Pool) removeLocked(e *entry) {
	p.tree.remove(e)
	delete(p.byID, e.ev.ID)
	p.bytes -= e.size
}

func ids(es []*entry) [][32]byte {
	if len(es) == 0 {
		return nil
	}
	out := make([][32]byte, len(es))
	for i, e := range es {
		out[i] = e.ev.ID
	}
	return out
}

// Get returns the pending post with this id.
func (p *Pool) Get(id [32]byte) (*nostr.Event, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e, ok := p.byID[id]; ok {
		return e.ev, true
	}
	return nil, false
}

// Has reports whether a post with this id is pending.
func (p *Pool) Has(id [32]byte) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.byID[id]
	return ok
}

// Len returns the number of pending posts.
func (p *Pool) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.byID)
}

// Bytes returns the size of the pending posts' binary encodings.
func (p *Pool) Bytes() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.bytes
}

// All returns the pending posts, best first.
func (p *Pool) All() []*nostr.Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]*nostr.Event, 0, len(p.byID))
	p.tree.ascend(func(e *entry) bool {
		out = append(out, e.ev)
		return true
	})
	return out
}

// minEventSize is the smallest binary event (pubkey, signature, created_at
// and one-byte lengths); Select stops once less room than this is left.
const minEventSize = 32 + 64 + 8 + 1 + 1 + 1

// Select returns the best posts, in order, whose binary encodings sum to at
// most maxBytes, at most maxCount of them: what a miner puts in a block. A
// post too large for the room left is skipped, and smaller ones after it
// may still fit.
func (p *Pool) Select(maxBytes, maxCount int) []*nostr.Event {
	if maxBytes <= 0 || maxCount <= 0 {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []*nostr.Event
	room := maxBytes
	p.tree.ascend(func(e *entry) bool {
		if e.size <= room {
			out = append(out, e.ev)
			room -= e.size
		}
		return len(out) < maxCount && room >= minEventSize
	})
	return out
}

// RemoveConfirmed drops the posts a newly connected block confirms. Events
// that are not pending are ignored.
func (p *Pool) RemoveConfirmed(events []*nostr.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, ev := range events {
		if ev == nil {
			continue
		}
		if e, ok := p.byID[ev.ID]; ok {
			p.removeLocked(e)
		}
	}
}

// Restore gives back the posts of a disconnected block (in body order), as
// a reorganisation does. They were valid on chain, so they are admitted
// without verification and regardless of MinBits, and they go to the front
// of their difficulty: each call ranks its posts ahead of earlier restored
// ones, so disconnecting blocks tip first leaves the oldest block's posts
// first, and a block built by Select comes back in its original order. The
// byte bound still holds: restored posts evict weaker ones, and those that do
// not fit are dropped. It returns the ids that are no longer pending because
// of the call (posts evicted and restored posts dropped), so a relay can tell
// their authors.
func (p *Pool) Restore(events []*nostr.Event, now time.Time) (dropped [][32]byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	base := p.restore - int64(len(events))
	p.restore = base
	for i, ev := range events {
		if ev == nil {
			continue
		}
		if _, dup := p.byID[ev.ID]; dup {
			continue
		}
		e := &entry{ev: ev, bits: nostr.LeadingZeroBits(ev.ID), size: len(ev.AppendBinary(nil)), class: 0, rank: base + int64(i), added: now}
		victims, err := p.admitLocked(e)
		if err != nil {
			dropped = append(dropped, ev.ID)
			continue
		}
		dropped = append(dropped, ids(victims)...)
	}
	return dropped
}

// Expire drops posts added before olderThan and returns how many it dropped.
// The pool never expires posts on its own; see DefaultMaxAge. It scans the
// whole pool, which is fine at the rate a node calls it.
func (p *Pool) Expire(olderThan time.Time) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	var stale []*entry
	for _, e := range p.byID {
		if e.added.Before(olderThan) {
			stale = append(stale, e)
		}
	}
	for _, e := range stale {
		p.removeLocked(e)
	}
	return len(stale)
}
