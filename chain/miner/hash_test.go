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
	for b.Loop() {
		rawLoop(1)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mhash/s")
}

// The ratios the benchmarks report compare rates measured in the same run.
// The machine may be busy with other work, so each rate is the best of a few
// short trials, interleaved, rather than one long measurement.
const trials, trialTime = 5, 100 * time.Millisecond

// rate runs f(n) with growing n until a call lasts trialTime and returns
// the hashes per second it did; f returns how many it did, at least n.
func rate(f func(n int) int) float64 {
	for n := 1 << 12; ; n *= 2 {
		start := time.Now()
		done := f(n)
		if d := time.Since(start); d >= trialTime {
			return float64(done) / d.Seconds()
		}
	}
}

// bestRates measures each f trials times, interleaved, and returns the best
// rate of each.
func bestRates(fs ...func(n int) int) []float64 {
	best := make([]float64, len(fs))
	for range trials {
		for i, f := range fs {
			best[i] = max(best[i], rate(f))
		}
	}
	return best
}

// rawLoop is BenchmarkRawCompression's loop.
func rawLoop(n int) int {
	var msg [32]byte
	for i := range n {
		binary.LittleEndian.PutUint64(msg[:], uint64(i))
		msg = sha256.Sum256(msg[:])
	}
	sink = msg[0]
	return n
}

var sink byte

func benchMidstate(b *testing.B, hash func(nonce uint64, out *[32]byte)) {
	var out [32]byte
	for i := 0; b.Loop(); i++ {
		hash(uint64(i), &out)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mhash/s")
	r := bestRates(rawLoop, func(n int) int {
		for i := range n {
			hash(uint64(i), &out)
		}
		return n
	})
	b.ReportMetric(r[1]/r[0], "ratio_vs_raw")
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
