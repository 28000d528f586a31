package web

import (
	"net/http"

	"postwork/ui"
)

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
