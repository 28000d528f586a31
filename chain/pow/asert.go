package pow

import (
	"fmt"
	"math/big"
	"math/bits"
)

// DefaultHalfLifeBlocks is the recommended ASERT half-life, in target
// spacings: a network with spacing S uses halfLife = DefaultHalfLifeBlocks·S.
//
// The half-life is the time the target takes to double (or halve) when blocks
// run one half-life behind (or ahead of) schedule. It trades two things:
//
//   - A short half-life follows hashrate quickly: after the hashrate of a
//     browser network jumps or collapses, the interval is back near the
//     spacing within a few half-lives. But each block's solve time, itself
//     exponentially distributed, moves the next target by about S/halfLife in
//     log2 terms, so a short half-life makes the target noisier block to
//     block.
//   - ASERT is absolutely scheduled: to settle at k times the hashrate it must
//     fall log2(k)·halfLife behind (or run ahead of) the ideal schedule, for
//     good. After a 10× change that offset is about 3.3 half-lives, spread
//     over the blocks that follow, so a long half-life leaves the mean
//     interval off target for a long time (BCH's 288 blocks would be 3.3·288
//     ≈ 950 spacings).
//
// The deterministic simulation in asert_sim_test.go measured, over the 1000
// blocks after the hashrate is multiplied or divided by 10 (seed 1; the
// spacing does not matter, from 2 s to 600 s):
//
//	half-life  ×10 mean  ÷10 mean  target noise (1σ, steady hashrate)
//	        8     0.973     1.026   22%
//	       16     0.947     1.053   16%
//	       24     0.920     1.080   14%
//	       32     0.893     1.106   13%
//	       64     0.786     1.211    9%
//
// So the mean stays within 10% of the spacing only up to about 30 spacings.
// 16 leaves room for chance (0.940–0.951 and 1.046–1.057 over three seeds),
// reaches the new equilibrium target within about 85 blocks after a 10×
// jump, and keeps the block-to-block wobble of the target modest; the solve
// time of any single block varies far more (an exponential, 100%).
const DefaultHalfLifeBlocks = 16

// The aserti3-2d polynomial: 2^x ≈ 1 + 0.695502049x + 0.2262698x² + 0.0782318x³
// for 0 ≤ x < 1, in 16-bit fixed point (x = frac/65536), as the constants
// 195766423245049/2^48, 971821376/2^32 and 5127/2^16 times 65536. The error is
// below 0.013% against the true 2^x. These numbers are consensus: do not
// "improve" them.
const (
	asertRadixBits = 16
	asertC1        = 195766423245049
	asertC2        = 971821376
	asertC3        = 5127
	asertRound     = 1 << 47
)

// asertMaxShifts bounds the integer part of the exponent. Any shift of 257 or
// more takes a target of at least 1 times a factor of at least 2^16, divided
// by 2^16, beyond 2^256 and so to powLimit; any shift of −257 or less takes a
// target below 2^256 times a factor below 2^17 to zero and so to 1. Clamping
// the exponent a little beyond these bounds changes no result and keeps every
// shift small.
const asertMaxShifts = 512

