// Package nostr implements the parts of Nostr that postwork posts are made of:
// NIP-01 events (strict parsing, canonical serialization, id, BIP-340
// signatures), NIP-13 proof of work, NIP-19 keys (npub/nsec) and NIP-49
// encrypted keys (ncryptsec). It does no I/O.
package nostr

// Event is a NIP-01 event. ID, PubKey and Sig hold raw bytes; their hex forms
// appear only in JSON. Parse keeps the id the JSON claims and Verify checks it,
// so a tampered event can be reported under the id it claimed.
type Event struct {
	ID        [32]byte
	PubKey    [32]byte
	CreatedAt int64
	Kind      int
	Tags      [][]string
	Content   string
	Sig       [64]byte
}
