package pow

import (
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// oneLsh256 is 2^256, the numerator of the work formula.
var oneLsh256 = new(big.Int).Lsh(big.NewInt(1), 256)

// The reference implementations below are the math/big transcriptions of
// the rules that ASERT and BlockWork used before the fixed-size arithmetic;
// the differential tests hold the fast path to them bit for bit.

// refCalcWork is 2^256/(target+1), zero for an invalid or zero target.
func refCalcWork(bits uint32) *big.Int {
	t, err := CompactToBig(bits)
	if err != nil || t.Sign() == 0 {
		return new(big.Int)
	}
	return new(big.Int).Quo(oneLsh256, t.Add(t, big.NewInt(1)))
}

// refASERT is ASERT computed with math/big throughout.
func refASERT(anchorBits uint32, timeDiff, heightDiff, spacing, halfLife int64, powLimit *big.Int) (uint32, error) {
	if _, err := limitBytes(powLimit); err != nil {
		return 0, err
	}
	if spacing <= 0 || halfLife <= 0 || heightDiff < 0 {
		return 0, ErrBadASERTParams
	}
	anchor, err := CompactToBig(anchorBits)
	if err != nil || anchor.Sign() <= 0 || anchor.Cmp(powLimit) > 0 {
		return 0, ErrBadTarget
	}
	// trunc((timeDiff − spacing·(heightDiff+1))·65536 / halfLife)
	e := new(big.Int).Mul(big.NewInt(spacing), new(big.Int).Add(big.NewInt(heightDiff), big.NewInt(1)))
	e.Sub(big.NewInt(timeDiff), e)
	e.Lsh(e, 16)
	e.Quo(e, big.NewInt(halfLife))
	shifts := new(big.Int).Rsh(e, 16) // floor
	frac := new(big.Int).Sub(e, new(big.Int).Lsh(shifts, 16))
	if shifts.Cmp(big.NewInt(1000)) > 0 {
		return BigToCompact(powLimit), nil
	}
	if shifts.Cmp(big.NewInt(-1000)) < 0 {
		return BigToCompact(big.NewInt(1)), nil
	}
	f2 := new(big.Int).Mul(frac, frac)
	f3 := new(big.Int).Mul(f2, frac)
	poly := new(big.Int).Mul(big.NewInt(asertC1), frac)
	poly.Add(poly, new(big.Int).Mul(big.NewInt(asertC2), f2))
	poly.Add(poly, new(big.Int).Mul(big.NewInt(asertC3), f3))
	poly.Add(poly, big.NewInt(asertRound))
	poly.Rsh(poly, 48)
	factor := poly.Add(poly, big.NewInt(65536))
	n := new(big.Int).Mul(anchor, factor)
	if s := shifts.Int64() - 16; s < 0 {
		n.Rsh(n, uint(-s))
	} else {
		n.Lsh(n, uint(s))
	}
	if n.Sign() == 0 {
		n.SetInt64(1)
	}
	if n.Cmp(powLimit) > 0 {
		n.Set(powLimit)
	}
	return BigToCompact(n), nil
}

func randU256(r *rand.Rand) u256 {
	var x u256
	// Digits at the edges (0, 1, 2^63, all ones) drive long division
	// through its rare corrections; random ones cover the rest.
	edges := []uint64{0, 1, 1 << 63, 1<<63 - 1, ^uint64(0), ^uint64(0) - 1}
	for i := range x {
		if r.IntN(2) == 0 {
			x[i] = edges[r.IntN(len(edges))]
		} else {
			x[i] = r.Uint64()
		}
	}
	// Vary the size: most interesting values are not full width.
	n := r.IntN(257)
	for i := range x {
		switch {
		case 64*(i+1) <= n:
		case 64*i >= n:
			x[i] = 0
		default:
			x[i] &= 1<<(n-64*i) - 1
		}
	}
	return x
}

func TestU256AgreesWithBig(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	mod := oneLsh256
	for i := 0; i < 200000; i++ {
		x, y := randU256(r), randU256(r)
		bx, by := x.big(), y.big()
		if got := x.cmp(y); got != bx.Cmp(by) {
			t.Fatalf("cmp(%x, %x) = %d", bx, by, got)
		}
		s, c := x.add(y)
		want := new(big.Int).Add(bx, by)
		if s.big().Cmp(new(big.Int).Mod(want, mod)) != 0 || (c == 1) != (want.Cmp(mod) >= 0) {
			t.Fatalf("add(%x, %x) = %x carry %d", bx, by, s.big(), c)
		}
		if x.cmp(y) >= 0 {
			if d := x.sub(y).big(); d.Cmp(new(big.Int).Sub(bx, by)) != 0 {
				t.Fatalf("sub(%x, %x) = %x", bx, by, d)
			}
		}
		if x.bitLen() != bx.BitLen() {
			t.Fatalf("bitLen(%x) = %d", bx, x.bitLen())
		}
		n := uint(r.IntN(300))
		if got, want := x.lsh(n).big(), new(big.Int).Mod(new(big.Int).Lsh(bx, n), mod); got.Cmp(want) != 0 {
			t.Fatalf("lsh(%x, %d) = %x, want %x", bx, n, got, want)
		}
		if !y.isZero() {
			if got, want := x.div(y).big(), new(big.Int).Quo(bx, by); got.Cmp(want) != 0 {
				t.Fatalf("div(%x, %x) = %x, want %x", bx, by, got, want)
			}
		}
		b := x.bytes()
		if u256FromBytes(&b) != x {
			t.Fatalf("bytes round trip of %x", bx)
		}
	}
}

func TestBlockWorkEdges(t *testing.T) {
	for _, bits := range []uint32{0, 0x01010000, 0x01003456, 0x1d00ffff, 0x207fffff, 0x217fffff, 0x2100ffff,
		0x22000100, 0x22000080, 0x23000001, 0x04800000, 0x1d800001, 0x03000001} {
		if got, want := BlockWork(bits).Big(), refCalcWork(bits); got.Cmp(want) != 0 {
			t.Errorf("BlockWork(%#08x) = %x, want %x", bits, got, want)
		}
	}
}

func TestWorkAddSaturates(t *testing.T) {
	max := Work{u256{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}}
	one := Work{u256{1}}
	if got := max.Add(one); got != max {
		t.Fatalf("max+1 = %x, want saturation", got.Big())
	}
	a, b := BlockWork(0x1d00ffff), BlockWork(0x1b04864c)
	if got, want := a.Add(b).Big(), new(big.Int).Add(a.Big(), b.Big()); got.Cmp(want) != 0 {
		t.Fatalf("sum %x, want %x", got, want)
	}
	if a.Cmp(b) >= 0 || b.Cmp(a) <= 0 || a.Cmp(a) != 0 {
		t.Fatal("Cmp: an easier target must carry less work")
	}
}

// FuzzU256Div compares long division with math/big.
func FuzzU256Div(f *testing.F) {
	f.Add(^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0), uint64(1), uint64(0), uint64(1), uint64(0))
	f.Add(uint64(0), uint64(0), uint64(0), uint64(1<<63), ^uint64(0), uint64(0), uint64(1<<63-1), uint64(0))
	f.Add(uint64(5), uint64(7), ^uint64(0), uint64(1<<62), uint64(3), ^uint64(0), uint64(0), uint64(0))
	f.Fuzz(func(t *testing.T, x0, x1, x2, x3, y0, y1, y2, y3 uint64) {
		x, y := u256{x0, x1, x2, x3}, u256{y0, y1, y2, y3}
		if y.isZero() {
			return
		}
		if got, want := x.div(y).big(), new(big.Int).Quo(x.big(), y.big()); got.Cmp(want) != 0 {
			t.Fatalf("%x / %x = %x, want %x", x.big(), y.big(), got, want)
		}
	})
}

