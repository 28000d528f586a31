package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/a-h/templ"

	"postwork/ui"
)

// Live stream framing.
const (
	streamRetry     = 5 * time.Second  // the reconnect delay a browser is told
	streamHeartbeat = 25 * time.Second // a comment line keeps proxies from timing out
	streamWrite     = 10 * time.Second // deadline of each write
	maxVersion      = 64               // bytes of a version a client may send back
)

// events is /events?topic=explorer|mempool&v=VERSION: a server-sent event
// stream of "update" events, each the new HTML of the page's live part,
// rendered by the same component as the page, with the part's version as
// its id. v (or Last-Event-ID when the browser reconnects) is the version
// the client shows, so nothing is sent until something changes.
//
// It runs on the request's goroutine until the client leaves, the stream's
// lifetime ends, Close is called, or a write fails.
func (h *Handler) events(w http.ResponseWriter, r *http.Request) {
	query := r.URL.Query()
	topic := query.Get("topic")
	if topic != "explorer" && topic != "mempool" {
		http.Error(w, "bad topic: want explorer or mempool", http.StatusBadRequest)
		return
	}
	shown := r.Header.Get("Last-Event-ID")
	if shown == "" {
		shown = query.Get("v")
	}
	if len(shown) > maxVersion {
		http.Error(w, "version too long", http.StatusBadRequest)
		return
	}
	select {
	case <-h.done:
		http.Error(w, "live updates are shutting down", http.StatusServiceUnavailable)
		return
	default:
	}
	select {
	case h.streams <- struct{}{}:
		defer func() { <-h.streams }()
	default:
		w.Header().Set("Retry-After", "60")
		http.Error(w, "too many live streams; the page is still correct, reload it to refresh", http.StatusServiceUnavailable)
		return
	}

	ctx := r.Context()
	rc := http.NewResponseController(w)
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-cache")
	hd.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	hd.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	if !h.send(w, rc, fmt.Sprintf("retry: %d\n\n", streamRetry.Milliseconds())) {
		return
	}

	lifetime := time.NewTimer(h.life)
	defer lifetime.Stop()
	poll := time.NewTicker(h.poll)
	defer poll.Stop()
	heartbeat := time.NewTicker(streamHeartbeat)
	defer heartbeat.Stop()
	for {
		wake := h.wakeup() // before looking, so a change while we look is not missed
		version, fragment, err := h.live(ctx, topic, shown)
		if err != nil {
			if ctx.Err() == nil {
				h.log.Error("web: live update failed", "topic", topic, "err", err)
			}
			return // the browser reconnects after retry
		}
		if fragment != nil {
			if !h.send(w, rc, sseEvent("update", version, fragment)) {
				return
			}
			shown = version
		}
		select {
		case <-ctx.Done():
			return
		case <-h.done:
			return
		case <-lifetime.C:
			return
		case <-heartbeat.C:
			if !h.send(w, rc, ": keep-alive\n\n") {
				return
			}
		case <-poll.C:
		case <-wake:
		}
	}
}

// live returns the version of topic's live part and, when it differs from
// shown, its HTML.
func (h *Handler) live(ctx context.Context, topic, shown string) (string, []byte, error) {
	tip := h.src.Tip()
	mp, err := h.src.Mempool(ctx, 0)
	if err != nil {
		return "", nil, err
	}
	version := liveVersion(tip.Hash, mp)
	if version == shown {
		return version, nil, nil
	}
	var c templ.Component
	switch topic {
	case "explorer":
		v, err := h.explorerView(ctx)
		if err != nil {
			return "", nil, err
		}
		version, c = v.Version, ui.ExplorerLive(v)
	default:
		v, err := h.mempoolView(ctx)
		if err != nil {
			return "", nil, err
		}
		version, c = v.Version, ui.MempoolLive(v)
	}
	var buf bytes.Buffer
	if err := c.Render(ctx, &buf); err != nil {
		return "", nil, err
	}
	return version, buf.Bytes(), nil
}

// send writes one chunk of the stream and flushes it.
func (h *Handler) send(w io.Writer, rc *http.ResponseController, s string) bool {
	// A server WriteTimeout would cut the stream: each write gets its own
	// deadline instead. Writers without deadlines (tests) report
	// ErrNotSupported, which is fine.
	_ = rc.SetWriteDeadline(time.Now().Add(streamWrite))
	if _, err := io.WriteString(w, s); err != nil {
		return false
	}
	return rc.Flush() == nil
}

// sseEvent frames data as one event. Every line break the data holds (CR,
// LF or CRLF, which all end a line of the stream) starts a new data line, so
// nothing in it (a post's text, say) can end the event or add a field; the
// browser joins the lines with LF.
func sseEvent(name, id string, data []byte) string {
	var b strings.Builder
	b.WriteString("event: " + name + "\n")
	b.WriteString("id: " + id + "\n")
	s := strings.ReplaceAll(string(data), "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	for _, line := range strings.Split(s, "\n") {
		b.WriteString("data: ")
		b.WriteString(line)
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	return b.String()
}
