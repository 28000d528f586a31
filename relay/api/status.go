package api

import (
	"fmt"
	"net/http"

	"postwork/chain"
	"postwork/chain/nostr"
)

// Bounds of GET /api/mempool.
const (
	DefaultMempool = 100
	MaxMempool     = 500
)

// GET /api/mempool?limit=N: the pool's size and its best N posts.
func (h *Handler) mempool(w http.ResponseWriter, r *http.Request) {
	q, f := parseQuery(r.URL.RawQuery, "limit")
	if f != nil {
		h.fail(w, r, f)
		return
	}
	limit, f := q.uint("limit", DefaultMempool, 0, MaxMempool)
	if f != nil {
		h.fail(w, r, f)
		return
	}
	m := h.node.Mempool(int(limit))
	posts := m.Posts
	if posts == nil {
		posts = []*nostr.Event{}
	}
	writeJSON(w, http.StatusOK, struct {
		Count  int            `json:"count"`
		Bytes  int            `json:"bytes"`
		MinPoW int            `json:"min_pow"`
		Posts  []*nostr.Event `json:"posts"`
	}{m.Count, m.Bytes, h.node.MinPoW(), posts})
}

// GET /api/peers
func (h *Handler) peers(w http.ResponseWriter, r *http.Request) {
	if _, f := parseQuery(r.URL.RawQuery); f != nil {
		h.fail(w, r, f)
		return
	}
	peers := h.node.Peers()
	if peers == nil {
		peers = []Peer{}
	}
	writeJSON(w, http.StatusOK, struct {
		Peers    []Peer  `json:"peers"`
		Hashrate float64 `json:"hashrate"`
	}{peers, h.node.Hashrate()})
}

// GET /api/balance/{key}: what an npub or hex key earned by mining.
func (h *Handler) balance(w http.ResponseWriter, r *http.Request) {
	if _, f := parseQuery(r.URL.RawQuery); f != nil {
		h.fail(w, r, f)
		return
	}
	key, f := parseKey(r.PathValue("key"))
	if f != nil {
		h.fail(w, r, f)
		return
	}
	reward, blocks, err := h.node.Balance(r.Context(), key)
	if err != nil {
		h.fail(w, r, nodeFailure(err, ""))
		return
	}
	writeJSON(w, http.StatusOK, struct {
		PubKey string `json:"pubkey"`
		Npub   string `json:"npub"`
		Reward uint64 `json:"reward"` // units of 10^-8 coin
		Coins  string `json:"coins"`
		Blocks int    `json:"blocks"`
	}{hexString(key), nostr.EncodeNpub(key), reward, coins(reward), blocks})
}

// coins formats units as a decimal number of coins, all eight places.
func coins(units uint64) string {
	return fmt.Sprintf("%d.%08d", units/chain.CoinUnits, units%chain.CoinUnits)
}

// GET /healthz: 200 while the node serves, with what an operator checks
// first.
func (h *Handler) healthz(w http.ResponseWriter, r *http.Request) {
	tip := h.node.Tip()
	writeJSON(w, http.StatusOK, struct {
		Status  string `json:"status"`
		Network string `json:"network"`
		Height  uint64 `json:"height"`
		Peers   int    `json:"peers"`
	}{"ok", h.node.Params().Name, tip.Header.Height, len(h.node.Peers())})
}
