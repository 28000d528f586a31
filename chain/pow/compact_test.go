package pow

import (
	"errors"
	"fmt"
	"math/big"
	"testing"
)

// Vectors from Bitcoin Core's src/test/arith_uint256_tests.cpp (the
// bignum_SetCompact case): SetCompact's value and flags, and GetCompact's
// canonical re-encoding.
func TestCompactBitcoinCoreVectors(t *testing.T) {
	cases := []struct {
		bits      uint32
		hex       string // value; "" when rejected
		canonical uint32 // GetCompact of the value
		negative  bool
		overflow  bool
	}{
		{0x00000000, "0", 0, false, false},
		{0x00123456, "0", 0, false, false},
		{0x01003456, "0", 0, false, false},
		{0x02000056, "0", 0, false, false},
		{0x03000000, "0", 0, false, false},
		{0x04000000, "0", 0, false, false},
		{0x00923456, "0", 0, false, false},
		{0x01803456, "0", 0, false, false},
		{0x02800056, "0", 0, false, false},
		{0x03800000, "0", 0, false, false},
		{0x04800000, "0", 0, false, false},
		{0x01123456, "12", 0x01120000, false, false},
		{0x01fedcba, "", 0, true, false},
		{0x02123456, "1234", 0x02123400, false, false},
		{0x03123456, "123456", 0x03123456, false, false},
		{0x04123456, "12345600", 0x04123456, false, false},
		{0x04923456, "", 0, true, false},
		{0x05009234, "92340000", 0x05009234, false, false},
		{0x20123456, "1234560000000000000000000000000000000000000000000000000000000000", 0x20123456, false, false},
		{0xff123456, "", 0, false, true},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%#08x", c.bits), func(t *testing.T) {
			n, err := CompactToBig(c.bits)
			if c.negative || c.overflow {
				if !errors.Is(err, ErrBadCompact) {
					t.Fatalf("got %v, %v; want ErrBadCompact", n, err)
				}
				if _, err := TargetBytes(c.bits); !errors.Is(err, ErrBadCompact) {
					t.Fatalf("TargetBytes accepted it: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := mustHex(c.hex); n.Cmp(want) != 0 {
				t.Fatalf("value %x, want %x", n, want)
			}
			if got := BigToCompact(n); got != c.canonical {
				t.Fatalf("BigToCompact = %#08x, want %#08x", got, c.canonical)
			}
		})
	}
	// GetCompact never sets the sign bit for a positive value.
	if got := BigToCompact(big.NewInt(0x80)); got != 0x02008000 {
		t.Errorf("BigToCompact(0x80) = %#08x, want 0x02008000", got)
	}
	// GetCompact(true), the negative encodings of the cases above.
	if got := BigToCompact(big.NewInt(-0x7e)); got != 0x01fe0000 {
		t.Errorf("BigToCompact(-0x7e) = %#08x, want 0x01fe0000", got)
	}
	if got := BigToCompact(big.NewInt(-0x12345600)); got != 0x04923456 {
		t.Errorf("BigToCompact(-0x12345600) = %#08x, want 0x04923456", got)
	}
}

// TestCompactOverflowBoundary: the largest encodable 256-bit values decode,
// anything at or past 2^256 is rejected, whatever the exponent.
func TestCompactOverflowBoundary(t *testing.T) {
	ok := []uint32{0x220000ff, 0x2100ffff, 0x207fffff, 0x22000001, 0x210000ff}
	for _, b := range ok {
		n, err := CompactToBig(b)
		if err != nil {
			t.Errorf("%#08x: %v", b, err)
			continue
		}
		if n.BitLen() > 256 {
			t.Errorf("%#08x decoded to %d bits", b, n.BitLen())
		}
	}
	bad := []uint32{0x22000100, 0x21010000, 0x23000001, 0xff000001, 0x22ffffff}
	for _, b := range bad {
		if _, err := CompactToBig(b); !errors.Is(err, ErrBadCompact) {
			t.Errorf("%#08x: got %v, want ErrBadCompact", b, err)
		}
	}
	// Very large sizes with a zero mantissa are zero, not an overflow
	// (Bitcoin's rule), and no target.
	if n, err := CompactToBig(0xff000000); err != nil || n.Sign() != 0 {
		t.Errorf("0xff000000: got %v, %v; want 0", n, err)
	}
	// Values of 2^256 and more encode to something that is rejected.
	for _, n := range []*big.Int{oneLsh256, new(big.Int).Lsh(big.NewInt(3), 300), new(big.Int).Lsh(big.NewInt(1), 4000)} {
		if _, err := CompactToBig(BigToCompact(n)); !errors.Is(err, ErrBadCompact) {
			t.Errorf("2^%d: encoding %#08x accepted", n.BitLen()-1, BigToCompact(n))
		}
	}
}

func TestBigToCompactNil(t *testing.T) {
	if got := BigToCompact(nil); got != 0 {
		t.Errorf("BigToCompact(nil) = %#08x", got)
	}
}

// TestCalcWork: Bitcoin's work for difficulty 1 is 0x100010001, the figure in
// every early block's chainwork; work halves as the target doubles.
func TestCalcWork(t *testing.T) {
	if got := CalcWork(0x1d00ffff); got.Cmp(big.NewInt(0x100010001)) != 0 {
		t.Errorf("CalcWork(0x1d00ffff) = %#x, want 0x100010001", got)
	}
	// Target 2^255-ish: 2^256/(0x7fffff·2^232 + 1) = 2 (integer division).
	if got := CalcWork(0x207fffff); got.Cmp(big.NewInt(2)) != 0 {
		t.Errorf("CalcWork(0x207fffff) = %v, want 2", got)
	}
	// Target 1: 2^255.
	if got, want := CalcWork(0x01010000), new(big.Int).Lsh(big.NewInt(1), 255); got.Cmp(want) != 0 {
		t.Errorf("CalcWork(target 1) = %#x, want 2^255", got)
	}
	a, b := CalcWork(0x1b04864c), CalcWork(0x1b090c98) // target doubled
	if d := new(big.Int).Sub(a, new(big.Int).Lsh(b, 1)); d.CmpAbs(big.NewInt(2)) > 0 {
		t.Errorf("doubling the target should halve the work: %v vs %v", a, b)
	}
	for _, bits := range []uint32{0, 0x1d000000, 0x01fedcba, 0xff123456} {
		if got := CalcWork(bits); got.Sign() != 0 {
			t.Errorf("CalcWork(%#08x) = %v, want 0", bits, got)
		}
	}
}

func TestHashToBig(t *testing.T) {
	var h [32]byte
	h[0], h[31] = 0x80, 0x01
	want := new(big.Int).Lsh(big.NewInt(1), 255)
	want.Add(want, big.NewInt(1))
	if got := HashToBig(h); got.Cmp(want) != 0 {
		t.Errorf("HashToBig = %x, want %x (big-endian)", got, want)
	}
}
