package relay

// Info is the NIP-11 relay information document. Transports serve it
// (relay/ws for the full node, the Worker's shim) to requests that accept
// application/nostr+json.
type Info struct {
	Name          string     `json:"name,omitempty"`
	Description   string     `json:"description,omitempty"`
	PubKey        string     `json:"pubkey,omitempty"`
	Contact       string     `json:"contact,omitempty"`
	SupportedNIPs []int      `json:"supported_nips"`
	Software      string     `json:"software"`
	Version       string     `json:"version"`
	Limitation    Limitation `json:"limitation"`
	// Postwork describes the chain this relay serves, for light nodes.
	Postwork *ChainInfo `json:"postwork,omitempty"`
}

// Limitation is NIP-11's limitation object.
type Limitation struct {
	MaxMessageLength int  `json:"max_message_length"`
	MaxSubscriptions int  `json:"max_subscriptions"`
	MaxFilters       int  `json:"max_filters"`
	MaxLimit         int  `json:"max_limit"`
	MaxSubIDLength   int  `json:"max_subid_length"`
	MaxEventTags     int  `json:"max_event_tags"`
	MaxContentLength int  `json:"max_content_length"`
	MinPowDifficulty int  `json:"min_pow_difficulty"`
	AuthRequired     bool `json:"auth_required"`
	PaymentRequired  bool `json:"payment_required"`
	RestrictedWrites bool `json:"restricted_writes"`
}

// ChainInfo names the network a relay serves, so a light node sends its
// first HELLO on the right one.
type ChainInfo struct {
	Network string `json:"network"`
	Genesis string `json:"genesis"`
}
