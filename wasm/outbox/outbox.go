// Package outbox keeps the posts this page signed until a relay accepts
// them. A post is stored before it is sent, so one written offline, or in a
// tab closed before the relay answered, goes out on the next connection. A
// relay's refusal is kept with its reason, never dropped silently.
package outbox

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"postwork/chain/nostr"
	"postwork/wasm/kv"
)

// MaxItems bounds the outbox: a page that cannot reach any relay stops
// taking posts rather than filling the disk.
const MaxItems = 1000

// States of an item.
const (
	StateWaiting  = "waiting"  // not yet accepted; sent on every connection
	StateRejected = "rejected" // the relay refused it for good; Reason says why
)

// ErrFull is returned by Add when MaxItems posts wait.
var ErrFull = fmt.Errorf("outbox: %d posts are waiting already; reconnect or remove some", MaxItems)

// Item is a post in the outbox.
type Item struct {
	Event  *nostr.Event
	Added  int64 // unix seconds
	State  string
	Reason string
}

type record struct {
	Event  json.RawMessage `json:"event"`
	Added  int64           `json:"added"`
	State  string          `json:"state"`
	Reason string          `json:"reason,omitempty"`
}

// Outbox is safe for concurrent use. Writers take wmu for the whole
// change, storage write included; mu guards items and is never held while
// waiting for storage, because in the browser a reader may be a JavaScript
// callback that must not block behind an IndexedDB round trip.
type Outbox struct {
	db    kv.DB
	wmu   sync.Mutex
	mu    sync.Mutex
	items map[[32]byte]*Item
}

func (o *Outbox) get(id [32]byte) (*Item, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	it, ok := o.items[id]
	return it, ok
}

// Open loads the stored outbox. Records that no longer parse or verify are
// skipped (and reported in the error-free count skipped), never sent.
func Open(db kv.DB) (o *Outbox, skipped int, err error) {
	entries, err := db.All(kv.StoreOutbox)
	if err != nil {
		return nil, 0, fmt.Errorf("outbox: load: %w", err)
	}
	o = &Outbox{db: db, items: make(map[[32]byte]*Item)}
	for _, e := range entries {
		var r record
		if err := json.Unmarshal(e.Value, &r); err != nil {
			skipped++
			continue
		}
		ev, err := nostr.Parse(r.Event)
		if err != nil || ev.Verify() != nil {
			skipped++
			continue
		}
		o.items[ev.ID] = &Item{Event: ev, Added: r.Added, State: r.State, Reason: r.Reason}
	}
	return o, skipped, nil
}

func key(id [32]byte) string { return hex.EncodeToString(id[:]) }

func encode(it *Item) ([]byte, error) {
	return json.Marshal(record{Event: it.Event.AppendJSON(nil), Added: it.Added, State: it.State, Reason: it.Reason})
}

// Add stores a signed post as waiting. It must verify: the outbox never
// sends what a relay would refuse as invalid.
func (o *Outbox) Add(e *nostr.Event, now int64) error {
	if err := e.Verify(); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	o.wmu.Lock()
	defer o.wmu.Unlock()
	o.mu.Lock()
	_, dup := o.items[e.ID]
	n := len(o.items)
	o.mu.Unlock()
	if dup {
		return nil
	}
	if n >= MaxItems {
		return ErrFull
	}
	it := &Item{Event: e, Added: now, State: StateWaiting}
	raw, err := encode(it)
	if err != nil {
		return err
	}
	if err := o.db.Apply([]kv.Op{kv.Put(kv.StoreOutbox, key(e.ID), raw)}); err != nil {
		return fmt.Errorf("outbox: store post: %w", err)
	}
	o.mu.Lock()
	o.items[e.ID] = it
	o.mu.Unlock()
	return nil
}

// Waiting returns the posts to send, oldest first.
func (o *Outbox) Waiting() []*nostr.Event {
	var out []*Item
	o.mu.Lock()
	for _, it := range o.items {
		if it.State == StateWaiting {
			out = append(out, it)
		}
	}
	o.mu.Unlock()
	sortItems(out)
	evs := make([]*nostr.Event, len(out))
	for i, it := range out {
		evs[i] = it.Event
	}
	return evs
}

// Items returns a copy of every item, oldest first.
func (o *Outbox) Items() []Item {
	var ptrs []*Item
	o.mu.Lock()
	for _, it := range o.items {
		ptrs = append(ptrs, it)
	}
	out := make([]Item, 0, len(ptrs))
	sortItems(ptrs)
	for _, it := range ptrs {
		out = append(out, *it)
	}
	o.mu.Unlock()
	return out
}

func sortItems(items []*Item) {
	slices.SortFunc(items, func(a, b *Item) int {
		if a.Added != b.Added {
			return int(a.Added - b.Added)
		}
		return strings.Compare(key(a.Event.ID), key(b.Event.ID))
	})
}

// Outcome is what an OK from a relay means for a post.
type Outcome int

// Outcomes of Answer.
const (
	Unknown  Outcome = iota // not in the outbox
	Accepted                // the relay has it; it left the outbox
	Retry                   // try again later (rate limit, relay trouble)
	Rejected                // refused for good; kept with the reason
)

// Answer applies a relay's OK to a post. A "duplicate:" refusal means the
// relay has the post already, so it counts as accepted; "rate-limited:" and
// "error:" leave it waiting; any other refusal marks it rejected.
func (o *Outbox) Answer(id [32]byte, accepted bool, reason string) (Outcome, error) {
	o.wmu.Lock()
	defer o.wmu.Unlock()
	it, ok := o.get(id)
	if !ok {
		return Unknown, nil
	}
	prefix, _, _ := strings.Cut(reason, ":")
	switch {
	case accepted || prefix == "duplicate":
		if err := o.db.Apply([]kv.Op{kv.Del(kv.StoreOutbox, key(id))}); err != nil {
			return Unknown, fmt.Errorf("outbox: remove accepted post: %w", err)
		}
		o.mu.Lock()
		delete(o.items, id)
		o.mu.Unlock()
		return Accepted, nil
	case prefix == "rate-limited" || prefix == "error":
		return Retry, nil
	}
	next := *it
	next.State, next.Reason = StateRejected, reason
	raw, err := encode(&next)
	if err != nil {
		return Unknown, err
	}
	if err := o.db.Apply([]kv.Op{kv.Put(kv.StoreOutbox, key(id), raw)}); err != nil {
		return Unknown, fmt.Errorf("outbox: mark rejected: %w", err)
	}
	o.mu.Lock()
	o.items[id] = &next
	o.mu.Unlock()
	return Rejected, nil
}

// ErrNotInOutbox is returned by Remove for an unknown id.
var ErrNotInOutbox = errors.New("outbox: no such post")

// Remove deletes a post the user gave up on.
func (o *Outbox) Remove(id [32]byte) error {
	o.wmu.Lock()
	defer o.wmu.Unlock()
	if _, ok := o.get(id); !ok {
		return ErrNotInOutbox
	}
	if err := o.db.Apply([]kv.Op{kv.Del(kv.StoreOutbox, key(id))}); err != nil {
		return fmt.Errorf("outbox: remove: %w", err)
	}
	o.mu.Lock()
	delete(o.items, id)
	o.mu.Unlock()
	return nil
}
