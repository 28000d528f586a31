package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"

	"postwork/chain"
)

// Options tune a Handler. Only Key has no usable zero value: without it
// POST /new_transaction answers 503.
type Options struct {
	// Key signs the posts of POST /new_transaction (the node's own key).
	Key *btcec.PrivateKey
	// OnPost is told the answer to each post submitted through the API or
	// /new_transaction: accepted, and the reason with its NIP-01 prefix
	// (for metrics). It must not block.
	OnPost func(accepted bool, reason string)
	// Now is the clock (created_at of tutorial posts); nil: time.Now.
	Now func() time.Time
	// Logger receives the node's own failures; nil: slog.Default().
	Logger *slog.Logger
	// Client makes register_with's call to the other node; nil: a client
	// with a 10 s timeout.
	Client *http.Client
	// SyncWait bounds how long register_with waits for the two nodes to
	// connect and sync; zero: 10 s.
	SyncWait time.Duration
	// Workers bounds the proofs of work /new_transaction does at once;
	// zero: 2.
	Workers int
}

// Handler serves the API and the tutorial endpoints. Create it with New
// and mount it with Register.
type Handler struct {
	node     Node
	key      *btcec.PrivateKey
	onPost   func(bool, string)
	now      func() time.Time
	log      *slog.Logger
	client   *http.Client
	syncWait time.Duration
	work     chan struct{} // one token per proof of work running
	mining   chan struct{} // one token: /mine runs one block at a time

	mu         sync.Mutex
	registered map[string]bool // tutorial peer addresses (http URLs)
}

// New returns a Handler over n.
func New(n Node, opts Options) *Handler {
	h := &Handler{
		node:       n,
		key:        opts.Key,
		onPost:     opts.OnPost,
		now:        opts.Now,
		log:        opts.Logger,
		client:     opts.Client,
		syncWait:   opts.SyncWait,
		mining:     make(chan struct{}, 1),
		registered: make(map[string]bool),
	}
	if h.onPost == nil {
		h.onPost = func(bool, string) {}
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.client == nil {
		h.client = &http.Client{Timeout: 10 * time.Second}
	}
	if h.syncWait <= 0 {
		h.syncWait = 10 * time.Second
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = 2
	}
	h.work = make(chan struct{}, workers)
	return h
}

// Register mounts the routes on mux. Paths are registered without a
// method, so a wrong method gets a JSON 405 rather than the mux's text;
// anything else under /api/ is a JSON 404.
func (h *Handler) Register(mux *http.ServeMux) {
	api := func(path string, r route) { mux.Handle(path, cors(r)) }
	api("/api/tip", route{"GET": h.tip})
	api("/api/blocks", route{"GET": h.blocks})
	api("/api/blocks/{ref}", route{"GET": h.block})
	api("/api/posts", route{"GET": h.posts, "POST": h.submit})
	api("/api/posts/{id}", route{"GET": h.post})
	api("/api/mempool", route{"GET": h.mempool})
	api("/api/peers", route{"GET": h.peers})
	api("/api/balance/{key}", route{"GET": h.balance})
	api("/api/", route{"GET": h.noRoute, "POST": h.noRoute})
	mux.Handle("/healthz", route{"GET": h.healthz})

	mux.Handle("/chain", route{"GET": h.chain})
	mux.Handle("/new_transaction", route{"POST": h.newTransaction})
	mux.Handle("/pending_tx", route{"GET": h.pendingTx})
	mux.Handle("/mine", route{"GET": h.mine})
	mux.Handle("/register_node", route{"POST": h.registerNode})
	mux.Handle("/register_with", route{"POST": h.registerWith})
}

// route dispatches by method; HEAD is served as GET (net/http drops the
// body), anything else is a 405 naming the allowed methods.
type route map[string]http.HandlerFunc

func (rt route) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m := r.Method
	if m == http.MethodHead {
		m = http.MethodGet
	}
	if f := rt[m]; f != nil {
		f(w, r)
		return
	}
	w.Header().Set("Allow", rt.allow())
	writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed; use %s", clip(r.Method, 20), rt.allow()))
}

func (rt route) allow() string {
	var ms []string
	for m := range rt {
		ms = append(ms, m)
	}
	if rt["GET"] != nil {
		ms = append(ms, "HEAD")
	}
	sort.Strings(ms)
	return strings.Join(ms, ", ")
}

// cors lets pages from any origin read the API and submit posts, as they
// may over the relay's WebSocket anyway: the API carries no credentials.
func cors(next route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Access-Control-Allow-Origin", "*")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			hd.Set("Access-Control-Allow-Methods", next.allow())
			hd.Set("Access-Control-Allow-Headers", "Content-Type")
			hd.Set("Access-Control-Max-Age", "3600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (h *Handler) noRoute(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotFound, "no API route "+quote(r.URL.Path)+"; see docs/api.md")
}

// writeJSON writes v as JSON with status. encoding/json escapes <, > and &
// in strings, and nosniff keeps a browser from reading the body as HTML,
// so a post's content stays data.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// Only values this package built reach here; none fails to encode.
		status, body = http.StatusInternalServerError, []byte(`{"error":"the response did not encode"}`)
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/json; charset=utf-8")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(body, '\n')) // the client may be gone; nothing to do then
}

// writeError writes {"error": msg}.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, struct {
		Error string `json:"error"`
	}{msg})
}

// writeText writes a plain-text answer, as the tutorial endpoints do.
func writeText(w http.ResponseWriter, status int, msg string) {
	hd := w.Header()
	hd.Set("Content-Type", "text/plain; charset=utf-8")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write([]byte(msg))
}

// failure is a request's error with the status it gets. A failure with
// cause is the node's own: the cause is logged, the client gets msg.
type failure struct {
	status int
	msg    string
	cause  error
}

func (f *failure) Error() string { return f.msg }

func badRequest(format string, a ...any) *failure {
	return &failure{status: http.StatusBadRequest, msg: fmt.Sprintf(format, a...)}
}

func notFound(format string, a ...any) *failure {
	return &failure{status: http.StatusNotFound, msg: fmt.Sprintf(format, a...)}
}

// nodeFailure wraps an error of the node: not found becomes a 404 with
// missing, anything else a 500 that hides the cause.
func nodeFailure(err error, missing string) *failure {
	if errors.Is(err, chain.ErrNotFound) {
		return notFound("%s", missing)
	}
	return &failure{status: http.StatusInternalServerError, msg: "the node could not read its data; the cause is in its log", cause: err}
}

// fail answers f. A client that went away gets nothing and nothing is
// logged.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, f *failure) {
	if f.cause != nil {
		if errors.Is(f.cause, context.Canceled) && r.Context().Err() != nil {
			return
		}
		h.log.Error("api: request failed", "path", r.URL.Path, "err", f.cause)
	}
	writeError(w, f.status, f.msg)
}

func isNotFound(err error) bool { return errors.Is(err, chain.ErrNotFound) }
