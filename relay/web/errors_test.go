package web

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"postwork/chain"
	"postwork/chain/nostr"
)

func TestBadRequests(t *testing.T) {
	f := newFixture(t)
	for path, want := range map[string]string{
		"/block/xyz":                         `"xyz" is neither a block height nor a 64-character block hash.`,
		"/block/-1":                          `"-1" is neither`,
		"/block/01":                          `"01" is neither`,
		"/block/%2B1":                        `"+1" is neither`,
		"/block/18446744073709551616":        `"18446744073709551616" is neither`,
		"/block/" + strings.Repeat("a", 63):  `is neither`,
		"/block/" + strings.Repeat("g", 64):  `is neither`,
		"/block/" + strings.Repeat("9", 300): `is too long.`,
		"/post/abc":                          `"abc" is not 64 hexadecimal characters.`,
		"/post/" + strings.Repeat("0", 65):   `is not 64 hexadecimal characters.`,
		"/post/%3Cscript%3E":                 `"<script>" is not 64`,
		"/author/bob":                        `"bob" is neither an npub nor a 64-character public key.`,
		"/author/npub1xyz":                   `"npub1xyz" is not a valid npub.`,
		"/author/" + nostr.EncodeNpub(pubOf(1))[:62] + "q": `is not a valid npub.`,
		"/search?q=hello":                       `"hello" is not a block height, a block hash, a post id or an npub.`,
		"/search?q=":                            `Type a block height, a block hash, a post id or an npub.`,
		"/search":                               `Type a block height`,
		"/search?q=+++":                         `Type a block height`,
		"/search?q=npub1qqqq":                   `is not a valid npub.`,
		"/search?q=" + strings.Repeat("x", 500): `is too long.`,
	} {
		r := get(t, f.h, path).mustPage(t, path, http.StatusBadRequest)
		if got := r.one(t, "error-message"); !strings.Contains(got, want) {
			t.Errorf("GET %s: message %q, want it to contain %q", path, got, want)
		}
		if got := r.one(t, "error-status"); got != "Error 400" {
			t.Errorf("GET %s: %q", path, got)
		}
	}
}

func TestNotFound(t *testing.T) {
	f := newFixture(t)
	unknown := strings.Repeat("ab", 32)
	for path, want := range map[string]string{
		"/block/3":                 "The best chain has no block at height 3: it ends at height 2.",
		"/block/" + unknown:        "This node knows no block with hash " + unknown + ".",
		"/post/" + unknown:         "This node has not seen a post with id " + unknown + ".",
		"/search?q=99":             "The best chain has no block at height 99: it ends at height 2.",
		"/search?q=" + unknown:     "This node knows no block, post or author with id " + unknown + ".",
		"/no/such/page":            `This node has no page at "/no/such/page".`,
		"/ui/missing.css":          `This node has no page at "/ui/missing.css".`,
		"/block/" + unknown + "/x": "This node has no page",
	} {
		r := get(t, f.h, path).mustPage(t, path, http.StatusNotFound)
		if got := r.one(t, "error-message"); !strings.Contains(got, want) {
			t.Errorf("GET %s: message %q, want it to contain %q", path, got, want)
		}
	}
}

func TestSearchKeepsQueryInBox(t *testing.T) {
	f := newFixture(t)
	r := get(t, f.h, "/search?q=%22%3E%3Cb%3Ehello").mustPage(t, "search", http.StatusBadRequest)
	in := byTag(byTestID(r.doc, "search")[0], "input")[0]
	if got := attr(in, "value"); got != `"><b>hello` {
		t.Errorf("search box holds %q", got)
	}
	if len(byTag(r.doc, "b")) != 0 {
		t.Error("the query became markup")
	}
}

func TestSearchRedirects(t *testing.T) {
	f := newFixture(t)
	b1 := f.b1.Hash().String()
	alice := nostr.EncodeNpub(pubOf(seedAlice))
	minerPub := pubOf(seedMiner)
	for q, want := range map[string]string{
		"1":                         "/block/1",
		" 2 ":                       "/block/2",
		"0":                         "/block/0",
		b1:                          "/block/" + b1,
		strings.ToUpper(b1):         "/block/" + b1,
		idHex(f.alice):              "/post/" + idHex(f.alice),
		idHex(f.pending):            "/post/" + idHex(f.pending),
		alice:                       "/author/" + alice,
		strings.ToUpper(alice):      "/author/" + alice,
		"nostr:" + alice:            "/author/" + alice,
		hexOf(pubOf(seedAlice)):     "/author/" + alice,                       // has posts
		hexOf(minerPub):             "/author/" + nostr.EncodeNpub(minerPub),  // has mined
		nostr.EncodeNpub(pubOf(99)): "/author/" + nostr.EncodeNpub(pubOf(99)), // any valid npub
	} {
		req := httptest.NewRequest(http.MethodGet, "/search", nil)
		v := req.URL.Query()
		v.Set("q", q)
		req.URL.RawQuery = v.Encode()
		r := do(t, f.h, req)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != want {
			t.Errorf("search %q: %d to %q, want 303 to %q", q, r.status, r.header.Get("Location"), want)
			continue
		}
		// And the page it leads to exists.
		get(t, f.h, want).mustPage(t, want, http.StatusOK)
	}
}

func hexOf(b [32]byte) string { return strings.ToLower(strings.TrimSpace(nostrHex(b))) }

func nostrHex(b [32]byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 64)
	for i, c := range b {
		out[2*i], out[2*i+1] = digits[c>>4], digits[c&15]
	}
	return string(out)
}

