package web

import (
	"context"
	"encoding/hex"
	"net/http"

	"postwork/chain/nostr"
	"postwork/ui"
)

// authorPosts is how many posts an author page lists.
const authorPosts = 50

func (h *Handler) author(w http.ResponseWriter, r *http.Request) {
	pub, canonical, err := parseAuthor(r.PathValue("key"))
	if err != nil {
		h.fail(w, r, badRequest("Not an npub", err))
		return
	}
	if !canonical {
		// A hex key or an upper-case npub: one page, one address.
		http.Redirect(w, r, string(ui.AuthorURL(nostr.EncodeNpub(pub))), http.StatusMovedPermanently)
		return
	}
	v, err := h.authorView(r.Context(), pub)
	if err != nil {
		h.fail(w, r, sourceError(err, "", ""))
		return
	}
	title := profileName(v.Profile)
	if title == "" {
		title = "Author " + ui.Short(v.Npub)
	}
	h.render(w, r, http.StatusOK, ui.AuthorPage(h.page(title, ui.SectionNone), v))
}

// authorView shows any valid key, even one the node has never seen: a key
// needs no registration, so "no posts yet" is the true answer, not a 404.
func (h *Handler) authorView(ctx context.Context, pub [32]byte) (ui.AuthorView, error) {
	v := ui.AuthorView{Npub: nostr.EncodeNpub(pub), Hex: hex.EncodeToString(pub[:])}
	var err error
	if v.Profile, err = h.profile(ctx, pub); err != nil {
		return v, err
	}
	// One more than shown tells whether there are more; profiles (kind 0)
	// are shown above, not in the list.
	posts, err := h.src.Posts(ctx, pub, nil, authorPosts+1)
	if err != nil {
		return v, err
	}
	kept := posts[:0]
	for _, p := range posts {
		if p.Event != nil && p.Event.Kind != 0 {
			kept = append(kept, p)
		}
	}
	if len(kept) > authorPosts {
		kept, v.MorePosts = kept[:authorPosts], true
	}
	v.Posts = postSummaries(kept)
	if v.RewardTotal, v.RewardBlocks, err = h.src.Balance(ctx, pub); err != nil {
		return v, err
	}
	return v, nil
}
