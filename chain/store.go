package chain

import "errors"

// ErrNotFound is returned by a Store asked for a block it does not hold.
var ErrNotFound = errors.New("not found")

// Store persists what a Chain knows. The full node puts SQLite under it, the
// browser IndexedDB; MemStore serves tests. Each method is atomic: a crash
// between two calls leaves a state the Chain can resume from, because the
// best chain is always a chain of connected blocks and the index is rebuilt
// from the stored headers at start-up.
type Store interface {
	// PutHeader records a header that passed the header checks.
	PutHeader(h *Header) error
	// PutBlock records a block (header and body) that passed the sanity
	// checks. It may be on a side branch.
	PutBlock(b *Block) error
	// Block returns a stored block with its body, or ErrNotFound.
	Block(hash Hash) (*Block, error)
	// ConnectBlock makes b, a child of the current tip, the new tip and
	// records its events as confirmed, in one transaction.
	ConnectBlock(b *Block) error
	// DisconnectBlock undoes ConnectBlock for b, the current tip, in one
	// transaction: its parent becomes the tip, its events unconfirmed.
	DisconnectBlock(b *Block) error
	// HasEvent reports whether an event is in a connected block.
	HasEvent(id [32]byte) (bool, error)
	// Tip returns the hash of the last connected block, or ErrNotFound when
	// nothing was ever connected.
	Tip() (Hash, error)
	// ForEachHeader calls fn for every stored header, parents before children
	// (by height), saying whether the block's body is stored too.
	ForEachHeader(fn func(h *Header, hasBody bool) error) error
}
