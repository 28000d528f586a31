package lightnode

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// MaxInfoSize bounds a NIP-11 document the node reads.
const MaxInfoSize = 64 << 10

// RelayInfo is what the light node takes from a relay's NIP-11 document:
// the network its chain is on (postwork's "postwork" member) and the NIP-13
// work it asks of posts. A relay without the member is a plain Nostr relay.
type RelayInfo struct {
	Network string
	Genesis string
	MinPoW  int
}

// ParseInfo reads a NIP-11 document, bounded and lenient about members it
// does not use.
func ParseInfo(body []byte) (RelayInfo, error) {
	if len(body) > MaxInfoSize {
		return RelayInfo{}, fmt.Errorf("relay information document of %d bytes, limit %d", len(body), MaxInfoSize)
	}
	var doc struct {
		Limitation struct {
			MinPoW int `json:"min_pow_difficulty"`
		} `json:"limitation"`
		Postwork *struct {
			Network string `json:"network"`
			Genesis string `json:"genesis"`
		} `json:"postwork"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return RelayInfo{}, fmt.Errorf("relay information document: %w", err)
	}
	info := RelayInfo{MinPoW: doc.Limitation.MinPoW}
	if info.MinPoW < 0 || info.MinPoW > 256 {
		return RelayInfo{}, fmt.Errorf("relay information document: min_pow_difficulty %d out of range", info.MinPoW)
	}
	if doc.Postwork != nil {
		info.Network, info.Genesis = doc.Postwork.Network, doc.Postwork.Genesis
	}
	return info, nil
}

// InfoURL is where a relay at a ws:// or wss:// URL serves its NIP-11
// document: the same address over http:// or https://.
func InfoURL(relay string) (string, error) {
	u, err := url.Parse(relay)
	if err != nil {
		return "", err
	}
	switch strings.ToLower(u.Scheme) {
	case "ws":
		u.Scheme = "http"
	case "wss":
		u.Scheme = "https"
	default:
		return "", errors.New("relay address must start with ws:// or wss://")
	}
	return u.String(), nil
}
