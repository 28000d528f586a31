package chain

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// HeaderSize is the fixed size of an encoded header.
const HeaderSize = 96

// Hash is a SHA-256 digest. As a number (proof of work, targets) it is read
// big-endian, so the hex form of a good block hash starts with zeros, as NIP-13
// post ids do.
type Hash [32]byte

// String returns the hash as lower-case hex, in byte order.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// ParseHash parses 64 lower-case hex characters.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 64 {
		return h, fmt.Errorf("hash: want 64 hex characters, got %d", len(s))
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return h, fmt.Errorf("hash: invalid character %q at %d (lower-case hex only)", c, i)
		}
	}
	hex.Decode(h[:], []byte(s))
	return h, nil
}

// Header is a block header. Its encoding is 96 bytes, little-endian:
//
//	version(4) height(8) prev(32) merkle(32) time(8) bits(4) nonce(8)
//
// Bytes 0–63 do not change while a miner varies the nonce, so they form the
// first SHA-256 block and can be hashed once (midstate).
type Header struct {
	Version uint32
	Height  uint64
	Prev    Hash
	Merkle  Hash
	Time    int64 // unix seconds
	Bits    uint32
	Nonce   uint64
}

// Encode returns the 96-byte encoding.
func (h *Header) Encode() [HeaderSize]byte {
	var b [HeaderSize]byte
	binary.LittleEndian.PutUint32(b[0:], h.Version)
	binary.LittleEndian.PutUint64(b[4:], h.Height)
	copy(b[12:44], h.Prev[:])
	copy(b[44:76], h.Merkle[:])
	binary.LittleEndian.PutUint64(b[76:], uint64(h.Time))
	binary.LittleEndian.PutUint32(b[84:], h.Bits)
	binary.LittleEndian.PutUint64(b[88:], h.Nonce)
	return b
}

// DecodeHeader decodes exactly HeaderSize bytes.
func DecodeHeader(b []byte) (Header, error) {
	if len(b) != HeaderSize {
		return Header{}, fmt.Errorf("header: want %d bytes, got %d", HeaderSize, len(b))
	}
	var h Header
	h.Version = binary.LittleEndian.Uint32(b[0:])
	h.Height = binary.LittleEndian.Uint64(b[4:])
	copy(h.Prev[:], b[12:44])
	copy(h.Merkle[:], b[44:76])
	h.Time = int64(binary.LittleEndian.Uint64(b[76:]))
	h.Bits = binary.LittleEndian.Uint32(b[84:])
	h.Nonce = binary.LittleEndian.Uint64(b[88:])
	return h, nil
}

// Hash returns SHA-256 of the encoded header.
func (h *Header) Hash() Hash {
	b := h.Encode()
	return sha256.Sum256(b[:])
}
