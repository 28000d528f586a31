package web

import (
	"net/http"

	"postwork/ui"
)

func (h *Handler) status(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	st, err := h.src.Status(ctx)
	if err != nil {
		h.fail(w, r, sourceError(err, "", ""))
		return
	}
	peers, err := h.src.Peers(ctx)
	if err != nil {
		h.fail(w, r, sourceError(err, "", ""))
		return
	}
	mp, err := h.src.Mempool(ctx, 0)
	if err != nil {
		h.fail(w, r, sourceError(err, "", ""))
		return
	}
	params, tip := h.src.Params(), h.src.Tip()
	v := ui.StatusView{
		Version:      st.Version,
		Network:      params.Name,
		Genesis:      params.GenesisHash().String(),
		Started:      st.Started.UTC(),
		StorageBytes: st.StorageBytes,
		TipHeight:    tip.Header.Height,
		TipHash:      tip.Hash.String(),
		TipTime:      unix(tip.Header.Time),
		HeaderHeight: max(st.HeaderHeight, tip.Header.Height),
		Peers:        len(peers),
		MempoolCount: mp.Count,
		Mining:       st.Mining,
		Hashrate:     finite(st.Hashrate),
	}
	if !st.Started.IsZero() {
		v.Uptime = max(h.now().Sub(st.Started), 0)
	}
	h.render(w, r, http.StatusOK, ui.StatusPage(h.page("Status", ui.SectionStatus), v))
}
