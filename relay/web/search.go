package web

import (
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"postwork/chain"
	"postwork/chain/nostr"
	"postwork/ui"
)

// search sends the search box to the page of what it names: a height or
// block hash to the block, a post id to the post, an npub or public key to
// the author. What is malformed gets a 400 page and what is not known a 404
// page, both with the query still in the box.
func (h *Handler) search(w http.ResponseWriter, r *http.Request) {
	raw := r.URL.Query().Get("q")
	q, err := parseQuery(raw)
	if err != nil {
		e := badRequest("Search not understood", err)
		if errors.Is(err, errEmpty) {
			e.message = "Type a block height, a block hash, a post id or an npub."
		}
		e.query = clip(raw)
		h.fail(w, r, e)
		return
	}
	target, perr := h.resolve(r, q)
	if perr != nil {
		perr.query = clip(raw)
		h.fail(w, r, perr)
		return
	}
	http.Redirect(w, r, string(target), http.StatusSeeOther)
}

func (h *Handler) resolve(r *http.Request, q searchQuery) (string, *pageError) {
	switch q.kind {
	case queryHeight:
		if _, ok := h.src.HeaderAt(q.height); !ok {
			tip := h.src.Tip().Header.Height
			return "", notFound("No such block", "The best chain has no block at height "+
				strconv.FormatUint(q.height, 10)+": it ends at height "+strconv.FormatUint(tip, 10)+".")
		}
		return string(ui.HeightURL(q.height)), nil
	case queryNpub:
		return string(ui.AuthorURL(nostr.EncodeNpub(q.hex))), nil
	}
	// 64 hex characters: a block, a post or an author, in that order.
	id := hex.EncodeToString(q.hex[:])
	if _, ok := h.src.HeaderByHash(chain.Hash(q.hex)); ok {
		return string(ui.BlockURL(id)), nil
	}
	ctx := r.Context()
	_, err := h.src.Post(ctx, q.hex)
	if err == nil {
		return string(ui.PostURL(id)), nil
	}
	if !errors.Is(err, chain.ErrNotFound) {
		return "", sourceError(err, "", "")
	}
	posts, err := h.src.Posts(ctx, q.hex, nil, 1)
	if err != nil && !errors.Is(err, chain.ErrNotFound) {
		return "", sourceError(err, "", "")
	}
	_, blocks, err := h.src.Balance(ctx, q.hex)
	if err != nil && !errors.Is(err, chain.ErrNotFound) {
		return "", sourceError(err, "", "")
	}
	if len(posts) > 0 || blocks > 0 {
		return string(ui.AuthorURL(nostr.EncodeNpub(q.hex))), nil
	}
	return "", notFound("Nothing found", "This node knows no block, post or author with id "+id+".")
}

// clip bounds what is echoed back into the search box.
func clip(s string) string {
	if len(s) > maxParam {
		s = s[:maxParam]
	}
	return strings.ToValidUTF8(s, "")
}
