package app

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// file is one served file and its compressed forms.
type file struct {
	raw   []byte
	ctype string
	hash  string

	mu sync.Mutex
	gz []byte // nil until compressed
	br []byte
}

func newFile(raw []byte, ctype string) *file {
	return &file{raw: raw, ctype: ctype, hash: hashOf(raw)}
}

func (f *file) encodings() (gz, br []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.gz, f.br
}

func (f *file) set(gz, br []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if gz != nil {
		f.gz = gz
	}
	if br != nil {
		f.br = br
	}
}

// serve writes f with the best encoding the client accepts and the cache
// headers its URL earns.
func (f *file) serve(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("Content-Type", f.ctype)
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Vary", "Accept-Encoding")
	if v := r.URL.Query().Get("v"); v != "" && v == f.hash {
		hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hdr.Set("Cache-Control", "no-cache")
	}
	body, enc := f.raw, ""
	gz, br := f.encodings()
	accept := parseAcceptEncoding(r.Header.Get("Accept-Encoding"))
	switch {
	case br != nil && accept["br"]:
		body, enc = br, "br"
	case gz != nil && accept["gzip"]:
		body, enc = gz, "gzip"
	}
	etag := `"` + f.hash + `"`
	if enc != "" {
		etag = `"` + f.hash + "-" + enc + `"`
		hdr.Set("Content-Encoding", enc)
	}
	hdr.Set("ETag", etag)
	if matchETag(r.Header.Get("If-None-Match"), etag) {
		hdr.Del("Content-Encoding")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// parseAcceptEncoding returns the codings a client accepts (q > 0). It is
// lenient: an unreadable q counts as acceptance, as most servers do.
func parseAcceptEncoding(s string) map[string]bool {
	out := make(map[string]bool)
	for _, part := range strings.Split(s, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		ok := true
		if _, q, found := strings.Cut(params, "q="); found {
			if v, err := strconv.ParseFloat(strings.TrimSpace(q), 64); err == nil && v <= 0 {
				ok = false
			}
		}
		if name == "*" {
			for _, n := range []string{"br", "gzip"} {
				if _, set := out[n]; !set {
					out[n] = ok
				}
			}
			continue
		}
		out[name] = ok
	}
	return out
}

// matchETag reports whether an If-None-Match header names etag (weak
// comparison, as RFC 9110 asks for If-None-Match).
func matchETag(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}
