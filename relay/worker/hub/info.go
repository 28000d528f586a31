package hub

import (
	"encoding/json"

	"postwork/relay"
)

func (h *Hub) makeInfo() []byte {
	info := relay.Info{
		Name:          "postwork " + h.params.Name + " (worker)",
		Description:   "A postwork relay on Cloudflare Workers: Nostr posts with NIP-13 work, and a hub for the headers and recent blocks of the full nodes connected to it.",
		SupportedNIPs: []int{1, 11, 13},
		Software:      Software,
		Version:       Version,
		Limitation:    h.cfg.Limits.Limitation(h.minPoW),
		Postwork:      &relay.ChainInfo{Network: h.params.Name, Genesis: h.params.GenesisHash().String()},
	}
	b, err := json.Marshal(info)
	if err != nil {
		panic("hub: info document does not encode: " + err.Error()) // static data
	}
	return b
}

// Info is the NIP-11 document, encoded.
func (h *Hub) Info() []byte { return h.info }
