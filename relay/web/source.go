package web

import (
	"context"
	"time"

	"postwork/chain"
	"postwork/chain/nostr"
)

// Chain is the part of a Source that *chain.Chain provides as it is: the
// best chain and the block tree, answered from memory except Block.
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
	// Confirmations is 1 for the tip, 2 for its parent, ..., 0 off the best
	// chain.
	Confirmations(hash chain.Hash) uint64
}

// Source is what the pages read. The full node implements it with its
// chain, its store and its mempool; the methods besides Chain's mirror
// those of relay/store, so most are one call. Not found is an error wrapping
// chain.ErrNotFound; any other error is the node's failure (a 500 page).
type Source interface {
	Chain
	// Post returns a post the node holds, pending or confirmed.
	Post(ctx context.Context, id [32]byte) (Post, error)
	// Posts returns an author's posts, pending and confirmed, newest first:
	// those of the given kinds (all kinds when kinds is nil), at most limit.
	Posts(ctx context.Context, author [32]byte, kinds []int, limit int) ([]Post, error)
	// Balance is what a key earned by mining on the best chain: the sum of
	// its coinbase rewards and the number of blocks.
	Balance(ctx context.Context, pubkey [32]byte) (reward uint64, blocks int, err error)
	// Mempool describes the pending posts and returns the best limit of
	// them, best first (none for limit 0).
	Mempool(ctx context.Context, limit int) (Mempool, error)
	// Peers lists the connected peers.
	Peers(ctx context.Context) ([]Peer, error)
	// Status describes the node itself.
	Status(ctx context.Context) (Status, error)
}

// Post is a post and where the best chain confirms it. It has the fields of
// relay/store's PostRecord, in the same order, so one converts to the other.
type Post struct {
	Event     *nostr.Event
	Confirmed bool
	// BlockHash, Height and Index (the post's position among the block's
	// events) are zero for a pending post.
	BlockHash chain.Hash
	Height    uint64
	Index     int
}

// Mempool is the state of the pending posts.
type Mempool struct {
	Count   int            // posts pending
	Bytes   int            // their binary size
	MinBits int            // the NIP-13 difficulty the node asks of a new post
	Posts   []*nostr.Event // the best of them, best first
}

// Peer is a connected node or browser.
type Peer struct {
	Addr    string // remote address or URL
	Agent   string // what the peer says it runs (from its HELLO)
	Inbound bool
	Height  uint64 // the tip height it announced
	Since   time.Time
}

// Status is what a node says about itself.
type Status struct {
	Version      string
	Started      time.Time
	StorageBytes int64  // size of the database files; -1 when not known
	HeaderHeight uint64 // best header known; above the tip while bodies download
	Mining       bool
	Hashrate     float64 // the node's own miner, hashes per second
}
