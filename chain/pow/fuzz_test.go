package pow

import (
	"errors"
	"math"
	"math/big"
	"testing"
)

// FuzzCompactToBig: every accepted encoding decodes to a 256-bit value whose
// canonical encoding decodes to the same value, and re-encodes to itself;
// every rejected one is rejected with ErrBadCompact and nothing else.
func FuzzCompactToBig(f *testing.F) {
	for _, b := range []uint32{0, 0x1d00ffff, 0x01fedcba, 0x01123456, 0x02008000, 0x05009234,
		0x20123456, 0x207fffff, 0x220000ff, 0x22000100, 0x23000001, 0xff123456, 0x04923456, 0x01803456} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, bits uint32) {
		n, err := CompactToBig(bits)
		tb, err2 := TargetBytes(bits)
		if (err == nil) != (err2 == nil) {
			t.Fatalf("CompactToBig and TargetBytes disagree: %v vs %v", err, err2)
		}
		if err != nil {
			if !errors.Is(err, ErrBadCompact) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if n.Sign() < 0 || n.BitLen() > 256 {
			t.Fatalf("%#08x decoded to %x", bits, n)
		}
		if new(big.Int).SetBytes(tb[:]).Cmp(n) != 0 {
			t.Fatalf("TargetBytes %x != CompactToBig %x", tb, n)
		}
		c := BigToCompact(n)
		m, err := CompactToBig(c)
		if err != nil || m.Cmp(n) != 0 {
			t.Fatalf("%#08x → %x → %#08x → %v, %v", bits, n, c, m, err)
		}
		if BigToCompact(m) != c {
			t.Fatalf("canonical form %#08x is not a fixed point", c)
		}
		if c&compactSignBit != 0 {
			t.Fatalf("canonical form %#08x has the sign bit", c)
		}
	})
}

