package nostr

// This file fixes the API other packages build against while the package is
// being written. Each function here is replaced by its real implementation.

import "github.com/btcsuite/btcd/btcec/v2"

// Limits on one event; both decoders (JSON and binary) enforce them.
const (
	MaxEventSize   = 64 << 10 // bytes of the canonical JSON of the whole event
	MaxContentSize = 32 << 10 // bytes of content
	MaxTags        = 100      // tags per event
	MaxTagItems    = 16       // strings per tag
	MaxTagItemSize = 1024     // bytes per tag string
)

// Parse strictly parses one event from its NIP-01 JSON object.
func Parse(data []byte) (*Event, error) { panic("unimplemented") }

// MarshalJSON returns the NIP-01 JSON object (keys id, pubkey, created_at, kind, tags, content, sig).
func (e *Event) MarshalJSON() ([]byte, error) { panic("unimplemented") }

// Serialize returns the canonical serialization [0,pubkey,created_at,kind,tags,content] whose SHA-256 is the id.
func (e *Event) Serialize() []byte { panic("unimplemented") }

// ComputeID returns SHA-256 of Serialize().
func (e *Event) ComputeID() [32]byte { panic("unimplemented") }

// CheckLimits reports an event that exceeds a size limit.
func (e *Event) CheckLimits() error { panic("unimplemented") }

// Verify checks limits, that ID matches the content and that Sig is a valid BIP-340 signature by PubKey over ID.
func (e *Event) Verify() error { panic("unimplemented") }

// Sign sets PubKey, ID and Sig.
func (e *Event) Sign(sk *btcec.PrivateKey) error { panic("unimplemented") }

// LeadingZeroBits is the NIP-13 difficulty of an id.
func LeadingZeroBits(id [32]byte) int { panic("unimplemented") }

// AppendBinary appends the compact binary encoding used in block bodies (no id; it is recomputed).
func (e *Event) AppendBinary(dst []byte) []byte { panic("unimplemented") }

// DecodeBinary decodes one binary event from the front of b, computes its ID, and returns the bytes consumed.
func DecodeBinary(b []byte) (*Event, int, error) { panic("unimplemented") }
