package pow

import "errors"

// Sentinel errors, for errors.Is. The errors returned wrap them with details.
var (
	// ErrBadCompact reports a compact encoding that Bitcoin rejects: a
	// negative number or one that does not fit in 256 bits.
	ErrBadCompact = errors.New("pow: invalid compact target")

	// ErrBadTarget reports a target outside 1..powLimit, or one whose compact
	// encoding is invalid.
	ErrBadTarget = errors.New("pow: target out of range")

	// ErrHighHash reports a block hash above its target: the proof of work
	// was not done.
	ErrHighHash = errors.New("pow: hash above target")

	// ErrBadPowLimit reports a missing, non-positive or over-wide proof-of-work
	// limit: a network-parameter mistake, not a bad header.
	ErrBadPowLimit = errors.New("pow: invalid proof-of-work limit")

	// ErrBadASERTParams reports ASERT parameters that have no meaning: a
	// non-positive spacing or half-life, or an anchor above the parent.
	ErrBadASERTParams = errors.New("pow: invalid asert parameters")
)