// FuzzBlockWork compares BlockWork with the math/big formula for any bits.
func FuzzBlockWork(f *testing.F) {
	for _, b := range []uint32{0, 0x1d00ffff, 0x01010000, 0x207fffff, 0x217fffff, 0x22000100, 0xff123456, 0x1b04864c} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, bits uint32) {
		if got, want := BlockWork(bits).Big(), refCalcWork(bits); got.Cmp(want) != 0 {
			t.Fatalf("BlockWork(%#08x) = %x, want %x", bits, got, want)
		}
		if got, want := CalcWork(bits), refCalcWork(bits); got.Cmp(want) != 0 {
			t.Fatalf("CalcWork(%#08x) = %x, want %x", bits, got, want)
		}
	})
}

// FuzzASERTAgainstBig compares ASERT with its math/big transcription: same
// compact result, or an error of the same kind, for any input.
func FuzzASERTAgainstBig(f *testing.F) {
	f.Add(uint32(0x1d00ffff), int64(1200), int64(1), int64(600), int64(172800), uint32(0x1d00ffff))
	f.Add(uint32(0x01010000), int64(174000), int64(1), int64(600), int64(172800), uint32(0x1d00ffff))
	f.Add(uint32(0x1802aee8), int64(math.MaxInt64), int64(0), int64(1), int64(1), uint32(0x207fffff))
	f.Add(uint32(0x1802aee8), int64(math.MinInt64), int64(math.MaxInt64), int64(math.MaxInt64), int64(math.MaxInt64), uint32(0x207fffff))
	f.Add(uint32(0x207fffff), int64(0), int64(0), int64(2), int64(32), uint32(0x207fffff))
	f.Add(uint32(0x2100ffff), int64(1<<40), int64(0), int64(2), int64(32), uint32(0x2100ffff))
	f.Add(uint32(0x03000001), int64(-1<<40), int64(5), int64(2), int64(32), uint32(0x2100ffff))
	f.Add(uint32(0x1d00ffff), int64(600), int64(-1), int64(600), int64(0), uint32(0))
	f.Add(uint32(0x1e0fffff), int64(5000), int64(999), int64(5), int64(80), uint32(0x1e0fffff))
	f.Fuzz(func(t *testing.T, anchorBits uint32, timeDiff, heightDiff, spacing, halfLife int64, limitBits uint32) {
		limit, err := CompactToBig(limitBits)
		if err != nil {
			limit = nil
		}
		got, err := ASERT(anchorBits, timeDiff, heightDiff, spacing, halfLife, limit)
		want, werr := refASERT(anchorBits, timeDiff, heightDiff, spacing, halfLife, limit)
		if (err == nil) != (werr == nil) {
			t.Fatalf("ASERT error %v, reference %v", err, werr)
		}
		if err != nil {
			if !errors.Is(err, werr) && !(errors.Is(werr, ErrBadPowLimit) && errors.Is(err, ErrBadPowLimit)) {
				t.Fatalf("ASERT error %v, reference %v", err, werr)
			}
			return
		}
		if got != want {
			t.Fatalf("ASERT = %#08x, reference %#08x", got, want)
		}
	})
}

