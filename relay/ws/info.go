package ws

import (
	"encoding/json"
	"mime"
	"net/http"
	"strings"
)

// Info is the NIP-11 relay information document.
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

// ChainInfo names the network a relay is a node of.
type ChainInfo struct {
	Network string `json:"network"`
	Genesis string `json:"genesis"`
}

// InfoHandler serves info to requests that accept application/nostr+json
// (NIP-11) and passes every other request to next (404 if nil), so it wraps
// whatever else is mounted at the same path. It answers CORS preflights
// for the document, which browsers send before fetching it.
func InfoHandler(info *Info, next http.Handler) http.Handler {
	body, err := json.Marshal(info)
	if err != nil {
		panic("ws: info document does not encode: " + err.Error()) // static data
	}
	if next == nil {
		next = http.NotFoundHandler()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", "*")
			h.Set("Access-Control-Allow-Headers", "Accept")
			h.Set("Access-Control-Allow-Methods", "GET")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if (r.Method != http.MethodGet && r.Method != http.MethodHead) || !wantsInfo(r) {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/nostr+json")
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Vary", "Accept")
		w.Write(body)
	})
}

// wantsInfo reports whether the Accept header lists application/nostr+json.
func wantsInfo(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept") {
		for _, part := range strings.Split(v, ",") {
			if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == "application/nostr+json" {
				return true
			}
		}
	}
	return false
}
