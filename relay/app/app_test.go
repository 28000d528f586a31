package app

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/andybalholm/brotli"
)

// site is a small site laid out like the repository.
func site() fstest.MapFS {
	wasm := bytes.Repeat([]byte("\x00asm postwork "), 5000)
	fs := fstest.MapFS{
		"index.html": {Data: []byte(`<script id="postwork-assets" type="application/json">{"wasm":"build/postwork.wasm","wasmExec":"build/wasm_exec.js","worker":"wasm/js/worker.js"}</script>` +
			`<script src="build/wasm_exec.js"></script><script src="wasm/js/app.js"></script>`)},
		"build/postwork.wasm": {Data: wasm},
	}
	for _, p := range Assets[1:] {
		fs[p] = &fstest.MapFile{Data: []byte("// " + p + "\n" + strings.Repeat("x = 1;\n", 200))}
	}
	return fs
}

func newTest(t *testing.T, fs fstest.MapFS) *Handler {
	t.Helper()
	h, err := newHandler(fs, 5)
	if err != nil {
		t.Fatal(err)
	}
	// Wait for the background compression, polling.
	deadline := time.Now().Add(10 * time.Second)
	for {
		done := true
		for _, f := range h.files {
			if gz, br := f.encodings(); gz == nil || br == nil {
				done = false
			}
		}
		if done {
			return h
		}
		if time.Now().After(deadline) {
			t.Fatal("compression did not finish")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func get(h http.Handler, path string, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestIndexNamesHashedAssets(t *testing.T) {
	fs := site()
	h := newTest(t, fs)
	w := get(h, "/")
	body := w.Body.String()
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("index: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	for _, p := range []string{"build/postwork.wasm", "build/wasm_exec.js", "wasm/js/app.js", "wasm/js/worker.js"} {
		if want := `"` + p + "?v=" + h.Version(p) + `"`; !strings.Contains(body, want) {
			t.Errorf("index does not name %s", want)
		}
	}
	if w.Header().Get("Cache-Control") != "no-cache" || !strings.Contains(w.Header().Get("Content-Security-Policy"), "script-src 'self' 'wasm-unsafe-eval'") {
		t.Errorf("index headers: %v", w.Header())
	}
	// Another build of the wasm gives another URL.
	fs["build/postwork.wasm"] = &fstest.MapFile{Data: []byte("\x00asm other build")}
	h2 := newTest(t, fs)
	if h2.Version("build/postwork.wasm") == h.Version("build/postwork.wasm") {
		t.Fatal("different wasm, same version")
	}
}

func TestEncodingNegotiation(t *testing.T) {
	h := newTest(t, site())
	raw := site()["build/postwork.wasm"].Data
	v := "/build/postwork.wasm?v=" + h.Version("build/postwork.wasm")
	cases := []struct{ accept, want string }{
		{"gzip, deflate, br, zstd", "br"},
		{"gzip", "gzip"},
		{"br;q=0, gzip;q=0.5", "gzip"},
		{"", ""},
		{"identity", ""},
		{"*", "br"},
	}
	for _, c := range cases {
		w := get(h, v, "Accept-Encoding", c.accept)
		if got := w.Header().Get("Content-Encoding"); got != c.want {
			t.Errorf("Accept-Encoding %q: got %q, want %q", c.accept, got, c.want)
			continue
		}
		var body []byte
		switch c.want {
		case "br":
			body, _ = io.ReadAll(brotli.NewReader(w.Body))
		case "gzip":
			zr, err := gzip.NewReader(w.Body)
			if err != nil {
				t.Fatal(err)
			}
			body, _ = io.ReadAll(zr)
		default:
			body = w.Body.Bytes()
		}
		if !bytes.Equal(body, raw) {
			t.Errorf("Accept-Encoding %q: body does not decode to the wasm", c.accept)
		}
		if w.Header().Get("Content-Type") != "application/wasm" || w.Header().Get("Vary") != "Accept-Encoding" {
			t.Errorf("headers %v", w.Header())
		}
	}
}

func TestCacheByContentHash(t *testing.T) {
	h := newTest(t, site())
	cur := "/wasm/js/app.js?v=" + h.Version("wasm/js/app.js")
	if w := get(h, cur); w.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Errorf("current version: %q", w.Header().Get("Cache-Control"))
	}
	for _, stale := range []string{"/wasm/js/app.js", "/wasm/js/app.js?v=0123456789abcdef"} {
		if w := get(h, stale); w.Code != 200 || w.Header().Get("Cache-Control") != "no-cache" {
			t.Errorf("%s: %d %q", stale, w.Code, w.Header().Get("Cache-Control"))
		}
	}
	w := get(h, cur, "Accept-Encoding", "br")
	etag := w.Header().Get("ETag")
	if w2 := get(h, cur, "Accept-Encoding", "br", "If-None-Match", etag); w2.Code != http.StatusNotModified || w2.Body.Len() != 0 {
		t.Errorf("revalidation: %d with %d bytes", w2.Code, w2.Body.Len())
	}
	if w3 := get(h, cur, "Accept-Encoding", "gzip", "If-None-Match", etag); w3.Code != 200 {
		t.Errorf("a brotli ETag matched a gzip response: %d", w3.Code)
	}
}

func TestPrecompressedSidecars(t *testing.T) {
	fs := site()
	raw := fs["build/postwork.wasm"].Data
	gz, br := Precompress(raw)
	fs["build/postwork.wasm.gz"] = &fstest.MapFile{Data: gz}
	fs["build/postwork.wasm.br"] = &fstest.MapFile{Data: br}
	h, err := newHandler(fs, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Used at once, without waiting for any compression.
	if w := get(h, "/build/postwork.wasm", "Accept-Encoding", "br"); !bytes.Equal(w.Body.Bytes(), br) {
		t.Fatal("brotli sidecar not served")
	}
	// A sidecar of another build is not served.
	fs["build/postwork.wasm.br"] = &fstest.MapFile{Data: brotliBytes([]byte("stale build"), 5)}
	h2 := newTest(t, fs)
	w := get(h2, "/build/postwork.wasm", "Accept-Encoding", "br")
	got, _ := io.ReadAll(brotli.NewReader(w.Body))
	if !bytes.Equal(got, raw) {
		t.Fatal("a stale sidecar was served")
	}
}

func TestErrors(t *testing.T) {
	h := newTest(t, site())
	if w := get(h, "/nothing-here"); w.Code != 404 {
		t.Errorf("unknown path: %d", w.Code)
	}
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("x"))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 405 || w.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d allow %q", w.Code, w.Header().Get("Allow"))
	}
	r = httptest.NewRequest(http.MethodHead, "/build/postwork.wasm", nil)
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 200 || w.Body.Len() != 0 || w.Header().Get("Content-Length") == "" {
		t.Errorf("HEAD: %d, %d bytes", w.Code, w.Body.Len())
	}
	fs := site()
	delete(fs, "build/postwork.wasm")
	if _, err := New(fs); err == nil || !strings.Contains(err.Error(), "make wasm") {
		t.Errorf("missing wasm: %v", err)
	}
}

func FuzzAcceptEncoding(f *testing.F) {
	for _, s := range []string{"gzip, br", "br;q=0", "*;q=0.1", ";;,q=", "GZIP;Q=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		parseAcceptEncoding(s)
		matchETag(s, `"x"`)
	})
}
