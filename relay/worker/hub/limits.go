package hub

import "postwork/relay"

// Limits are the relay's abuse policies, the same as a full node's
// (relay/node.Limits; a test keeps the defaults equal). Zero fields take
// the defaults.
type Limits struct {
	ConnectionsPerIP int
	MaxSubscriptions int
	MaxFilters       int
	QueryLimit       int
	MaxMessageSize   int
	ClientRate       relay.Rate
	PeerRate         relay.Rate
	IPRate           relay.Rate
}

// MaxQueryLimit bounds the stored events sent for one filter, as the full
// node's store does.
const MaxQueryLimit = 500

// DefaultLimits are relay/node.DefaultLimits.
var DefaultLimits = Limits{
	ConnectionsPerIP: 32,
	MaxSubscriptions: 20,
	MaxFilters:       10,
	QueryLimit:       MaxQueryLimit,
	MaxMessageSize:   128 << 10,
	ClientRate:       relay.Rate{PerSecond: 20, Burst: 100},
	PeerRate:         relay.Rate{PerSecond: 5000, Burst: 20000},
	IPRate:           relay.Rate{PerSecond: 100, Burst: 400},
}

func (l Limits) withDefaults() Limits {
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

// install adds the policies to r's hooks, as relay/node does.
func (l Limits) install(r *relay.Relay) {
	r.RejectConnection = append(r.RejectConnection, relay.ConnectionsPerIP(l.ConnectionsPerIP))
	r.RejectFrame = append(r.RejectFrame, relay.MessageSize(l.MaxMessageSize))
	r.RejectMessage = append(r.RejectMessage,
		relay.MessageRate(l.ClientRate, l.PeerRate),
		relay.IPMessageRate(l.IPRate))
	r.RejectReq = append(r.RejectReq, relay.MaxSubscriptions(l.MaxSubscriptions), relay.MaxFilters(l.MaxFilters))
}
