package relay

import (
	"errors"
	"fmt"

	"postwork/chain/wire"
)

// Reject is a refusal the relay reports to the client: the reason of an OK
// false (or OK true for PrefixDuplicate), a CLOSED or a NOTICE, with a
// NIP-01 prefix. Score is added to the sender's ban score: zero for honest
// mistakes (a post with too little work), more for data no honest client
// sends (a bad signature, an invalid block).
type Reject struct {
	Prefix string // one of wire.Prefix*
	Reason string
	Score  int
}

// Rejectf returns a *Reject with a formatted reason and no ban score.
func Rejectf(prefix, format string, args ...any) *Reject {
	return &Reject{Prefix: prefix, Reason: fmt.Sprintf(format, args...)}
}

func (e *Reject) Error() string { return e.Prefix + ": " + e.Reason }

// WithScore returns e with a ban score.
func (e *Reject) WithScore(score int) *Reject {
	e.Score = score
	return e
}

// Ban scores of what the core itself finds wrong. A client reaching
// Options.BanThreshold (default 100) is disconnected and refused for
// Options.BanDuration.
const (
	ScoreMalformed = 10  // a frame that does not parse
	ScoreTooLarge  = 20  // a frame over its verb's limit
	ScoreInvalid   = 20  // an event with a bad id or signature
	ScoreBadChain  = 100 // an invalid block or header: never honest
	// ScoreRateLimited is charged per message refused by a rate limit: a
	// client that bursts now and then loses nothing (scores decay), one that
	// keeps sending at several times its rate is banned within a minute
	// instead of costing the relay a parse and a refusal per frame forever.
	ScoreRateLimited = 1
)

// reasonOf turns an error from a Backend into a reply reason: a *Reject as
// it is, anything else (a failure of the node, not the client's fault) as
// "error:" with the message.
func reasonOf(err error) (r *Reject) {
	if errors.As(err, &r) {
		return r
	}
	return Rejectf(wire.PrefixError, "%v", err)
}
