// Package feed is the light node's model of what the page shows: posts seen
// from the relay (pending) and posts found in block bodies the node checked
// against its own header chain (confirmed), newest first, with authors'
// names from their kind-0 profiles. It keeps a bounded number of posts and
// writes changes to a kv.DB in batches. The page renders its View as text.
package feed

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"postwork/chain"
	"postwork/chain/nostr"
	"postwork/wasm/kv"
)

// Kinds of event the feed keeps.
const (
	KindProfile = 0
	KindText    = 1
)

// DefaultMaxPosts bounds the text posts kept; older ones are forgotten.
const DefaultMaxPosts = 500

// MaxNameLength bounds a profile name as shown, in characters.
const MaxNameLength = 48

// Post is one event the feed holds. Block is set once the event was found
// in a block body whose Merkle root and header the node verified.
type Post struct {
	Event     *nostr.Event
	Confirmed bool
	Block     chain.Hash
	Height    uint64
}

type record struct {
	Event     json.RawMessage `json:"event"`
	Confirmed bool            `json:"confirmed,omitempty"`
	Block     string          `json:"block,omitempty"`
	Height    uint64          `json:"height,omitempty"`
}

type profile struct {
	name      string
	createdAt int64
	id        [32]byte
}

// Feed is safe for concurrent use.
type Feed struct {
	db  kv.DB
	max int

	mu       sync.Mutex
	posts    map[[32]byte]*Post
	profiles map[[32]byte]profile
	pending  []kv.Op
}

// Open loads the stored feed. Stored events are verified again: storage is
// the page's, but a post shown as signed must be signed.
func Open(db kv.DB, max int) (*Feed, error) {
	if max <= 0 {
		max = DefaultMaxPosts
	}
	f := &Feed{db: db, max: max, posts: make(map[[32]byte]*Post), profiles: make(map[[32]byte]profile)}
	entries, err := db.All(kv.StorePosts)
	if err != nil {
		return nil, fmt.Errorf("feed: load: %w", err)
	}
	for _, e := range entries {
		var r record
		if json.Unmarshal(e.Value, &r) != nil {
			continue
		}
		ev, err := nostr.Parse(r.Event)
		if err != nil || ev.Verify() != nil {
			continue
		}
		p := &Post{Event: ev, Confirmed: r.Confirmed, Height: r.Height}
		if r.Confirmed {
			h, err := chain.ParseHash(r.Block)
			if err != nil {
				p.Confirmed = false
			}
			p.Block = h
		}
		f.addLocked(p)
	}
	return f, nil
}

func key(id [32]byte) string { return hex.EncodeToString(id[:]) }

func (f *Feed) save(p *Post) {
	r := record{Event: p.Event.AppendJSON(nil), Confirmed: p.Confirmed, Height: p.Height}
	if p.Confirmed {
		r.Block = p.Block.String()
	}
	raw, _ := json.Marshal(r)
	f.pending = append(f.pending, kv.Put(kv.StorePosts, key(p.Event.ID), raw))
}

// addLocked files p without saving it; it reports whether p is kept.
func (f *Feed) addLocked(p *Post) bool {
	switch p.Event.Kind {
	case KindProfile:
		old, ok := f.profiles[p.Event.PubKey]
		if ok && (old.createdAt > p.Event.CreatedAt || old.createdAt == p.Event.CreatedAt && strings.Compare(key(old.id), key(p.Event.ID)) <= 0) {
			return false
		}
		name := ProfileName(p.Event.Content)
		if ok {
			delete(f.posts, old.id)
			f.pending = append(f.pending, kv.Del(kv.StorePosts, key(old.id)))
		}
		f.profiles[p.Event.PubKey] = profile{name: name, createdAt: p.Event.CreatedAt, id: p.Event.ID}
		f.posts[p.Event.ID] = p
		return true
	case KindText:
		f.posts[p.Event.ID] = p
		f.pruneLocked()
		_, kept := f.posts[p.Event.ID]
		return kept
	}
	return false
}

// pruneLocked forgets the oldest text posts beyond max.
func (f *Feed) pruneLocked() {
	n := 0
	for _, p := range f.posts {
		if p.Event.Kind == KindText {
			n++
		}
	}
	if n <= f.max {
		return
	}
	texts := make([]*Post, 0, n)
	for _, p := range f.posts {
		if p.Event.Kind == KindText {
			texts = append(texts, p)
		}
	}
	slices.SortFunc(texts, newestFirst)
	for _, p := range texts[f.max:] {
		delete(f.posts, p.Event.ID)
		f.pending = append(f.pending, kv.Del(kv.StorePosts, key(p.Event.ID)))
	}
}

