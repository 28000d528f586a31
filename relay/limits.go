package relay

import (
	"postwork/chain/nostr"
	"postwork/chain/wire"
)

// MaxQueryLimit bounds the stored events sent for one filter of a REQ.
const MaxQueryLimit = 500

// Limits are a relay's abuse policies, the same for every transport (the
// full node's gorilla server and the Cloudflare Worker). Zero fields take
// the defaults.
type Limits struct {
	// ConnectionsPerIP bounds the open connections of one address.
	ConnectionsPerIP int
	// MaxSubscriptions bounds a connection's open REQs, MaxFilters the
	// filters of one REQ, QueryLimit the stored events sent per filter.
	MaxSubscriptions int
	MaxFilters       int
	QueryLimit       int
	// MaxMessageSize bounds a frame from a connection that is not a peer.
	MaxMessageSize int
	// ClientRate and PeerRate limit each connection's messages (peers
	// forward many users' posts); IPRate limits one address's non-peer
	// connections together.
	ClientRate Rate
	PeerRate   Rate
	IPRate     Rate
}

// DefaultLimits are what a relay applies unless told otherwise.
var DefaultLimits = Limits{
	ConnectionsPerIP: 32,
	MaxSubscriptions: 20,
	MaxFilters:       10,
	QueryLimit:       MaxQueryLimit,
	MaxMessageSize:   128 << 10,
	ClientRate:       Rate{PerSecond: 20, Burst: 100},
	PeerRate:         Rate{PerSecond: 5000, Burst: 20000},
	IPRate:           Rate{PerSecond: 100, Burst: 400},
}

// WithDefaults returns l with each zero or out-of-range field set to its
// default.
func (l Limits) WithDefaults() Limits {
	d := DefaultLimits
	if l.ConnectionsPerIP <= 0 {
		l.ConnectionsPerIP = d.ConnectionsPerIP
	}
	if l.MaxSubscriptions <= 0 {
		l.MaxSubscriptions = d.MaxSubscriptions
	}
	if l.MaxFilters <= 0 {
		l.MaxFilters = d.MaxFilters
	}
	if l.QueryLimit <= 0 || l.QueryLimit > MaxQueryLimit {
		l.QueryLimit = d.QueryLimit
	}
	if l.MaxMessageSize <= 0 {
		l.MaxMessageSize = d.MaxMessageSize
	}
	if l.ClientRate.PerSecond <= 0 {
		l.ClientRate = d.ClientRate
	}
	if l.PeerRate.PerSecond <= 0 {
		l.PeerRate = d.PeerRate
	}
	if l.IPRate.PerSecond <= 0 {
		l.IPRate = d.IPRate
	}
	return l
}

// Install adds the policies to r's hooks.
func (l Limits) Install(r *Relay) {
	r.RejectConnection = append(r.RejectConnection, ConnectionsPerIP(l.ConnectionsPerIP))
	r.RejectFrame = append(r.RejectFrame, MessageSize(l.MaxMessageSize))
	r.RejectMessage = append(r.RejectMessage,
		MessageRate(l.ClientRate, l.PeerRate),
		IPMessageRate(l.IPRate))
	r.RejectReq = append(r.RejectReq, MaxSubscriptions(l.MaxSubscriptions), MaxFilters(l.MaxFilters))
}

// Limitation is how NIP-11 states these limits, with the relay's minimum
// NIP-13 work for a post.
func (l Limits) Limitation(minPoW int) Limitation {
	return Limitation{
		MaxMessageLength: l.MaxMessageSize,
		MaxSubscriptions: l.MaxSubscriptions,
		MaxFilters:       l.MaxFilters,
		MaxLimit:         l.QueryLimit,
		MaxSubIDLength:   wire.MaxSubIDLength,
		MaxEventTags:     nostr.MaxTags,
		MaxContentLength: nostr.MaxContentSize,
		MinPowDifficulty: minPoW,
	}
}
