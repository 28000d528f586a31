package miner

import (
	"crypto/sha256"
	"encoding"
	"encoding/binary"
	"testing"
	"time"

	"postwork/chain"
)

// testHeader returns a header whose fields vary with seed, so tests do not
// depend on one lucky layout.
func testHeader(seed uint64) chain.Header {
	h := chain.Header{Version: 1, Height: seed, Time: 1_700_000_000 + int64(seed), Bits: 0x207fffff, Nonce: seed * 0x9e3779b97f4a7c15}
	for i := range h.Prev {
		h.Prev[i] = byte(seed) + byte(i)*7
		h.Merkle[i] = byte(seed>>8) ^ byte(i)*13
	}
	return h
}

// Both midstates must give exactly Header.Hash for every nonce, including
// nonces whose bytes straddle both message words.
func TestMidstatesMatchHeaderHash(t *testing.T) {
	nonces := []uint64{0, 1, 0xff, 0x100, 0xffffffff, 0x100000000, 0x0123456789abcdef, ^uint64(0)}
	for seed := range uint64(20) {
		h := testHeader(seed)
		enc := h.Encode()
		std, pure := newStdMidstate(&enc), newPureMidstate(&enc)
		for _, n := range append(nonces, h.Nonce+seed) {
			h.Nonce = n
			want := h.Hash()
			var got [32]byte
			std.hash(n, &got)
			if got != want {
				t.Fatalf("seed %d nonce %#x: std midstate %x, want %x", seed, n, got, want)
			}
			pure.hash(n, &got)
			if got != want {
				t.Fatalf("seed %d nonce %#x: pure midstate %x, want %x", seed, n, got, want)
			}
		}
	}
}

// BenchmarkRawCompression is the yardstick: SHA-256 of a 32-byte message is
// exactly one compression plus the library's fixed per-call costs.
func BenchmarkRawCompression(b *testing.B) {
	var msg [32]byte
	for i := 0; b.Loop(); i++ {
		binary.LittleEndian.PutUint64(msg[:], uint64(i))
		msg = sha256.Sum256(msg[:])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mhash/s")
}

// rawRate measures the rate of BenchmarkRawCompression's loop inline, so
// each midstate benchmark reports its ratio against a figure taken in the
// same run (testing.Benchmark cannot be called from inside a benchmark).
func rawRate() float64 {
	var msg [32]byte
	for n := 1 << 14; ; n *= 2 {
		start := time.Now()
		for i := range n {
			binary.LittleEndian.PutUint64(msg[:], uint64(i))
			msg = sha256.Sum256(msg[:])
		}
		if d := time.Since(start); d > 200*time.Millisecond {
			sink = msg[0]
			return float64(n) / d.Seconds()
		}
	}
}

var sink byte

func benchMidstate(b *testing.B, hash func(nonce uint64, out *[32]byte)) {
	raw := rawRate()
	var out [32]byte
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		hash(uint64(i), &out)
	}
	rate := float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(rate/1e6, "Mhash/s")
	b.ReportMetric(rate/raw, "ratio_vs_raw")
}

// BenchmarkMidstate measures the per-nonce cost of each way to hash a header
// with a fixed first block. Default is what this target mines with.
func BenchmarkMidstate(b *testing.B) {
	h := testHeader(1)
	enc := h.Encode()
	b.Run("default", func(b *testing.B) { benchMidstate(b, newDefaultMidstate(&enc).hash) })
	b.Run("std", func(b *testing.B) { benchMidstate(b, newStdMidstate(&enc).hash) })
	b.Run("pure", func(b *testing.B) { benchMidstate(b, newPureMidstate(&enc).hash) })
	// Alternatives considered, kept here so the choice can be re-measured.
	b.Run("std-sum", func(b *testing.B) {
		d := sha256.New()
		d.Write(enc[:64])
		state, _ := d.(encoding.BinaryMarshaler).MarshalBinary()
		u := d.(encoding.BinaryUnmarshaler)
		tail := enc[64:]
		benchMidstate(b, func(nonce uint64, out *[32]byte) {
			binary.LittleEndian.PutUint64(tail[24:], nonce)
			u.UnmarshalBinary(state)
			d.Write(tail)
			d.Sum(out[:0])
		})
	})
	b.Run("std-full", func(b *testing.B) {
		benchMidstate(b, func(nonce uint64, out *[32]byte) {
			h.Nonce = nonce
			*out = h.Hash()
		})
	})
}
