package web

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/a-h/templ"

	"postwork/chain"
	"postwork/ui"
)

// Defaults for Options fields left zero.
const (
	DefaultPollInterval   = 2 * time.Second
	DefaultMaxStreams     = 64
	DefaultStreamLifetime = 5 * time.Minute
)

// Options tune a Handler. The zero value is usable.
type Options struct {
	// Now is the clock (uptime); nil means time.Now.
	Now func() time.Time
	// Logger receives the node's own failures; nil means slog.Default().
	Logger *slog.Logger
	// PollInterval is how often a live stream checks for changes when
	// Notify is not called; Notify wakes the streams at once.
	PollInterval time.Duration
	// MaxStreams bounds the live streams open at once; a client beyond it
	// gets a 503 and the page stays as it was rendered.
	MaxStreams int
	// StreamLifetime ends each live stream after this long; the browser's
	// EventSource reconnects, which spreads streams over time and frees
	// what a forgotten tab holds.
	StreamLifetime time.Duration
}

// Handler serves the pages. Create it with New; mount it with Register.
type Handler struct {
	src     Source
	now     func() time.Time
	log     *slog.Logger
	poll    time.Duration
	life    time.Duration
	streams chan struct{} // one token per open live stream
	mux     *http.ServeMux

	mu   sync.Mutex
	wake chan struct{} // closed by Notify, then replaced

	done      chan struct{} // closed by Close
	closeOnce sync.Once
}

// New returns a Handler that reads from src.
func New(src Source, opts Options) *Handler {
	h := &Handler{
		src:  src,
		now:  opts.Now,
		log:  opts.Logger,
		poll: opts.PollInterval,
		life: opts.StreamLifetime,
		wake: make(chan struct{}),
		done: make(chan struct{}),
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.poll <= 0 {
		h.poll = DefaultPollInterval
	}
	if h.life <= 0 {
		h.life = DefaultStreamLifetime
	}
	n := opts.MaxStreams
	if n <= 0 {
		n = DefaultMaxStreams
	}
	h.streams = make(chan struct{}, n)
	h.mux = http.NewServeMux()
	h.Register(h.mux)
	h.mux.HandleFunc("GET /", h.NotFound)
	return h
}

// Register mounts the pages on mux with method-and-path patterns, beside
// the node's other handlers ("/", "/ws", "/api/..." are not among them).
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /explorer", h.explorer)
	mux.HandleFunc("GET /block/{ref}", h.block)
	mux.HandleFunc("GET /post/{id}", h.post)
	mux.HandleFunc("GET /author/{key}", h.author)
	mux.HandleFunc("GET /mempool", h.mempool)
	mux.HandleFunc("GET /peers", h.peers)
	mux.HandleFunc("GET /status", h.status)
	mux.HandleFunc("GET /search", h.search)
	mux.HandleFunc("GET /events", h.events)
	mux.HandleFunc("GET "+ui.AssetPrefix+"{file}", h.asset)
}

// ServeHTTP serves the pages alone, with a 404 page for any other path: for
// tests, and for a server that shows nothing else.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// Notify tells the live streams that the chain or the mempool changed, so
// they refresh now rather than at their next poll. It never blocks.
func (h *Handler) Notify() {
	h.mu.Lock()
	close(h.wake)
	h.wake = make(chan struct{})
	h.mu.Unlock()
}

// wakeup returns the channel the next Notify closes.
func (h *Handler) wakeup() <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.wake
}

// Close ends the open live streams and refuses new ones. A server calls it
// when it shuts down (http.Server.RegisterOnShutdown), since Shutdown waits
// for streaming responses that would otherwise never end. The pages are
// still served.
func (h *Handler) Close() {
	h.closeOnce.Do(func() { close(h.done) })
}

// NotFound renders the 404 page for a path no page has; the node may use it
// for unknown paths under "/".
func (h *Handler) NotFound(w http.ResponseWriter, r *http.Request) {
	h.fail(w, r, &pageError{
		status:  http.StatusNotFound,
		title:   "Page not found",
		message: "This node has no page at " + quote(r.URL.Path) + ".",
	})
}

// pageError is a failure with the page that explains it.
type pageError struct {
	status  int
	title   string
	message string
	query   string // echoed in the search box
	err     error  // the node's own failure, logged, never shown
}

func (e *pageError) Error() string { return e.title + ": " + e.message }

func badRequest(title string, err error) *pageError {
	return &pageError{status: http.StatusBadRequest, title: title, message: sentence(err)}
}

func notFound(title, message string) *pageError {
	return &pageError{status: http.StatusNotFound, title: title, message: message}
}

// sentence turns a parse error into a message: `"abc": not ...` reads
// `"abc" is not ...`.
func sentence(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, `": `); i >= 0 {
		s = s[:i+1] + " is " + s[i+3:]
	} else {
		s = "The value is " + s
	}
	return s + "."
}

// sourceError turns a Source failure into the page for it: a 404 when the
// thing is not there, else a 500 whose cause goes to the log.
func sourceError(err error, title, missing string) *pageError {
	if errors.Is(err, chain.ErrNotFound) {
		return notFound(title, missing)
	}
	return &pageError{
		status:  http.StatusInternalServerError,
		title:   "The node failed",
		message: "This node could not read its data. The cause is in its log; try again later.",
		err:     err,
	}
}

// fail renders the page for e. A client that went away gets nothing.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, e *pageError) {
	if e.err != nil {
		if errors.Is(e.err, context.Canceled) && r.Context().Err() != nil {
			return
		}
		h.log.Error("web: page failed", "path", r.URL.Path, "err", e.err)
	}
	p := h.page(e.title, ui.SectionNone)
	p.Query = e.query
	h.render(w, r, e.status, ui.ErrorPage(p, ui.ErrorView{Status: e.status, Title: e.title, Message: e.message}))
}

// page returns the layout values of a page.
func (h *Handler) page(title string, s ui.Section) ui.Page {
	return ui.Page{Title: title, Section: s, Network: h.src.Params().Name}
}

// contentSecurityPolicy allows the pages nothing but their own stylesheet,
// script and event stream: even markup that slipped past escaping could not
// load or run anything.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; script-src 'self'; " +
	"connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func setPageHeaders(hd http.Header) {
	hd.Set("Content-Security-Policy", contentSecurityPolicy)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
}

// render renders c into a buffer, then writes it with status: a component
// that fails gives a clean 500 page, never half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		if r.Context().Err() != nil {
			return
		}
		h.log.Error("web: render failed", "path", r.URL.Path, "err", err)
		buf.Reset()
		status = http.StatusInternalServerError
		msg := ui.ErrorView{Status: status, Title: "The node failed", Message: "This page could not be rendered. The cause is in the node's log."}
		if err := ui.ErrorPage(h.page(msg.Title, ui.SectionNone), msg).Render(context.WithoutCancel(r.Context()), &buf); err != nil {
			http.Error(w, "internal error", status)
			return
		}
	}
	hd := w.Header()
	setPageHeaders(hd)
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes()) // the client may be gone; nothing to do then
}