// TestASERTAgainstBigRandom runs the differential check on random inputs
// near real chains (every run, not only under go test -fuzz).
func TestASERTAgainstBigRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	limits := []uint32{0x1d00ffff, 0x207fffff, 0x2100ffff, 0x1e0fffff, 0x03000001}
	for i := 0; i < 20000; i++ {
		limit, _ := CompactToBig(limits[r.IntN(len(limits))])
		anchor := BigToCompact(new(big.Int).Rsh(limit, uint(r.IntN(limit.BitLen()))))
		spacing := int64(1 + r.IntN(600))
		hl := spacing * int64(1+r.IntN(300))
		height := int64(r.IntN(1 << 20))
		// Around schedule, with drift of up to ±600 half-lives.
		td := spacing*(height+1) + int64(r.NormFloat64()*float64(hl)*float64(r.IntN(600)+1)/3)
		got, err := ASERT(anchor, td, height, spacing, hl, limit)
		want, werr := refASERT(anchor, td, height, spacing, hl, limit)
		if err != nil || werr != nil || got != want {
			t.Fatalf("ASERT(%#08x, %d, %d, %d, %d, %x) = %#08x, %v; reference %#08x, %v", anchor, td, height, spacing, hl, limit, got, err, want, werr)
		}
	}
}
