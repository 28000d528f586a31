package pow

import (
	"fmt"
	"math/big"
)

// The compact form packs a target into 32 bits, as Bitcoin's nBits does: the
// top byte is a size in bytes, bit 23 a sign, and the low 23 bits a mantissa,
// so the value is mantissa·256^(size−3). Only 23 bits of precision survive,
// which is why every target that consensus compares is first rounded through
// this form.
const (
	compactSignBit  = 0x00800000
	compactMantissa = 0x007fffff
)

// TargetBytes expands a compact target into a big-endian 256-bit number, with
// no allocation. It applies Bitcoin's rules (SetCompact): an encoding with the
// sign bit and a non-zero mantissa is negative, and one whose value does not
// fit in 256 bits overflows; both are rejected with ErrBadCompact. A zero
// target is returned as is: whether it is acceptable is CheckProofOfWork's
// concern.
func TargetBytes(bits uint32) ([32]byte, error) {
	var t [32]byte
	size := int(bits >> 24)
	word := bits & compactMantissa
	if size <= 3 {
		word >>= 8 * uint(3-size)
	}
	if word != 0 && bits&compactSignBit != 0 {
		return t, fmt.Errorf("%w: bits %#08x is negative", ErrBadCompact, bits)
	}
	if word != 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32)) {
		return t, fmt.Errorf("%w: bits %#08x overflows 256 bits", ErrBadCompact, bits)
	}
	if word == 0 {
		return t, nil
	}
	if size <= 3 {
		t[29], t[30], t[31] = byte(word>>16), byte(word>>8), byte(word)
		return t, nil
	}
	// The mantissa's low byte lands at index 34−size; bytes that would fall
	// before index 0 are zero, as the overflow check above guarantees.
	lo := 34 - size
	for i, b := range [3]byte{byte(word >> 16), byte(word >> 8), byte(word)} {
		if j := lo - 2 + i; j >= 0 {
			t[j] = b
		}
	}
	return t, nil
}

// CompactToBig returns the target a compact encoding stands for. Negative and
// overflowing encodings are rejected with ErrBadCompact; zero is returned as
// zero.
func CompactToBig(bits uint32) (*big.Int, error) {
	t, err := TargetBytes(bits)
	if err != nil {
		return nil, err
	}
	return new(big.Int).SetBytes(t[:]), nil
}

// BigToCompact returns the canonical compact encoding of t, exactly as Bitcoin
// Core's GetCompact: the value is truncated to its three most significant
// bytes, and a mantissa with bit 23 set is shifted down a byte so that it
// cannot be read as negative. A negative t sets the sign bit, as btcd does.
// Values of 2^256 or more cannot be targets; they yield an encoding that
// CompactToBig rejects as overflowing.
func BigToCompact(t *big.Int) uint32 {
	if t == nil || t.Sign() == 0 {
		return 0
	}
	var compact uint32
	if t.BitLen() <= 256 {
		var b [32]byte
		t.FillBytes(b[:]) // absolute value
		compact = compactFromBytes(&b)
	} else {
		size := (t.BitLen() + 7) / 8
		if size > 0xff {
			return 0xff7fffff // the largest size; rejected as overflow all the same
		}
		word := uint32(new(big.Int).Rsh(new(big.Int).Abs(t), uint(8*(size-3))).Uint64())
		compact = normalizeCompact(size, word)
	}
	if t.Sign() < 0 {
		compact |= compactSignBit
	}
	return compact
}

// compactFromBytes encodes a big-endian 256-bit number without allocating.
func compactFromBytes(b *[32]byte) uint32 {
	i := 0
	for i < 32 && b[i] == 0 {
		i++
	}
	if i == 32 {
		return 0
	}
	size := 32 - i
	var word uint32
	for k := 0; k < 3; k++ {
		word <<= 8
		if i+k < 32 {
			word |= uint32(b[i+k])
		}
	}
	// Here word holds the three leading bytes, left-aligned as GetCompact
	// does for sizes below three (the value shifted up into the mantissa).
	return normalizeCompact(size, word)
}

// normalizeCompact applies GetCompact's last step: keep the sign bit clear by
// moving a byte of the mantissa into the size.
func normalizeCompact(size int, word uint32) uint32 {
	if word&compactSignBit != 0 {
		word >>= 8
		size++
	}
	return uint32(size)<<24 | word
}

// HashToBig reads a hash as a big-endian 256-bit number, the order in which
// postwork compares hashes with targets.
func HashToBig(h [32]byte) *big.Int {
	return new(big.Int).SetBytes(h[:])
}

// CalcWork returns the expected number of hashes needed to meet the target,
// 2^256 / (target+1). Chains are compared by the sum of their blocks' work, so
// the exact integer matters. An invalid or zero target has no work: 0.
// BlockWork is the same without the allocation.
func CalcWork(bits uint32) *big.Int { return BlockWork(bits).Big() }
