package pow

import (
	"encoding/binary"
	"fmt"
	"math/big"
	"math/bits"
)

// HashMeetsTarget reports whether hash ≤ target, both read big-endian. It is
// the miner's inner-loop test, so it compares four 64-bit words and allocates
// nothing.
func HashMeetsTarget(hash, target [32]byte) bool {
	return cmp256(&hash, &target) <= 0
}

// cmp256 compares two big-endian 256-bit numbers.
func cmp256(a, b *[32]byte) int {
	for i := 0; i < 32; i += 8 {
		x := binary.BigEndian.Uint64(a[i:])
		y := binary.BigEndian.Uint64(b[i:])
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

// limitBytes checks powLimit and returns it as a big-endian 256-bit number.
func limitBytes(powLimit *big.Int) ([32]byte, error) {
	var b [32]byte
	if powLimit == nil {
		return b, fmt.Errorf("%w: nil", ErrBadPowLimit)
	}
	if powLimit.Sign() <= 0 || powLimit.BitLen() > 256 {
		return b, fmt.Errorf("%w: %#x is not in 1..2^256-1", ErrBadPowLimit, powLimit)
	}
	// Copy the words directly: big.Int.FillBytes goes byte by byte and costs
	// half a microsecond under wasm, more than the rest of the check.
	const wordBytes = bits.UintSize / 8
	for i, w := range powLimit.Bits() { // least significant word first
		end := 32 - i*wordBytes
		if wordBytes == 8 {
			binary.BigEndian.PutUint64(b[end-8:end], uint64(w))
		} else {
			binary.BigEndian.PutUint32(b[end-4:end], uint32(w))
		}
	}
	return b, nil
}

// CheckProofOfWork checks that bits encodes a target in 1..powLimit and that
// hash, read big-endian, is at most that target. It runs on every header a
// light node syncs, so it works on fixed-size byte arrays and allocates only
// when it returns an error.
//
// The errors wrap ErrBadTarget (the bits are invalid, zero or above powLimit),
// ErrHighHash (the work was not done) or ErrBadPowLimit (powLimit itself is
// unusable).
func CheckProofOfWork(hash [32]byte, bits uint32, powLimit *big.Int) error {
	target, err := TargetBytes(bits)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadTarget, err)
	}
	if target == ([32]byte{}) {
		return fmt.Errorf("%w: bits %#08x encode a zero target", ErrBadTarget, bits)
	}
	limit, err := limitBytes(powLimit)
	if err != nil {
		return err
	}
	if cmp256(&target, &limit) > 0 {
		return fmt.Errorf("%w: bits %#08x encode a target above the limit %#x", ErrBadTarget, bits, powLimit)
	}
	if cmp256(&hash, &target) > 0 {
		return fmt.Errorf("%w: hash %x above target %x", ErrHighHash, hash, target)
	}
	return nil
}
