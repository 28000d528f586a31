package ui

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
)

// AssetPrefix is the URL path under which the handlers serve Static.
const AssetPrefix = "/ui/"

//go:embed static
var static embed.FS

// Static holds the stylesheet and script the pages link to, by file name
// ("style.css", "live.js").
var Static fs.FS = mustSub(static, "static")

// assetVersions maps each file of Static to a digest of its content, so a
// page links to "/ui/style.css?v=<digest>" and a browser may cache that URL
// for good: a new build changes the digest, hence the URL.
var assetVersions = digests(Static)

// AssetPath is the URL of a file of Static, with its content digest.
func AssetPath(name string) string {
	return AssetPrefix + name + "?v=" + assetVersions[name]
}

// AssetVersion is the content digest AssetPath puts in the URL of a file of
// Static, or "" for a name Static does not hold.
func AssetVersion(name string) string { return assetVersions[name] }

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // dir is a constant embedded above
	}
	return sub
}

func digests(f fs.FS) map[string]string {
	m := map[string]string{}
	entries, err := fs.ReadDir(f, ".")
	if err != nil {
		panic(err) // embedded at build time
	}
	for _, e := range entries {
		b, err := fs.ReadFile(f, e.Name())
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(b)
		m[e.Name()] = hex.EncodeToString(sum[:6])
	}
	return m
}
