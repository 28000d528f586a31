package main

import (
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"

	"postwork/relay"
	"postwork/relay/api"
	"postwork/relay/app"
	"postwork/relay/metrics"
	"postwork/relay/node"
	"postwork/relay/web"
)

// nodeHTTP is everything a node serves over HTTP besides the relay.
type nodeHTTP struct {
	handler http.Handler
	pages   *web.Handler // Close it when the server shuts down
}

// newNodeHTTP builds the node's routes on one mux:
//
//	/ws                   the relay (WebSocket; NIP-11 on a plain GET)
//	/                     the light-node page and its assets from site
//	                      (NIP-11 for Accept: application/nostr+json);
//	                      without the page, a redirect to /explorer
//	/explorer, /block/... the pages of relay/web; their 404 page for any
//	                      other path
//	/api/..., /healthz    the JSON API
//	/chain, /mine, ...    the tutorials' endpoints
//	/metrics              Prometheus
//
// Posts answered over the relay and the API are counted in the metrics.
// It must run before the server starts: it adds relay hooks.
func newNodeHTTP(n *node.Node, key *btcec.PrivateKey, site string, log *slog.Logger) nodeHTTP {
	m := metrics.New(n, n.Params().Name, node.Version)
	pages := web.New(n.Pages(time.Now()), web.Options{Logger: log})
	n.Relay().OnEventResult = append(n.Relay().OnEventResult, func(_ *relay.Client, _ [32]byte, accepted bool, reason string) {
		m.ObservePost(accepted, reason)
		if accepted && reason == "" {
			pages.Notify()
		}
	})
	apiH := api.New(n.API(), api.Options{
		Key:    key,
		Logger: log,
		OnPost: func(accepted bool, reason string) {
			m.ObservePost(accepted, reason)
			if accepted && reason == "" {
				pages.Notify()
			}
		},
	})

	var page *app.Handler
	if site != "" {
		var err error
		if page, err = app.New(os.DirFS(site)); err != nil {
			log.Warn("the light-node page is not served", "site", site, "err", err)
		}
	}
	root := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case page != nil && (r.URL.Path == "/" || r.URL.Path == "/index.html" || page.Version(r.URL.Path) != ""):
			page.ServeHTTP(w, r)
		case r.URL.Path == "/":
			http.Redirect(w, r, "/explorer", http.StatusSeeOther)
		default:
			pages.NotFound(w, r)
		}
	})

	mux := http.NewServeMux()
	mux.Handle("/ws", n.WebSocket())
	mux.Handle("/", n.InfoHandler(root))
	pages.Register(mux)
	apiH.Register(mux)
	mux.Handle("GET /metrics", m.Handler())
	return nodeHTTP{handler: mux, pages: pages}
}
