package web

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"net/http"

	"postwork/chain"
	"postwork/ui"
)

// What the explorer shows.
const (
	recentBlocks   = 10 // blocks listed, newest first
	recentPosts    = 10 // posts listed, from those blocks
	estimateWindow = 60 // blocks the interval and hashrate average over
)

func (h *Handler) explorer(w http.ResponseWriter, r *http.Request) {
	v, err := h.explorerView(r.Context())
	if err != nil {
		h.fail(w, r, sourceError(err, "", ""))
		return
	}
	p := h.page("Explorer", ui.SectionExplorer)
	p.Live = true
	h.render(w, r, http.StatusOK, ui.ExplorerPage(p, v))
}

func (h *Handler) explorerView(ctx context.Context) (ui.ExplorerView, error) {
	params, tip := h.src.Params(), h.src.Tip()
	mp, err := h.src.Mempool(ctx, 0)
	if err != nil {
		return ui.ExplorerView{}, err
	}
	v := ui.ExplorerView{
		Tip:           headerSummary(&tip.Header),
		Difficulty:    difficulty(params, tip.Header.Bits),
		TargetSpacing: params.TargetSpacing,
		MempoolCount:  mp.Count,
		MempoolBytes:  mp.Bytes,
		Version:       liveVersion(tip.Hash, mp),
	}
	v.Interval, v.Hashrate, v.Window = estimate(h.src, tip.Header, estimateWindow)
	v.Hashrate = finite(v.Hashrate)
	for i := uint64(0); i < recentBlocks && i <= tip.Header.Height; i++ {
		hd, ok := h.src.HeaderAt(tip.Header.Height - i)
		if !ok {
			break // the chain reorganised under us; show what we have
		}
		b, err := h.src.Block(hd.Hash())
		if errors.Is(err, chain.ErrNotFound) {
			v.RecentBlocks = append(v.RecentBlocks, headerSummary(&hd))
			continue
		}
		if err != nil {
			return ui.ExplorerView{}, err
		}
		v.RecentBlocks = append(v.RecentBlocks, blockSummary(b))
		for j := len(b.Events) - 1; j >= 0 && len(v.RecentPosts) < recentPosts; j-- {
			v.RecentPosts = append(v.RecentPosts, postSummary(b.Events[j], true, hd.Height))
		}
	}
	if len(v.RecentBlocks) > 0 && v.RecentBlocks[0].Hash == v.Tip.Hash {
		v.Tip = v.RecentBlocks[0]
	}
	return v, nil
}

// liveVersion identifies what the live parts of the explorer and mempool
// pages show: it changes when the tip or the mempool's size does. A page
// carries it, and a live stream sends an update only when it differs. Two
// mempools of the same count and bytes share a version: the next change of
// either refreshes the page.
func liveVersion(tip chain.Hash, mp Mempool) string {
	var b [32 + 16]byte
	copy(b[:], tip[:])
	binary.LittleEndian.PutUint64(b[32:], uint64(mp.Count))
	binary.LittleEndian.PutUint64(b[40:], uint64(mp.Bytes))
	sum := sha256.Sum256(b[:])
	return hex.EncodeToString(sum[:8])
}
