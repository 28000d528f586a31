package web

import (
	"context"
	"encoding/hex"
	"errors"
	"net/http"

	"postwork/chain"
	"postwork/chain/nostr"
	"postwork/ui"
)

func (h *Handler) post(w http.ResponseWriter, r *http.Request) {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		h.fail(w, r, badRequest("Not a post id", err))
		return
	}
	ctx := r.Context()
	rec, err := h.src.Post(ctx, id)
	if err != nil {
		h.fail(w, r, sourceError(err, "Post not found", "This node has not seen a post with id "+hex.EncodeToString(id[:])+
			". It may exist on another node and not have reached this one yet."))
		return
	}
	if rec.Event == nil {
		h.fail(w, r, sourceError(errors.New("web: source returned a post without its event"), "", ""))
		return
	}
	v, perr := h.postView(ctx, rec)
	if perr != nil {
		h.fail(w, r, perr)
		return
	}
	title := "Post by " + ui.Short(v.Author)
	if v.AuthorName != "" {
		title = "Post by " + v.AuthorName
	}
	h.render(w, r, http.StatusOK, ui.PostPage(h.page(title, ui.SectionNone), v))
}

func (h *Handler) postView(ctx context.Context, rec Post) (ui.PostView, *pageError) {
	ev := rec.Event
	v := ui.PostView{
		ID:        hex.EncodeToString(ev.ID[:]),
		Author:    nostr.EncodeNpub(ev.PubKey),
		AuthorHex: hex.EncodeToString(ev.PubKey[:]),
		Time:      unix(ev.CreatedAt),
		Kind:      ev.Kind,
		Content:   ev.Content,
		Tags:      tagViews(ev.Tags),
		Sig:       hex.EncodeToString(ev.Sig[:]),
		SigValid:  ev.Verify() == nil,
		Bits:      nostr.LeadingZeroBits(ev.ID),
		Target:    -1,
		Pending:   !rec.Confirmed,
	}
	if t, ok := ev.CommittedTarget(); ok {
		v.Target = t
	}
	profile, err := h.profile(ctx, ev.PubKey)
	if err != nil {
		return ui.PostView{}, sourceError(err, "", "")
	}
	v.AuthorName = profileName(profile)
	if !rec.Confirmed {
		return v, nil
	}
	v.Block = rec.BlockHash.String()
	v.Height = rec.Height
	v.Confirmations = h.src.Confirmations(rec.BlockHash)
	b, err := h.src.Block(rec.BlockHash)
	if err != nil && !errors.Is(err, chain.ErrNotFound) {
		return ui.PostView{}, sourceError(err, "", "")
	}
	if err == nil {
		v.Proof = proveInclusion(b, ev, rec.Index)
	}
	return v, nil
}

// proveInclusion builds the Merkle proof of ev in b and checks it against
// b's header, as a light node would. index is where the store says ev is;
// it is searched for if that is wrong.
func proveInclusion(b *chain.Block, ev *nostr.Event, index int) ui.ProofView {
	pv := ui.ProofView{Checked: true, Leaves: len(b.Events) + 1, Root: b.Header.Merkle.String()}
	if index < 0 || index >= len(b.Events) || b.Events[index].ID != ev.ID {
		index = -1
		for i, e := range b.Events {
			if e.ID == ev.ID {
				index = i
				break
			}
		}
	}
	if index < 0 {
		pv.Error = "the block does not contain this post"
		return pv
	}
	pv.Index = index + 1 // the coinbase is leaf 0
	proof, err := b.ProveEvent(index)
	if err != nil {
		pv.Error = err.Error()
		return pv
	}
	pv.Hashes = len(proof)
	if err := chain.VerifyEventProof(&b.Header, b.Events[index], pv.Index, pv.Leaves, proof); err != nil {
		pv.Error = err.Error()
		return pv
	}
	pv.Valid = true
	return pv
}

// profile returns the latest kind-0 profile of pub; Found is false when it
// published none.
func (h *Handler) profile(ctx context.Context, pub [32]byte) (ui.ProfileView, error) {
	recs, err := h.src.Posts(ctx, pub, []int{0}, 1)
	if err != nil && !errors.Is(err, chain.ErrNotFound) {
		return ui.ProfileView{}, err
	}
	for _, rec := range recs {
		if rec.Event != nil && rec.Event.Kind == 0 {
			return parseProfile(rec.Event), nil
		}
	}
	return ui.ProfileView{}, nil
}
