package node

import (
	"context"
	"time"

	"postwork/chain"
	"postwork/chain/nostr"
	"postwork/relay/store"
)

// PostStore keeps posts for the relay: pending ones, so the mempool survives
// a restart, and all of them (pending and confirmed) for REQ queries.
// relay/store's SQLite Store implements it.
type PostStore interface {
	// SavePending records an accepted post; when it returns nil the post
	// is durable, and only then does the relay answer OK. A post already
	// stored is left as it is.
	SavePending(ev *nostr.Event, received time.Time) error
	// RemovePending forgets pending posts (evicted or expired); confirmed
	// posts and unknown ids are left alone.
	RemovePending(ids [][32]byte) error
	// LoadPending returns the pending posts, oldest first.
	LoadPending() ([]*nostr.Event, error)
	// QueryPosts returns stored posts matching q, newest first.
	QueryPosts(ctx context.Context, q store.PostQuery) ([]store.PostRecord, error)
}

// Store is everything a node keeps: the chain and the posts, in one place,
// so connecting a block confirms its posts in the same transaction.
type Store interface {
	chain.Store
	PostStore
}