func newestFirst(a, b *Post) int {
	if a.Event.CreatedAt != b.Event.CreatedAt {
		if a.Event.CreatedAt > b.Event.CreatedAt {
			return -1
		}
		return 1
	}
	return strings.Compare(key(a.Event.ID), key(b.Event.ID))
}

// Seen records a verified event the relay holds: pending unless the feed
// already knows the block that confirms it. It reports whether the feed
// changed. The caller verifies the signature first.
func (f *Feed) Seen(e *nostr.Event) bool {
	if e.Kind != KindText && e.Kind != KindProfile {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.posts[e.ID]; ok {
		return false
	}
	p := &Post{Event: e}
	if f.addLocked(p) {
		f.save(p)
		return true
	}
	return false
}

// Confirm records that e is in the block with this hash and height, whose
// body the caller checked against the header chain. It reports whether the
// feed changed.
func (f *Feed) Confirm(e *nostr.Event, block chain.Hash, height uint64) bool {
	if e.Kind != KindText && e.Kind != KindProfile {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if p, ok := f.posts[e.ID]; ok {
		if p.Confirmed && p.Block == block {
			return false
		}
		p.Confirmed, p.Block, p.Height = true, block, height
		f.save(p)
		return true
	}
	p := &Post{Event: e, Confirmed: true, Block: block, Height: height}
	if f.addLocked(p) {
		f.save(p)
		return true
	}
	return false
}

// Unconfirm makes the posts of a block that left the best chain pending
// again. It reports whether the feed changed.
func (f *Feed) Unconfirm(block chain.Hash) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	changed := false
	for _, p := range f.posts {
		if p.Confirmed && p.Block == block {
			p.Confirmed, p.Block, p.Height = false, chain.Hash{}, 0
			f.save(p)
			changed = true
		}
	}
	return changed
}

// Has reports whether the feed holds an event.
func (f *Feed) Has(id [32]byte) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.posts[id]
	return ok
}

// Flush writes the changes since the last Flush in one batch; on failure
// they stay pending.
func (f *Feed) Flush() error {
	f.mu.Lock()
	ops := f.pending
	f.mu.Unlock()
	if len(ops) == 0 {
		return nil
	}
	if err := f.db.Apply(ops); err != nil {
		return fmt.Errorf("feed: flush %d writes: %w", len(ops), err)
	}
	f.mu.Lock()
	f.pending = slices.Delete(f.pending, 0, len(ops))
	f.mu.Unlock()
	return nil
}

// Name returns the kind-0 name of an author, or "".
func (f *Feed) Name(pub [32]byte) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.profiles[pub].name
}

// Posts returns the text posts, newest first.
func (f *Feed) Posts() []Post {
	f.mu.Lock()
	defer f.mu.Unlock()
	ps := make([]*Post, 0, len(f.posts))
	for _, p := range f.posts {
		if p.Event.Kind == KindText {
			ps = append(ps, p)
		}
	}
	slices.SortFunc(ps, newestFirst)
	out := make([]Post, len(ps))
	for i, p := range ps {
		out[i] = *p
	}
	return out
}

// ProfileName reads the display name of a kind-0 profile: "display_name",
// else "name", with control characters dropped, whitespace collapsed and
// the length bounded. It is shown as text, so nothing else is filtered.
func ProfileName(content string) string {
	var p struct {
		Name        string `json:"name"`
		DisplayName string `json:"display_name"`
	}
	if len(content) > nostr.MaxContentSize || json.Unmarshal([]byte(content), &p) != nil {
		return ""
	}
	name := p.DisplayName
	if strings.TrimSpace(name) == "" {
		name = p.Name
	}
	var b strings.Builder
	n := 0
	space := false
	for _, r := range strings.TrimSpace(name) {
		if n >= MaxNameLength {
			b.WriteRune('…')
			break
		}
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case unicode.IsControl(r) || r == utf8.RuneError || unicode.Is(unicode.Cf, r):
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
			n++
		}
		space = false
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// ShortNpub is how an author without a name is shown: npub1 and the first
// and last few characters.
func ShortNpub(pub [32]byte) string {
	s := nostr.EncodeNpub(pub)
	return s[:10] + "…" + s[len(s)-6:]
}
