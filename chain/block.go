package chain

import (
	"encoding/binary"
	"fmt"

	"postwork/chain/merkle"
	"postwork/chain/nostr"
)

// Absolute bounds every decoder enforces before it allocates. Network
// parameters may set lower consensus limits, never higher ones.
const (
	MaxBlockBodySize   = 4 << 20 // bytes of an encoded body
	MaxBlockEvents     = 10000   // events in one block
	MaxCoinbaseExtra   = 64      // free bytes in the coinbase
	MaxBlockSize       = HeaderSize + MaxBlockBodySize
	coinbaseFixedBytes = 32 + 8
)

// Coinbase is the first record of a block body: who mined it and the reward
// claimed. Extra is free for the miner (a message, or more nonce space).
type Coinbase struct {
	PubKey [32]byte // x-only public key, as a Nostr pubkey
	Reward uint64
	Extra  []byte
}

// AppendBinary appends pubkey(32) reward(8, LE) extra_len(uvarint) extra.
func (c *Coinbase) AppendBinary(dst []byte) []byte {
	dst = append(dst, c.PubKey[:]...)
	dst = binary.LittleEndian.AppendUint64(dst, c.Reward)
	dst = binary.AppendUvarint(dst, uint64(len(c.Extra)))
	return append(dst, c.Extra...)
}

func decodeCoinbase(b []byte) (Coinbase, int, error) {
	var c Coinbase
	if len(b) < coinbaseFixedBytes {
		return c, 0, ruleError(ErrBadEncoding, "coinbase: truncated")
	}
	copy(c.PubKey[:], b[:32])
	c.Reward = binary.LittleEndian.Uint64(b[32:40])
	n := coinbaseFixedBytes
	l, m := binary.Uvarint(b[n:])
	if m <= 0 {
		return c, 0, ruleError(ErrBadEncoding, "coinbase: bad extra length")
	}
	if l > MaxCoinbaseExtra {
		return c, 0, ruleError(ErrBadCoinbase, "extra is %d bytes, limit %d", l, MaxCoinbaseExtra)
	}
	n += m
	if uint64(len(b)-n) < l {
		return c, 0, ruleError(ErrBadEncoding, "coinbase: extra truncated")
	}
	if l > 0 {
		c.Extra = append([]byte(nil), b[n:n+int(l)]...)
	}
	return c, n + int(l), nil
}

// Block is a header and its body: a coinbase and the posts it confirms.
type Block struct {
	Header   Header
	Coinbase Coinbase
	Events   []*nostr.Event
}

// Hash is the header hash, which identifies the block.
func (b *Block) Hash() Hash { return b.Header.Hash() }

// EncodeBody returns coinbase, uvarint event count, then each event's binary form.
func (b *Block) EncodeBody() []byte {
	dst := make([]byte, 0, 64+len(b.Events)*400)
	dst = b.Coinbase.AppendBinary(dst)
	dst = binary.AppendUvarint(dst, uint64(len(b.Events)))
	for _, e := range b.Events {
		dst = e.AppendBinary(dst)
	}
	return dst
}

// Encode returns the header followed by the body.
func (b *Block) Encode() []byte {
	h := b.Header.Encode()
	return append(h[:], b.EncodeBody()...)
}

// DecodeBody decodes a body, enforcing the absolute size and count bounds.
// Event ids are recomputed from their content, so they cannot disagree with it;
// signatures are not checked here (see CheckBlockSanity).
func DecodeBody(body []byte) (Coinbase, []*nostr.Event, error) {
	if len(body) > MaxBlockBodySize {
		return Coinbase{}, nil, ruleError(ErrBodyTooLarge, "%d bytes, limit %d", len(body), MaxBlockBodySize)
	}
	cb, n, err := decodeCoinbase(body)
	if err != nil {
		return Coinbase{}, nil, err
	}
	count, m := binary.Uvarint(body[n:])
	if m <= 0 {
		return Coinbase{}, nil, ruleError(ErrBadEncoding, "body: bad event count")
	}
	if count > MaxBlockEvents {
		return Coinbase{}, nil, ruleError(ErrTooManyEvents, "%d events, limit %d", count, MaxBlockEvents)
	}
	n += m
	// Each binary event takes at least 96 bytes (pubkey and signature), which
	// bounds the allocation below by the input actually present.
	if count > uint64(len(body)-n)/96 {
		return Coinbase{}, nil, ruleError(ErrBadEncoding, "body: %d events cannot fit in %d bytes", count, len(body)-n)
	}
	events := make([]*nostr.Event, count)
	for i := range events {
		e, k, err := nostr.DecodeBinary(body[n:])
		if err != nil {
			return Coinbase{}, nil, ruleError(ErrBadEncoding, "event %d: %v", i, err)
		}
		events[i] = e
		n += k
	}
	if n != len(body) {
		return Coinbase{}, nil, ruleError(ErrBadEncoding, "body: %d trailing bytes", len(body)-n)
	}
	return cb, events, nil
}

// DecodeBlock decodes a header and body.
func DecodeBlock(data []byte) (*Block, error) {
	if len(data) < HeaderSize {
		return nil, ruleError(ErrBadEncoding, "block: %d bytes is shorter than a header", len(data))
	}
	if len(data) > MaxBlockSize {
		return nil, ruleError(ErrBodyTooLarge, "block of %d bytes, limit %d", len(data), MaxBlockSize)
	}
	h, err := DecodeHeader(data[:HeaderSize])
	if err != nil {
		return nil, ruleError(ErrBadEncoding, "%v", err)
	}
	cb, events, err := DecodeBody(data[HeaderSize:])
	if err != nil {
		return nil, err
	}
	return &Block{Header: h, Coinbase: cb, Events: events}, nil
}

// eventLeaf is what the Merkle tree commits to for an event: id‖sig, so the
// root commits to signatures too.
func eventLeaf(e *nostr.Event) []byte {
	leaf := make([]byte, 96)
	copy(leaf, e.ID[:])
	copy(leaf[32:], e.Sig[:])
	return leaf
}

// MerkleLeaves returns the leaves: the encoded coinbase, then id‖sig per event.
func (b *Block) MerkleLeaves() [][]byte {
	leaves := make([][]byte, 0, 1+len(b.Events))
	leaves = append(leaves, b.Coinbase.AppendBinary(nil))
	for _, e := range b.Events {
		leaves = append(leaves, eventLeaf(e))
	}
	return leaves
}

// ComputeMerkle returns the Merkle root over the body.
func (b *Block) ComputeMerkle() Hash { return merkle.Root(b.MerkleLeaves()) }

// ProveEvent returns the inclusion proof of the i-th event (leaf i+1).
func (b *Block) ProveEvent(i int) ([][32]byte, error) {
	if i < 0 || i >= len(b.Events) {
		return nil, fmt.Errorf("event index %d out of range [0,%d)", i, len(b.Events))
	}
	return merkle.Prove(b.MerkleLeaves(), i+1)
}

// VerifyEventProof checks that the event is leaf index of a tree of size
// leaves (coinbase included) under the header's Merkle root.
func VerifyEventProof(h *Header, e *nostr.Event, index, size int, proof [][32]byte) error {
	return merkle.Verify(h.Merkle, eventLeaf(e), index, size, proof)
}
