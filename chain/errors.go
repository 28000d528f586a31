package chain

import (
	"errors"
	"fmt"
)

// ErrorKind identifies a kind of consensus rule violation. Callers test for
// one with errors.Is(err, chain.ErrBadMerkle); a RuleError wraps the kind with
// a description of the case at hand.
type ErrorKind string

func (k ErrorKind) Error() string { return string(k) }

// Rule violations. A block or header that fails one of them is invalid for
// good; anything else a validation function returns (a storage failure, say)
// says nothing about the block.
const (
	ErrBadEncoding    = ErrorKind("bad encoding")
	ErrBadVersion     = ErrorKind("unknown header version")
	ErrBadPoW         = ErrorKind("proof of work does not meet target")
	ErrBadTarget      = ErrorKind("target out of range")
	ErrBadBits        = ErrorKind("bits do not follow the difficulty rule")
	ErrBadPrev        = ErrorKind("previous hash does not match parent")
	ErrBadHeight      = ErrorKind("height is not parent height plus one")
	ErrTimeTooOld     = ErrorKind("time not after median of previous blocks")
	ErrTimeTooNew     = ErrorKind("time too far in the future")
	ErrBadMerkle      = ErrorKind("merkle root does not match body")
	ErrBodyTooLarge   = ErrorKind("block body too large")
	ErrTooManyEvents  = ErrorKind("too many events in block")
	ErrBadCoinbase    = ErrorKind("bad coinbase")
	ErrBadReward      = ErrorKind("coinbase reward too high")
	ErrBadEvent       = ErrorKind("invalid event")
	ErrDuplicateEvent = ErrorKind("event appears twice in block")
	ErrEventInChain   = ErrorKind("event already in the chain")
	ErrEventTooNew    = ErrorKind("event created after block time allows")
	ErrBadGenesis     = ErrorKind("genesis block does not match network")
)

// RuleError is a consensus rule violation: a kind and what exactly was wrong.
type RuleError struct {
	Kind        ErrorKind
	Description string
}

func (e *RuleError) Error() string { return e.Description }
func (e *RuleError) Unwrap() error { return e.Kind }

func ruleError(kind ErrorKind, format string, args ...any) error {
	return &RuleError{Kind: kind, Description: string(kind) + ": " + fmt.Sprintf(format, args...)}
}

// IsRuleError reports whether err is a consensus violation (the data is bad)
// rather than a failure of the node (storage, cancellation).
func IsRuleError(err error) bool {
	var re *RuleError
	return errors.As(err, &re)
}
