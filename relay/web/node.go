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

func (h *Handler) peers(w http.ResponseWriter, r *http.Request) {
	peers, err := h.src.Peers(r.Context())
	if err != nil {
		h.fail(w, r, sourceError(err, "", ""))
		return
	}
	var v ui.PeersView
	for _, p := range peers {
		v.Peers = append(v.Peers, ui.PeerView{Addr: p.Addr, Agent: p.Agent, Inbound: p.Inbound, Height: p.Height, Since: p.Since.UTC()})
	}
	h.render(w, r, http.StatusOK, ui.PeersPage(h.page("Peers", ui.SectionPeers), v))
}

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
