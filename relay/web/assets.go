package web

import (
	"bytes"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"time"

	"postwork/ui"
)

// asset serves the stylesheet and script of ui.Static. A URL carrying the
// file's current version (as the pages link to it) may be cached for good;
// any other must be revalidated.
func (h *Handler) asset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	b, err := fs.ReadFile(ui.Static, name)
	version := ui.AssetVersion(name)
	if err != nil || version == "" {
		h.NotFound(w, r)
		return
	}
	hd := w.Header()
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	hd.Set("Content-Type", ctype)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("ETag", `"`+version+`"`)
	if r.URL.Query().Get("v") == version {
		hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hd.Set("Cache-Control", "no-cache")
	}
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
}