// ASERT computes the compact target of the next block with the aserti3-2d rule
// of Bitcoin Cash (the 2020-11-15 ASERT specification by Jonathan Toomim and
// Mark Lundeberg), bit for bit as Bitcoin Cash Node's CalculateASERT and its
// published test vectors:
//
//	target = anchorTarget · 2^((timeDiff − targetSpacing·(heightDiff+1)) / halfLife)
//
// with the exponent in 16-bit fixed point (truncated towards zero, as C++
// integer division does), 2^frac from a cubic polynomial, the result floored,
// then clamped to 1..powLimit and rounded through the compact form.
//
// The anchor is a fixed block. For the block being computed (the child of
// "parent"):
//
//	timeDiff   = parent.Time   − time of the anchor's parent
//	heightDiff = parent.Height − anchor.Height
//
// so when every block arrives exactly on time the target stays the anchor's.
// Using the anchor's parent time (not its own) is what the specification
// prescribes: the anchor block's own time already reflects one interval. A
// chain anchored at its genesis block, which has no parent, can take
// genesis.Time − targetSpacing as that time, so that a chain on schedule keeps
// the genesis target (the simulation in the tests does so).
//
// Unlike the C++ reference, which asserts, ASERT never panics: nonsense
// parameters return ErrBadASERTParams, an anchor outside 1..powLimit returns
// ErrBadTarget, and a bad powLimit ErrBadPowLimit. Time differences of any
// size are computed exactly; extreme ones saturate at powLimit or 1, which is
// what unbounded integers would give.
func ASERT(anchorBits uint32, timeDiff, heightDiff, targetSpacing, halfLife int64, powLimit *big.Int) (uint32, error) {
	limitB, err := limitBytes(powLimit)
	if err != nil {
		return 0, err
	}
	if targetSpacing <= 0 {
		return 0, fmt.Errorf("%w: target spacing %d is not positive", ErrBadASERTParams, targetSpacing)
	}
	if halfLife <= 0 {
		return 0, fmt.Errorf("%w: half-life %d is not positive", ErrBadASERTParams, halfLife)
	}
	if heightDiff < 0 {
		return 0, fmt.Errorf("%w: parent is %d blocks below the anchor", ErrBadASERTParams, -heightDiff)
	}
	anchorB, err := TargetBytes(anchorBits)
	if err != nil {
		return 0, fmt.Errorf("%w: anchor: %w", ErrBadTarget, err)
	}
	if anchorB == ([32]byte{}) || cmp256(&anchorB, &limitB) > 0 {
		return 0, fmt.Errorf("%w: anchor bits %#08x are not in 1..powLimit", ErrBadTarget, anchorBits)
	}

	exponent := asertExponent(timeDiff, heightDiff, targetSpacing, halfLife)
	shifts := exponent >> asertRadixBits // floor, as the arithmetic shift in C++
	switch {
	case shifts >= asertMaxShifts:
		return compactFromBytes(&limitB), nil
	case shifts <= -asertMaxShifts:
		return compactOne, nil
	}
	frac := uint64(exponent) & 0xffff
	// The sum stays below 2^64 for every frac < 2^16 (its maximum is about
	// 1.84465e19), exactly as in the uint64 arithmetic of the reference.
	factor := 1<<asertRadixBits + (asertC1*frac+asertC2*frac*frac+asertC3*frac*frac*frac+asertRound)>>48

	next, ok := asertScale(u256FromBytes(&anchorB), factor, shifts-asertRadixBits)
	limit := u256FromBytes(&limitB)
	switch {
	case !ok || next.cmp(limit) > 0:
		next = limit
	case next.isZero():
		next = u256{1} // 0 is not a valid target, 1 is
	}
	b := next.bytes()
	return compactFromBytes(&b), nil
}

// compactOne is the compact form of the target 1.
const compactOne = 0x01010000

// asertScale returns floor(anchor·factor·2^s) for a factor below 2^64 and
// |s| below 2^10, or ok = false when that is 2^256 or more (so above any
// powLimit). The product takes five words; a right shift can bring it back
// into four.
func asertScale(anchor u256, factor uint64, s int64) (v u256, ok bool) {
	var p [5]uint64
	var carry uint64
	for i := range 4 {
		hi, lo := bits.Mul64(anchor[i], factor)
		var c uint64
		p[i], c = bits.Add64(lo, carry, 0)
		carry = hi + c // hi ≤ 2^64−2, so this cannot wrap
	}
	p[4] = carry
	if s > 0 {
		if p[4] != 0 || u256(p[:4]).bitLen()+int(s) > 256 {
			return v, false
		}
		return u256(p[:4]).lsh(uint(s)), true
	}
	r := uint(-s)
	w, sh := int(r/64), r%64
	var z [5]uint64
	for i := 0; i+w < 5; i++ {
		z[i] = p[i+w] >> sh
		if sh > 0 && i+w+1 < 5 {
			z[i] |= p[i+w+1] << (64 - sh)
		}
	}
	if z[4] != 0 {
		return v, false
	}
	return u256(z[:4]), true
}

// asertExponent returns trunc((timeDiff − spacing·(heightDiff+1))·65536 / halfLife),
// clamped to ±asertMaxShifts·65536. It uses int64 arithmetic when nothing can
// overflow, which covers every real chain, and exact big integers otherwise,
// so that no input wraps around.
func asertExponent(timeDiff, heightDiff, spacing, halfLife int64) int64 {
	const limit = asertMaxShifts << asertRadixBits
	const safe = 1 << 46 // |a|,|b| < 2^46 ⇒ |a−b|·2^16 < 2^63
	hi, ideal := bits.Mul64(uint64(spacing), uint64(heightDiff)+1)
	if hi == 0 && ideal < safe && timeDiff < safe && timeDiff > -safe {
		e := (timeDiff - int64(ideal)) * (1 << asertRadixBits) / halfLife
		return max(-limit, min(limit, e))
	}
	n := new(big.Int).SetInt64(heightDiff)
	n.Add(n, big.NewInt(1))
	n.Mul(n, big.NewInt(spacing))
	n.Sub(big.NewInt(timeDiff), n)
	n.Lsh(n, asertRadixBits)
	n.Quo(n, big.NewInt(halfLife)) // truncated division, as in C++
	switch {
	case n.Cmp(big.NewInt(limit)) > 0:
		return limit
	case n.Cmp(big.NewInt(-limit)) < 0:
		return -limit
	}
	return n.Int64()
}
