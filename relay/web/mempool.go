package web

import (
	"context"
	"net/http"

	"postwork/ui"
)

// mempoolShown is how many pending posts /mempool lists.
const mempoolShown = 100

func (h *Handler) mempool(w http.ResponseWriter, r *http.Request) {
	v, err := h.mempoolView(r.Context())
	if err != nil {
		h.fail(w, r, sourceError(err, "", ""))
		return
	}
	p := h.page("Mempool", ui.SectionMempool)
	p.Live = true
	h.render(w, r, http.StatusOK, ui.MempoolPage(p, v))
}

func (h *Handler) mempoolView(ctx context.Context) (ui.MempoolView, error) {
	tip := h.src.Tip()
	mp, err := h.src.Mempool(ctx, mempoolShown)
	if err != nil {
		return ui.MempoolView{}, err
	}
	v := ui.MempoolView{Count: mp.Count, Bytes: mp.Bytes, MinBits: mp.MinBits, Version: liveVersion(tip.Hash, mp)}
	for i, ev := range mp.Posts {
		if i == mempoolShown {
			break
		}
		v.Posts = append(v.Posts, postSummary(ev, false, 0))
	}
	return v, nil
}
