package nostr

import (
	"sync"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
)

// maxCachedPubKeys bounds the parsed keys kept: a block or a burst of posts
// comes from far fewer authors than this, and 4096 keys are ~400 KiB.
const maxCachedPubKeys = 4096

// pubKeys remembers parsed x-only keys. Parsing one lifts x to a point (a
// square root in the field), about 6% of a verification; authors post many
// times, so a node syncing or ingesting parses each key once. It is emptied
// when full rather than kept in LRU order: the next few posts refill it.
var pubKeys = struct {
	sync.Mutex
	m map[[32]byte]*btcec.PublicKey
}{m: make(map[[32]byte]*btcec.PublicKey)}

// parsePubKey is schnorr.ParsePubKey through the cache. Only valid keys
// are cached; the returned key is shared and must not be modified.
func parsePubKey(x [32]byte) (*btcec.PublicKey, error) {
	pubKeys.Lock()
	pub := pubKeys.m[x]
	pubKeys.Unlock()
	if pub != nil {
		return pub, nil
	}
	pub, err := schnorr.ParsePubKey(x[:])
	if err != nil {
		return nil, err
	}
	pubKeys.Lock()
	if len(pubKeys.m) >= maxCachedPubKeys {
		clear(pubKeys.m)
	}
	pubKeys.m[x] = pub
	pubKeys.Unlock()
	return pub, nil
}
