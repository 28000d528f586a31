// Package app serves the browser light node: index.html and its assets
// (postwork.wasm, wasm_exec.js, the page and worker scripts), read once from
// a site directory laid out like the repository, so the same relative URLs
// work from the node and from any static host.
//
// Caching is keyed by content hash: index.html names each asset with
// ?v=<hash>, and a request carrying the current hash is cached for a year
// (immutable); anything else revalidates with a strong ETag. The wasm is
// served precompressed, brotli or gzip by Accept-Encoding, compressed once
// in the background at start (see compress.go).
package app

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"strings"

	"github.com/andybalholm/brotli"
)

// Assets are the files the page loads, as paths relative to the site root.
var Assets = []string{
	"build/postwork.wasm",
	"build/wasm_exec.js",
	"wasm/js/app.js",
	"wasm/js/view.js",
	"wasm/js/pow.js",
	"wasm/js/worker.js",
	"wasm/js/mine.js",
	"wasm/js/tabs.js",
}

// csp keeps injected markup from running even if a bug ever rendered user
// data as HTML: scripts only from this origin (plus wasm compilation),
// connections to any relay the user picks.
const csp = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; " +
	"connect-src 'self' ws: wss: http: https:; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

// Handler serves the page. It is an http.Handler for "/" and the asset
// paths; anything else is 404, so mount it last.
type Handler struct {
	index *file
	files map[string]*file // by URL path, "/build/postwork.wasm"
}

// New reads index.html and Assets from site, with the compressed forms
// `make wasm` leaves beside the wasm, and compresses in the background
// what has none. It fails if a file is missing (run `make wasm`).
func New(site fs.FS) (*Handler, error) { return newHandler(site, brotli.BestCompression) }

func newHandler(site fs.FS, brotliLevel int) (*Handler, error) {
	h := &Handler{files: make(map[string]*file)}
	var missing []string
	for _, p := range Assets {
		raw, err := fs.ReadFile(site, p)
		if errors.Is(err, fs.ErrNotExist) {
			missing = append(missing, p)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("app: read %s: %w", p, err)
		}
		h.files["/"+p] = newFile(raw, contentType(p))
	}
	index, err := fs.ReadFile(site, "index.html")
	if errors.Is(err, fs.ErrNotExist) {
		missing = append(missing, "index.html")
	} else if err != nil {
		return nil, fmt.Errorf("app: read index.html: %w", err)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("app: missing %s (run `make wasm` in the repository)", strings.Join(missing, ", "))
	}
	// Point the page at the content-hashed URLs.
	for _, p := range Assets {
		index = bytes.ReplaceAll(index, []byte(`"`+p+`"`), []byte(`"`+p+"?v="+h.files["/"+p].hash+`"`))
	}
	h.index = newFile(index, "text/html; charset=utf-8")
	var todo []*file
	for _, p := range Assets {
		f := h.files["/"+p]
		if gz, br := loadSidecars(site, p, f); !gz || !br {
			todo = append(todo, f)
		}
	}
	if len(todo) > 0 {
		// Returns when every file has all its forms.
		go func() {
			for _, f := range todo {
				compress(f, brotliLevel)
			}
		}()
	}
	return h, nil
}

func contentType(p string) string {
	switch {
	case strings.HasSuffix(p, ".wasm"):
		return "application/wasm"
	case strings.HasSuffix(p, ".js"):
		return "text/javascript; charset=utf-8"
	}
	return "application/octet-stream"
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var f *file
	switch r.URL.Path {
	case "/", "/index.html":
		f = h.index
		w.Header().Set("Content-Security-Policy", csp)
		w.Header().Set("Referrer-Policy", "no-referrer")
	default:
		f = h.files[r.URL.Path]
	}
	if f == nil {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	f.serve(w, r)
}

// Version returns the content hash of an asset as it appears in ?v=, or ""
// for an unknown path; for tests and for pages that link the wasm directly.
func (h *Handler) Version(path string) string {
	if f := h.files["/"+strings.TrimPrefix(path, "/")]; f != nil {
		return f.hash
	}
	return ""
}

func hashOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}
