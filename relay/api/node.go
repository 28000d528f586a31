package api

import (
	"context"
	"time"

	"postwork/chain"
	"postwork/chain/nostr"
)

// Chain is the part of a Node that *chain.Chain provides as it is.
type Chain interface {
	Params() *chain.Params
	Tip() chain.Tip
	// HeaderAt returns the best chain's header at height.
	HeaderAt(height uint64) (chain.Header, bool)
	// HeaderByHash returns any known header, on the best chain or not.
	HeaderByHash(hash chain.Hash) (chain.Header, bool)
	// Block returns a block with its body, or an error wrapping
	// chain.ErrNotFound when the body is not stored (yet).
	Block(hash chain.Hash) (*chain.Block, error)
	// Confirmations is 1 for the tip, 2 for its parent, ..., 0 off the
	// best chain.
	Confirmations(hash chain.Hash) uint64
}

// Node is what the handlers read and ask of a full node. Not found is an
// error wrapping chain.ErrNotFound; any other error from a read is the
// node's failure (a 500).
type Node interface {
	Chain
	// Post returns a post the node holds, pending or confirmed.
	Post(ctx context.Context, id [32]byte) (Post, error)
	// Posts returns the posts matching q, pending and confirmed, newest
	// first.
	Posts(ctx context.Context, q Query) ([]Post, error)
	// Balance is what a key earned by mining on the best chain.
	Balance(ctx context.Context, pubkey [32]byte) (reward uint64, blocks int, err error)
	// Mempool describes the pending posts, with the best limit of them.
	Mempool(limit int) Mempool
	// Peers lists the connected nodes.
	Peers() []Peer
	// Hashrate is the node's own miner, hashes per second.
	Hashrate() float64
	// MinPoW is the NIP-13 difficulty a new post needs.
	MinPoW() int
	// Submit verifies a post and admits it as one from a relay client,
	// publishing it to subscribers and peers. A refusal is a
	// *relay.Reject with a NIP-01 prefix; duplicate: means the node
	// already has it.
	Submit(ctx context.Context, ev *nostr.Event) error
	// MineOne mines one block on the tip now and connects it.
	MineOne(ctx context.Context) (*chain.Block, error)
	// AddPeer dials a node's WebSocket URL and keeps the connection.
	AddPeer(url string) error
}

// Post is a post and where the best chain confirms it. Its fields are
// those of relay/store's PostRecord, in the same order, so one converts to
// the other.
type Post struct {
	Event     *nostr.Event
	Confirmed bool
	// BlockHash, Height and Index (the post's position among the block's
	// events) are zero for a pending post.
	BlockHash chain.Hash
	Height    uint64
	Index     int
}

// Query selects posts: fields left zero do not filter.
type Query struct {
	Author *[32]byte
	Kind   *int
	// Until bounds created_at, inclusive; 0: no bound.
	Until int64
	Limit int
}

// Mempool is the state of the pending posts.
type Mempool struct {
	Count int
	Bytes int
	Posts []*nostr.Event // the best of them, best first
}

// Peer is a connected node. Its fields are those of relay/node's PeerInfo,
// in the same order, so one converts to the other.
type Peer struct {
	ID        uint64    `json:"id"`
	Addr      string    `json:"addr"`
	URL       string    `json:"url,omitempty"`
	Outbound  bool      `json:"outbound"`
	Agent     string    `json:"agent"`
	Height    uint64    `json:"height"`
	Work      string    `json:"work"`
	Connected time.Time `json:"connected"`
}