// failing is a Source whose store fails: every method with a context
// returns err.
type failing struct {
	*testNode
	err error
}

func (s failing) Post(context.Context, [32]byte) (Post, error) { return Post{}, s.err }
func (s failing) Posts(context.Context, [32]byte, []int, int) ([]Post, error) {
	return nil, s.err
}
func (s failing) Balance(context.Context, [32]byte) (uint64, int, error) { return 0, 0, s.err }
func (s failing) Mempool(context.Context, int) (Mempool, error)          { return Mempool{}, s.err }
func (s failing) Peers(context.Context) ([]Peer, error)                  { return nil, s.err }
func (s failing) Status(context.Context) (Status, error)                 { return Status{}, s.err }

// A node that cannot read its data answers 500 with a page that does not
// leak the cause, and logs the cause; client errors stay 4xx even then.
func TestNodeFailureIs500(t *testing.T) {
	f := newFixture(t)
	cause := errors.New("disk on fire: /var/lib/secret.db")
	h := New(failing{f.node, cause}, Options{Logger: f.h.log})
	for _, path := range []string{
		"/explorer", "/mempool", "/peers", "/status",
		"/post/" + idHex(f.alice),
		"/author/" + nostr.EncodeNpub(pubOf(seedAlice)),
		"/search?q=" + strings.Repeat("ab", 32),
	} {
		f.logs.Reset()
		r := get(t, h, path).mustPage(t, path, http.StatusInternalServerError)
		if strings.Contains(r.body, "disk on fire") || strings.Contains(r.body, "secret.db") {
			t.Errorf("GET %s: the page shows the internal error", path)
		}
		if !strings.Contains(f.logs.String(), "disk on fire") {
			t.Errorf("GET %s: the cause is not logged: %q", path, f.logs.String())
		}
	}
	// Chain pages read memory and still work; client errors are still
	// theirs.
	get(t, h, "/block/1").mustPage(t, "/block/1", http.StatusOK)
	get(t, h, "/post/zz").mustPage(t, "/post/zz", http.StatusBadRequest)
	get(t, h, "/block/77").mustPage(t, "/block/77", http.StatusNotFound)

	// A store that says "not found" is a 404, wrapped or not.
	nf := New(failing{f.node, errors.Join(errors.New("store"), chain.ErrNotFound)}, Options{Logger: f.h.log})
	get(t, nf, "/post/"+idHex(f.alice)).mustPage(t, "post", http.StatusNotFound)
}

func TestMethodsAndHeaders(t *testing.T) {
	f := newFixture(t)
	r := do(t, f.h, httptest.NewRequest(http.MethodPost, "/explorer", strings.NewReader("x")))
	if r.status != http.StatusMethodNotAllowed {
		t.Errorf("POST /explorer: %d, want 405", r.status)
	}
	head := do(t, f.h, httptest.NewRequest(http.MethodHead, "/status", nil))
	if head.status != http.StatusOK {
		t.Errorf("HEAD /status: %d", head.status)
	}
	for _, path := range []string{"/explorer", "/block/1", "/post/" + idHex(f.alice), "/post/zz", "/nope"} {
		r := get(t, f.h, path)
		csp := r.header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("GET %s: CSP %q lacks %q", path, csp, want)
			}
		}
		if r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Errorf("GET %s: headers %v", path, r.header)
		}
	}
}

// The pages share a mux with the node's other handlers: they take their
// own paths and leave the rest alone.
func TestRegisterComposes(t *testing.T) {
	f := newFixture(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("light node")) })
	mux.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ws")) })
	mux.HandleFunc("GET /api/tip", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("api")) })
	mux.HandleFunc("/", f.h.NotFound)
	f.h.Register(mux)

	for path, want := range map[string]string{"/": "light node", "/ws": "ws", "/api/tip": "api"} {
		if r := get(t, mux, path); r.body != want {
			t.Errorf("GET %s: %q, want the other handler's %q", path, r.body, want)
		}
	}
	get(t, mux, "/explorer").mustPage(t, "/explorer", http.StatusOK)
	get(t, mux, "/block/0").mustPage(t, "/block/0", http.StatusOK)
	get(t, mux, "/elsewhere").mustPage(t, "/elsewhere", http.StatusNotFound)
}

func TestAssets(t *testing.T) {
	f := newFixture(t)
	r := get(t, f.h, "/explorer").mustPage(t, "/explorer", http.StatusOK)
	var css, js string
	for _, l := range byTag(r.doc, "link") {
		if attr(l, "rel") == "stylesheet" {
			css = attr(l, "href")
		}
	}
	js = attr(byTag(r.doc, "script")[0], "src")
	for path, ctype := range map[string]string{css: "text/css; charset=utf-8", js: "text/javascript; charset=utf-8"} {
		a := get(t, f.h, path)
		if a.status != http.StatusOK || a.header.Get("Content-Type") != ctype || len(a.body) < 100 {
			t.Errorf("GET %s: %d %q, %d bytes", path, a.status, a.header.Get("Content-Type"), len(a.body))
		}
		if cc := a.header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("GET %s: versioned asset Cache-Control %q", path, cc)
		}
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("If-None-Match", a.header.Get("ETag"))
		if re := do(t, f.h, req); re.status != http.StatusNotModified {
			t.Errorf("GET %s again with its ETag: %d, want 304", path, re.status)
		}
	}
	if a := get(t, f.h, "/ui/style.css?v=old"); a.status != http.StatusOK || a.header.Get("Cache-Control") != "no-cache" {
		t.Errorf("stale version: %d %q", a.status, a.header.Get("Cache-Control"))
	}
}
