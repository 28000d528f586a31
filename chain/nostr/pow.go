package nostr

import "math/bits"

// NIP-13: the work of an event is the number of leading zero bits of its id,
// and a ["nonce", n, target] tag commits to the difficulty the author aimed
// for.

// LeadingZeroBits is the NIP-13 difficulty of an id: its number of leading
// zero bits, most significant bit of the first byte first (0..256).
func LeadingZeroBits(id [32]byte) int {
	for i, b := range id {
		if b != 0 {
			return i*8 + bits.LeadingZeros8(b)
		}
	}
	return 256
}

// PoW returns LeadingZeroBits(e.ID). It trusts ID: call it on a verified
// event. NIP-13 suggests that a node which cares may also refuse an event
// whose CommittedTarget is below the difficulty it asks for, since such an
// event met that difficulty by luck rather than by aiming for it.
func (e *Event) PoW() int { return LeadingZeroBits(e.ID) }

// CommittedTarget returns the target difficulty of the first nonce tag
// (["nonce", n, target]). ok is false if there is no nonce tag or its target
// is not a plain decimal number in 0..256.
func (e *Event) CommittedTarget() (target int, ok bool) {
	for _, tag := range e.Tags {
		if len(tag) == 0 || tag[0] != "nonce" {
			continue
		}
		if len(tag) < 3 {
			return 0, false
		}
		v, ok := parseDecimal(tag[2], 256)
		return int(v), ok
	}
	return 0, false
}

// parseDecimal parses a canonical decimal number (digits only, no sign, no
// leading zero) not above limit.
func parseDecimal(s string, limit uint64) (uint64, bool) {
	if s == "" || len(s) > 1 && s[0] == '0' {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (limit-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	return v, true
}
