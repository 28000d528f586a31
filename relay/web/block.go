package web

import (
	"errors"
	"net/http"
	"strconv"

	"postwork/chain"
	"postwork/ui"
)

func (h *Handler) block(w http.ResponseWriter, r *http.Request) {
	ref, err := parseBlockRef(r.PathValue("ref"))
	if err != nil {
		h.fail(w, r, badRequest("Not a block height or hash", err))
		return
	}
	v, perr := h.blockView(ref)
	if perr != nil {
		h.fail(w, r, perr)
		return
	}
	title := "Block " + strconv.FormatUint(v.Height, 10)
	h.render(w, r, http.StatusOK, ui.BlockPage(h.page(title, ui.SectionNone), v))
}

func (h *Handler) blockView(ref blockRef) (ui.BlockView, *pageError) {
	var (
		hd chain.Header
		ok bool
	)
	if ref.isHash {
		if hd, ok = h.src.HeaderByHash(ref.hash); !ok {
			return ui.BlockView{}, notFound("Block not found", "This node knows no block with hash "+ref.hash.String()+".")
		}
	} else if hd, ok = h.src.HeaderAt(ref.height); !ok {
		tip := h.src.Tip().Header.Height
		return ui.BlockView{}, notFound("Block not found", "The best chain has no block at height "+
			strconv.FormatUint(ref.height, 10)+": it ends at height "+strconv.FormatUint(tip, 10)+".")
	}
	hash := hd.Hash()
	p := h.src.Params()
	v := ui.BlockView{
		Hash:          hash.String(),
		Height:        hd.Height,
		Version:       hd.Version,
		Merkle:        hd.Merkle.String(),
		Time:          unix(hd.Time),
		Bits:          hd.Bits,
		Nonce:         hd.Nonce,
		Difficulty:    difficulty(p, hd.Bits),
		MaxReward:     p.Reward(hd.Height),
		Confirmations: h.src.Confirmations(hash),
	}
	if hd.Height > 0 {
		v.Prev = hd.Prev.String()
	}
	if v.Confirmations > 0 {
		if next, ok := h.src.HeaderAt(hd.Height + 1); ok && next.Prev == hash {
			v.Child = next.Hash().String()
		}
	}
	b, err := h.src.Block(hash)
	if errors.Is(err, chain.ErrNotFound) {
		return v, nil // header only: its body has not arrived
	}
	if err != nil {
		return ui.BlockView{}, sourceError(err, "", "")
	}
	v.HasBody = true
	v.Miner = minerNpub(b.Coinbase.PubKey)
	v.Reward = b.Coinbase.Reward
	v.Extra, v.ExtraHex = coinbaseExtra(b.Coinbase.Extra)
	v.Size = chain.HeaderSize + len(b.EncodeBody())
	confirmed := v.Confirmations > 0
	for _, ev := range b.Events {
		v.Posts = append(v.Posts, postSummary(ev, confirmed, hd.Height))
	}
	return v, nil
}