// FuzzBigToCompact: encoding keeps the three most significant bytes of any
// value below 2^256, exactly, and anything larger encodes to an overflow.
func FuzzBigToCompact(f *testing.F) {
	f.Add([]byte{}, false)
	f.Add([]byte{0x80}, false)
	f.Add([]byte{0x7e}, true)
	f.Add([]byte{0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, false)
	f.Add(make([]byte, 33), false)
	f.Add(append([]byte{1}, make([]byte, 32)...), false)
	f.Fuzz(func(t *testing.T, b []byte, neg bool) {
		if len(b) > 64 {
			b = b[:64]
		}
		n := new(big.Int).SetBytes(b)
		if neg {
			n.Neg(n)
		}
		c := BigToCompact(n)
		m, err := CompactToBig(c)
		switch {
		case n.Sign() == 0:
			if c != 0 {
				t.Fatalf("zero encoded as %#08x", c)
			}
		case n.Sign() < 0:
			if !errors.Is(err, ErrBadCompact) {
				t.Fatalf("negative %x encoded as %#08x and accepted", n, c)
			}
		case n.BitLen() > 256:
			if !errors.Is(err, ErrBadCompact) {
				t.Fatalf("%d-bit value encoded as %#08x and accepted", n.BitLen(), c)
			}
		default:
			if err != nil {
				t.Fatalf("%x → %#08x rejected: %v", n, c, err)
			}
			// m is n with all but its top three bytes cleared, or its top
			// two when the leading byte would set the sign bit.
			keep := 3
			if n.BitLen()%8 == 0 {
				keep = 2
			}
			shift := max(0, 8*((n.BitLen()+7)/8-keep))
			want := new(big.Int).Lsh(new(big.Int).Rsh(n, uint(shift)), uint(shift))
			if m.Cmp(want) != 0 {
				t.Fatalf("%x → %#08x → %x, want %x", n, c, m, want)
			}
		}
	})
}

// FuzzASERT: whatever the inputs, ASERT does not panic, and either fails with
// one of its sentinel errors or returns a canonical target in 1..powLimit.
func FuzzASERT(f *testing.F) {
	f.Add(uint32(0x1d00ffff), int64(1200), int64(1), int64(600), int64(172800), uint32(0x1d00ffff))
	f.Add(uint32(0x01010000), int64(174000), int64(1), int64(600), int64(172800), uint32(0x1d00ffff))
	f.Add(uint32(0x1802aee8), int64(math.MaxInt64), int64(0), int64(1), int64(1), uint32(0x207fffff))
	f.Add(uint32(0x1802aee8), int64(math.MinInt64), int64(math.MaxInt64), int64(math.MaxInt64), int64(math.MaxInt64), uint32(0x207fffff))
	f.Add(uint32(0x207fffff), int64(0), int64(0), int64(2), int64(32), uint32(0x207fffff))
	f.Add(uint32(0x1d00ffff), int64(600), int64(-1), int64(600), int64(0), uint32(0))
	f.Fuzz(func(t *testing.T, anchorBits uint32, timeDiff, heightDiff, spacing, halfLife int64, limitBits uint32) {
		limit, err := CompactToBig(limitBits)
		if err != nil {
			limit = nil // exercise the error path too
		}
		got, err := ASERT(anchorBits, timeDiff, heightDiff, spacing, halfLife, limit)
		if err != nil {
			if !errors.Is(err, ErrBadASERTParams) && !errors.Is(err, ErrBadTarget) && !errors.Is(err, ErrBadPowLimit) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		n, err := CompactToBig(got)
		if err != nil {
			t.Fatalf("result %#08x invalid: %v", got, err)
		}
		if n.Sign() <= 0 || n.Cmp(limit) > 0 {
			t.Fatalf("result %#08x = %x outside 1..%x", got, n, limit)
		}
		if BigToCompact(n) != got {
			t.Fatalf("result %#08x not canonical", got)
		}
		// On schedule, the anchor's target comes back (up to canonical form).
		if heightDiff >= 0 && heightDiff < 1<<20 && spacing > 0 && spacing < 1<<20 {
			same, err := ASERT(anchorBits, spacing*(heightDiff+1), heightDiff, spacing, halfLife, limit)
			a, _ := CompactToBig(anchorBits)
			if err == nil && BigToCompact(a) != same {
				t.Fatalf("on schedule: got %#08x, anchor %#08x", same, anchorBits)
			}
		}
	})
}

// FuzzCheckProofOfWork compares the allocation-free check with a plain
// big.Int transcription of the rule.
func FuzzCheckProofOfWork(f *testing.F) {
	f.Add(make([]byte, 32), uint32(0x1d00ffff))
	f.Add([]byte("\x00\x00\x00\x00\x00\x19\xd6\x68\x9c\x08\x5a\xe1\x65\x83\x1e\x93\x4f\xf7\x63\xae\x46\xa2\xa6\xc1\x72\xb3\xf1\xb6\x0a\x8c\xe2\x6f"), uint32(0x1d00ffff))
	f.Add([]byte("\x00\x00\x00\x00\xff\xff\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01"), uint32(0x1d00ffff))
	f.Add(make([]byte, 32), uint32(0x1d010000))
	f.Add(make([]byte, 32), uint32(0x01fedcba))
	f.Fuzz(func(t *testing.T, hb []byte, bits uint32) {
		var h [32]byte
		copy(h[:], hb)
		err := CheckProofOfWork(h, bits, btcPowLimit)

		target, cerr := CompactToBig(bits)
		var want error
		switch {
		case cerr != nil, target.Sign() <= 0, target.Cmp(btcPowLimit) > 0:
			want = ErrBadTarget
		case new(big.Int).SetBytes(h[:]).Cmp(target) > 0:
			want = ErrHighHash
		}
		if (err == nil) != (want == nil) || (want != nil && !errors.Is(err, want)) {
			t.Fatalf("hash %x bits %#08x: got %v, want %v", h, bits, err, want)
		}
	})
}
