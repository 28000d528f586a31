package pow

import (
	"encoding/binary"
	"math/big"
	"math/bits"
)

// u256 is an unsigned 256-bit integer, least significant word first. ASERT
// and block work use it instead of math/big on the path every synced header
// takes: it lives on the stack and each operation is a few word
// instructions, where a big.Int is a heap allocation and, in wasm, math/big
// has no assembly to lean on. Results are exact; the differential fuzz tests
// compare them with math/big.
type u256 [4]uint64

// u256FromBytes reads a big-endian 256-bit number.
func u256FromBytes(b *[32]byte) u256 {
	return u256{
		binary.BigEndian.Uint64(b[24:]),
		binary.BigEndian.Uint64(b[16:]),
		binary.BigEndian.Uint64(b[8:]),
		binary.BigEndian.Uint64(b[0:]),
	}
}

// bytes returns x big-endian.
func (x u256) bytes() [32]byte {
	var b [32]byte
	binary.BigEndian.PutUint64(b[24:], x[0])
	binary.BigEndian.PutUint64(b[16:], x[1])
	binary.BigEndian.PutUint64(b[8:], x[2])
	binary.BigEndian.PutUint64(b[0:], x[3])
	return b
}

func (x u256) isZero() bool { return x == u256{} }

func (x u256) cmp(y u256) int {
	for i := 3; i >= 0; i-- {
		if x[i] != y[i] {
			if x[i] < y[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// add returns x+y modulo 2^256 and the carry out (0 or 1).
func (x u256) add(y u256) (u256, uint64) {
	var z u256
	var c uint64
	z[0], c = bits.Add64(x[0], y[0], 0)
	z[1], c = bits.Add64(x[1], y[1], c)
	z[2], c = bits.Add64(x[2], y[2], c)
	z[3], c = bits.Add64(x[3], y[3], c)
	return z, c
}

// sub returns x−y modulo 2^256.
func (x u256) sub(y u256) u256 {
	var z u256
	var b uint64
	z[0], b = bits.Sub64(x[0], y[0], 0)
	z[1], b = bits.Sub64(x[1], y[1], b)
	z[2], b = bits.Sub64(x[2], y[2], b)
	z[3], _ = bits.Sub64(x[3], y[3], b)
	return z
}

func (x u256) not() u256 { return u256{^x[0], ^x[1], ^x[2], ^x[3]} }

func (x u256) bitLen() int {
	for i := 3; i >= 0; i-- {
		if x[i] != 0 {
			return 64*i + bits.Len64(x[i])
		}
	}
	return 0
}

// lsh returns x·2^n modulo 2^256.
func (x u256) lsh(n uint) u256 {
	var z u256
	if n >= 256 {
		return z
	}
	w, s := int(n/64), n%64
	for i := 3; i >= w; i-- {
		z[i] = x[i-w] << s
		if s > 0 && i-w-1 >= 0 {
			z[i] |= x[i-w-1] >> (64 - s)
		}
	}
	return z
}

// div returns x/y rounded down; y must not be zero. It is Knuth's
// algorithm D (TAOCP vol. 2, 4.3.1) on 64-bit digits.
func (x u256) div(y u256) u256 {
	var q u256
	if x.cmp(y) < 0 {
		return q
	}
	n := 4 // digits of y
	for y[n-1] == 0 {
		n--
	}
	if n == 1 {
		var r uint64
		for i := 3; i >= 0; i-- {
			q[i], r = bits.Div64(r, x[i], y[0])
		}
		return q
	}
	// Normalise: shift both so that the divisor's top digit has its top
	// bit set; the dividend takes a fifth digit.
	s := uint(bits.LeadingZeros64(y[n-1]))
	d := y.lsh(s)
	var u [5]uint64
	xs := x.lsh(s)
	copy(u[:4], xs[:])
	u[4] = x[3] >> (64 - s) // 0 when s is 0: Go shifts by 64 to zero
	dh, dl := d[n-1], d[n-2]
	for j := 4 - n; j >= 0; j-- {
		// D3: estimate the digit from the top two digits, then correct it
		// with the next one until it is at most one too large. u[j+n] ≤ dh
		// holds throughout (the running remainder is below d).
		u2, u1, u0 := u[j+n], u[j+n-1], u[j+n-2]
		var qhat, rhat uint64
		over := false // rhat ≥ 2^64: the correction test cannot succeed
		if u2 >= dh {
			qhat = ^uint64(0)
			var c uint64
			rhat, c = bits.Add64(u1, dh, 0) // u2·b + u1 − (b−1)·dh with u2 = dh
			over = c != 0
		} else {
			qhat, rhat = bits.Div64(u2, u1, dh)
		}
		for !over {
			ph, pl := bits.Mul64(qhat, dl)
			if ph < rhat || (ph == rhat && pl <= u0) {
				break
			}
			qhat--
			var c uint64
			rhat, c = bits.Add64(rhat, dh, 0)
			over = c != 0
		}
		// D4: u[j:j+n+1] −= qhat·d.
		var borrow uint64
		for i := 0; i < n; i++ {
			t, c1 := bits.Sub64(u[j+i], borrow, 0)
			ph, pl := bits.Mul64(d[i], qhat)
			t, c2 := bits.Sub64(t, pl, 0)
			u[j+i] = t
			borrow = ph + c1 + c2
		}
		top, c := bits.Sub64(u2, borrow, 0)
		u[j+n] = top
		// D6: the estimate was one too large; add d back.
		if c != 0 {
			qhat--
			var carry uint64
			for i := 0; i < n; i++ {
				u[j+i], carry = bits.Add64(u[j+i], d[i], carry)
			}
			u[j+n] += carry
		}
		q[j] = qhat
	}
	return q
}

// big returns x as a new big.Int.
func (x u256) big() *big.Int {
	b := x.bytes()
	return new(big.Int).SetBytes(b[:])
}

// Work is an amount of proof of work: a block's expected number of hashes,
// 2^256/(target+1), or the sum over a chain. It is a value of fixed size, so
// a block index keeps one per block without a heap object each. Sums
// saturate at 2^256−1, a total that takes about 2^256 hashes to reach.
type Work struct{ v u256 }

// BlockWork is CalcWork without an allocation: the work of a block with
// these bits, zero for an invalid or zero target.
func BlockWork(bits uint32) Work {
	t, err := TargetBytes(bits)
	if err != nil || t == ([32]byte{}) {
		return Work{}
	}
	// 2^256/(t+1) = (2^256−1−t)/(t+1) + 1 = ^t/(t+1) + 1, which stays in
	// 256 bits (Bitcoin Core's GetBlockProof).
	tv := u256FromBytes(&t)
	d, carry := tv.add(u256{1})
	if carry != 0 {
		return Work{u256{1}} // t = 2^256−1: 2^256/2^256
	}
	q, _ := tv.not().div(d).add(u256{1})
	return Work{q}
}

// Add returns w+v, saturating at 2^256−1.
func (w Work) Add(v Work) Work {
	s, carry := w.v.add(v.v)
	if carry != 0 {
		return Work{u256{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}}
	}
	return Work{s}
}

// Cmp returns −1, 0 or +1 as w is less than, equal to or more than v.
func (w Work) Cmp(v Work) int { return w.v.cmp(v.v) }

// Big returns w as a new big.Int, for messages and callers that sum work
// without bound.
func (w Work) Big() *big.Int { return w.v.big() }
