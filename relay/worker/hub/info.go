package hub

import (
	"encoding/json"

	"postwork/chain/nostr"
	"postwork/chain/wire"
)

// Info is the NIP-11 relay information document, the same fields as
// relay/ws.Info (which this package does not import: it would bring
// gorilla/websocket and net/http into the worker's wasm).
type Info struct {
	Name          string     `json:"name,omitempty"`
	Description   string     `json:"description,omitempty"`
	SupportedNIPs []int      `json:"supported_nips"`
	Software      string     `json:"software"`
	Version       string     `json:"version"`
	Limitation    Limitation `json:"limitation"`
	Postwork      *ChainInfo `json:"postwork,omitempty"`
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

// ChainInfo names the network the relay serves, so a light node sends its
// first HELLO on the right one.
type ChainInfo struct {
	Network string `json:"network"`
	Genesis string `json:"genesis"`
}

func (h *Hub) makeInfo() []byte {
	l := h.cfg.Limits
	info := Info{
		Name:          "postwork " + h.params.Name + " (worker)",
		Description:   "A postwork relay on Cloudflare Workers: Nostr posts with NIP-13 work, and a hub for the headers and recent blocks of the full nodes connected to it.",
		SupportedNIPs: []int{1, 11, 13},
		Software:      Software,
		Version:       Version,
		Limitation: Limitation{
			MaxMessageLength: l.MaxMessageSize,
			MaxSubscriptions: l.MaxSubscriptions,
			MaxFilters:       l.MaxFilters,
			MaxLimit:         l.QueryLimit,
			MaxSubIDLength:   wire.MaxSubIDLength,
			MaxEventTags:     nostr.MaxTags,
			MaxContentLength: nostr.MaxContentSize,
			MinPowDifficulty: h.minPoW,
		},
		Postwork: &ChainInfo{Network: h.params.Name, Genesis: h.params.GenesisHash().String()},
	}
	b, err := json.Marshal(info)
	if err != nil {
		panic("hub: info document does not encode: " + err.Error()) // static data
	}
	return b
}

// Info is the NIP-11 document, encoded.
func (h *Hub) Info() []byte { return h.info }
