package api

import (
	"encoding/hex"
	"math/big"
	"net/http"

	"postwork/chain"
	"postwork/chain/nostr"
)

// Bounds of GET /api/blocks.
const (
	DefaultBlocks = 20
	MaxBlocks     = 500
)

type tipView struct {
	Height uint64 `json:"height"`
	Hash   string `json:"hash"`
	Work   string `json:"work"` // cumulative work, hexadecimal
	Time   int64  `json:"time"`
	Bits   string `json:"bits"`
}

func workString(w *big.Int) string {
	if w == nil {
		return "0"
	}
	return w.Text(16)
}

// GET /api/tip
func (h *Handler) tip(w http.ResponseWriter, r *http.Request) {
	if _, f := parseQuery(r.URL.RawQuery); f != nil {
		h.fail(w, r, f)
		return
	}
	t := h.node.Tip()
	writeJSON(w, http.StatusOK, tipView{
		Height: t.Header.Height,
		Hash:   t.Hash.String(),
		Work:   workString(t.Work),
		Time:   t.Header.Time,
		Bits:   bitsString(t.Header.Bits),
	})
}

// headerView is a header with its hash and place. Nonce is a decimal
// string: a 64-bit number a JavaScript client would round.
type headerView struct {
	Height        uint64 `json:"height"`
	Hash          string `json:"hash"`
	Version       uint32 `json:"version"`
	Prev          string `json:"prev"`
	Merkle        string `json:"merkle"`
	Time          int64  `json:"time"`
	Bits          string `json:"bits"`
	Nonce         uint64 `json:"nonce,string"`
	Confirmations uint64 `json:"confirmations"`
}

func (h *Handler) headerView(hd *chain.Header) headerView {
	hash := hd.Hash()
	return headerView{
		Height:        hd.Height,
		Hash:          hash.String(),
		Version:       hd.Version,
		Prev:          hd.Prev.String(),
		Merkle:        hd.Merkle.String(),
		Time:          hd.Time,
		Bits:          bitsString(hd.Bits),
		Nonce:         hd.Nonce,
		Confirmations: h.node.Confirmations(hash),
	}
}

// GET /api/blocks?from=H&limit=N: the best chain's headers from height H
// up, or the last N up to the tip without from.
func (h *Handler) blocks(w http.ResponseWriter, r *http.Request) {
	q, f := parseQuery(r.URL.RawQuery, "from", "limit")
	if f != nil {
		h.fail(w, r, f)
		return
	}
	limit, f := q.uint("limit", DefaultBlocks, 1, MaxBlocks)
	if f != nil {
		h.fail(w, r, f)
		return
	}
	tip := h.node.Tip().Header.Height
	from := uint64(0)
	if tip+1 > limit {
		from = tip + 1 - limit
	}
	if from, f = q.uint("from", from, 0, 1<<63); f != nil {
		h.fail(w, r, f)
		return
	}
	out := struct {
		Tip    uint64       `json:"tip"`
		Blocks []headerView `json:"blocks"`
	}{Tip: tip, Blocks: []headerView{}}
	for height := from; height <= tip && uint64(len(out.Blocks)) < limit; height++ {
		hd, ok := h.node.HeaderAt(height)
		if !ok {
			break // the chain got shorter meanwhile
		}
		out.Blocks = append(out.Blocks, h.headerView(&hd))
	}
	writeJSON(w, http.StatusOK, out)
}

type coinbaseView struct {
	PubKey string `json:"pubkey"`
	Npub   string `json:"npub"`
	Reward uint64 `json:"reward"` // in units of 10^-8 coin
	Extra  string `json:"extra"`  // hexadecimal
}

type blockView struct {
	headerView
	// BestChain is false for a block of a side branch.
	BestChain bool `json:"best_chain"`
	// HasBody is false while the body has not been downloaded; Coinbase
	// and Posts are then null.
	HasBody  bool           `json:"has_body"`
	Size     int            `json:"size"` // encoded body bytes
	Coinbase *coinbaseView  `json:"coinbase"`
	Posts    []*nostr.Event `json:"posts"`
}

// GET /api/blocks/{ref}: ref is a best-chain height or a block hash.
func (h *Handler) block(w http.ResponseWriter, r *http.Request) {
	if _, f := parseQuery(r.URL.RawQuery); f != nil {
		h.fail(w, r, f)
		return
	}
	ref, f := parseBlockRef(r.PathValue("ref"))
	if f != nil {
		h.fail(w, r, f)
		return
	}
	var hd chain.Header
	var ok bool
	if ref.isHash {
		if hd, ok = h.node.HeaderByHash(ref.hash); !ok {
			h.fail(w, r, notFound("no block with hash %s", hexString(ref.hash)))
			return
		}
	} else if hd, ok = h.node.HeaderAt(ref.height); !ok {
		h.fail(w, r, notFound("no block at height %d; the tip is at %d", ref.height, h.node.Tip().Header.Height))
		return
	}
	v := blockView{headerView: h.headerView(&hd)}
	v.BestChain = v.Confirmations > 0
	b, err := h.node.Block(hd.Hash())
	switch {
	case err == nil:
		v.HasBody = true
		v.Size = len(b.EncodeBody())
		v.Coinbase = &coinbaseView{
			PubKey: hexString(b.Coinbase.PubKey),
			Npub:   nostr.EncodeNpub(b.Coinbase.PubKey),
			Reward: b.Coinbase.Reward,
			Extra:  hex.EncodeToString(b.Coinbase.Extra),
		}
		v.Posts = b.Events
		if v.Posts == nil {
			v.Posts = []*nostr.Event{}
		}
	case !isNotFound(err):
		h.fail(w, r, nodeFailure(err, ""))
		return
	}
	writeJSON(w, http.StatusOK, v)
}
