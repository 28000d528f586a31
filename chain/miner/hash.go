package miner

import (
	"crypto/sha256"
	"encoding"
	"encoding/binary"
	"hash"
	"math/bits"

	"postwork/chain"
)

// The 96-byte header is two SHA-256 blocks' worth of message: bytes 0–63 are
// fixed while mining and bytes 64–95 (end of merkle, time, bits, nonce) plus
// the padding form the second block. A midstate hashes the first block once,
// so each nonce costs one compression instead of two.
//
// Two implementations exist because the targets differ (figures in
// BenchmarkMidstate): natively crypto/sha256 runs SHA-NI/AVX2 assembly, and
// restoring its saved state per nonce costs less than any Go code can save;
// in js/wasm the standard library runs its generic Go code, and pureMidstate,
// specialised to this one message shape, is faster. hash_js.go and
// hash_other.go pick one as defaultMidstate.

//go:generate go run gen_tail.go

// stdMidstate drives crypto/sha256 through its documented state marshaling:
// the state after bytes 0–63 is saved once and restored before each nonce;
// the second block, padding included, is written whole, so Write compresses
// it straight from our buffer and the digest words can be read back from
// AppendBinary without running Sum's padding logic. Nothing allocates per
// nonce.
type stdMidstate struct {
	d     hash.Hash
	u     encoding.BinaryUnmarshaler
	a     encoding.BinaryAppender
	state []byte   // marshaled state after bytes 0–63
	block [64]byte // header bytes 64–95, 0x80, zeros, bit length 768
	buf   []byte   // scratch for AppendBinary, cap len(state)
}

func newStdMidstate(hdr *[chain.HeaderSize]byte) *stdMidstate {
	d := sha256.New()
	d.Write(hdr[:64])
	// crypto/sha256 documents that its Hash implements these interfaces.
	m := &stdMidstate{d: d, u: d.(encoding.BinaryUnmarshaler), a: d.(encoding.BinaryAppender)}
	m.state, _ = m.a.AppendBinary(nil)
	m.buf = make([]byte, 0, len(m.state))
	copy(m.block[:], hdr[64:])
	padBlock(&m.block)
	return m
}

// padBlock writes SHA-256 padding after the 32 header bytes in block:
// the 0x80 marker and the message length in bits (96 × 8), big-endian.
func padBlock(block *[64]byte) {
	block[32] = 0x80
	clear(block[33:56])
	binary.BigEndian.PutUint64(block[56:], chain.HeaderSize*8)
}

// hash writes SHA-256 of the header with the given nonce to out.
func (m *stdMidstate) hash(nonce uint64, out *[32]byte) {
	binary.LittleEndian.PutUint64(m.block[24:32], nonce)
	m.u.UnmarshalBinary(m.state) // cannot fail: state came from AppendBinary
	m.d.Write(m.block[:])
	b, _ := m.a.AppendBinary(m.buf[:0])
	copy(out[:], b[4:36]) // after the 4-byte magic: h0…h7 big-endian
}

// pureMidstate is a SHA-256 compression written for the second header
// block. Of its 16 message words only w6 and w7 (the nonce) change, so
// rounds 0–5 and schedule words 16–20 are computed once, leaving 58 rounds
// per nonce (tail, generated into tail_gen.go).
type pureMidstate struct {
	mid [8]uint32  // state after bytes 0–63
	s6  [8]uint32  // state after rounds 0–5 of the second block
	w   [21]uint32 // schedule words 0–20 of the second block; 6 and 7 unused
}

func newPureMidstate(hdr *[chain.HeaderSize]byte) *pureMidstate {
	m := &pureMidstate{mid: sha256Init}
	var w [64]uint32
	for i := range 16 {
		w[i] = binary.BigEndian.Uint32(hdr[4*i:])
	}
	s := rounds(m.mid, &w, 64)
	for i := range m.mid {
		m.mid[i] += s[i]
	}
	var block [64]byte
	copy(block[:], hdr[64:])
	padBlock(&block)
	for i := range 16 {
		w[i] = binary.BigEndian.Uint32(block[4*i:])
	}
	w[6], w[7] = 0, 0 // the nonce; must not leak into the fixed words
	m.s6 = rounds(m.mid, &w, 6)
	copy(m.w[:], w[:21])
	return m
}

// hash writes SHA-256 of the header with the given nonce to out.
func (m *pureMidstate) hash(nonce uint64, out *[32]byte) {
	// The nonce is stored little-endian; SHA-256 reads words big-endian.
	h0, h1, h2, h3, h4, h5, h6, h7 := m.tail(bits.ReverseBytes32(uint32(nonce)), bits.ReverseBytes32(uint32(nonce>>32)))
	binary.BigEndian.PutUint32(out[0:], h0)
	binary.BigEndian.PutUint32(out[4:], h1)
	binary.BigEndian.PutUint32(out[8:], h2)
	binary.BigEndian.PutUint32(out[12:], h3)
	binary.BigEndian.PutUint32(out[16:], h4)
	binary.BigEndian.PutUint32(out[20:], h5)
	binary.BigEndian.PutUint32(out[24:], h6)
	binary.BigEndian.PutUint32(out[28:], h7)
}

var sha256Init = [8]uint32{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19}

var sha256K = [64]uint32{
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}

// rounds expands the schedule w from its first 16 words and runs the first
// n SHA-256 rounds on state s, without the final addition. It runs once per
// template, so it is plain rather than fast.
func rounds(s [8]uint32, w *[64]uint32, n int) [8]uint32 {
	for i := 16; i < 64; i++ {
		v1, v15 := w[i-2], w[i-15]
		s1 := bits.RotateLeft32(v1, -17) ^ bits.RotateLeft32(v1, -19) ^ v1>>10
		s0 := bits.RotateLeft32(v15, -7) ^ bits.RotateLeft32(v15, -18) ^ v15>>3
		w[i] = s1 + w[i-7] + s0 + w[i-16]
	}
	a, b, c, d, e, f, g, h := s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]
	for i := range n {
		t1 := h + (bits.RotateLeft32(e, -6) ^ bits.RotateLeft32(e, -11) ^ bits.RotateLeft32(e, -25)) + (e&f ^ ^e&g) + sha256K[i] + w[i]
		t2 := (bits.RotateLeft32(a, -2) ^ bits.RotateLeft32(a, -13) ^ bits.RotateLeft32(a, -22)) + (a&b ^ a&c ^ b&c)
		h, g, f, e, d, c, b, a = g, f, e, d+t1, c, b, a, t1+t2
	}
	return [8]uint32{a, b, c, d, e, f, g, h}
}
