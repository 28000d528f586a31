package relay

import (
	"time"

	"postwork/chain/nostr"
	"postwork/chain/wire"
)

// CheckPost is the post policy every postwork relay (full node or Worker)
// applies to a verified post before it keeps it: at least minPoW NIP-13
// bits, and created_at at most maxAhead seconds past now (Params.
// MaxEventDrift: no block could include it yet).
func CheckPost(ev *nostr.Event, minPoW int, maxAhead int64, now time.Time) error {
	if bits := ev.PoW(); bits < minPoW {
		return Rejectf(wire.PrefixPoW, "difficulty %d is less than %d", bits, minPoW)
	}
	if ahead := ev.CreatedAt - now.Unix(); ahead > maxAhead {
		return Rejectf(wire.PrefixInvalid, "created_at is %d seconds in the future, more than %d", ahead, maxAhead)
	}
	return nil
}
