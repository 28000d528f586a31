package ws

import (
	"encoding/json"
	"mime"
	"net/http"
	"strings"

	"postwork/relay"
)

// InfoHandler serves info to requests that accept application/nostr+json
// (NIP-11) and passes every other request to next (404 if nil), so it wraps
// whatever else is mounted at the same path. It answers CORS preflights
// for the document, which browsers send before fetching it.
func InfoHandler(info *relay.Info, next http.Handler) http.Handler {
	body, err := json.Marshal(info)
	if err != nil {
		panic("ws: info document does not encode: " + err.Error()) // static data
	}
	if next == nil {
		next = http.NotFoundHandler()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", "*")
			h.Set("Access-Control-Allow-Headers", "Accept")
			h.Set("Access-Control-Allow-Methods", "GET")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if (r.Method != http.MethodGet && r.Method != http.MethodHead) || !wantsInfo(r) {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/nostr+json")
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Vary", "Accept")
		w.Write(body)
	})
}

// wantsInfo reports whether the Accept header lists application/nostr+json.
func wantsInfo(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept") {
		for _, part := range strings.Split(v, ",") {
			if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == "application/nostr+json" {
				return true
			}
		}
	}
	return false
}
