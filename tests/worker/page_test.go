package worker

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"postwork/relay/api"
)

// requireBrowser fails, saying what to run, when the page cannot be driven:
// the check is required, never skipped.
func requireBrowser(t *testing.T, root string) {
	t.Helper()
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	var missing []string
	if _, err := os.Stat(chromium); err != nil {
		missing = append(missing, chromium+" (run `make deps`: apt-get install chromium)")
	}
	for _, need := range []struct{ path, fix string }{
		{"node_modules/playwright-core", "run `make deps` (npm ci)"},
		{"build/postwork.wasm", "run `make wasm`"},
		{"build/wasm_exec.js", "run `make wasm`"},
	} {
		if _, err := os.Stat(filepath.Join(root, need.path)); err != nil {
			missing = append(missing, need.path+" ("+need.fix+")")
		}
	}
	if len(missing) > 0 {
		t.Fatalf("the page test needs: %s", strings.Join(missing, "; "))
	}
}

// listen serves h on a free loopback port until the test ends and returns
// its base URL.
func listen(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln) // returns when Close is called below
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// staticSite serves the page as any static host would: plain files from
// the repository, index.html at /, the wasm and its loader under build/,
// the page's scripts under wasm/js/, nothing else.
func staticSite(root string) http.Handler {
	files := http.FileServer(http.Dir(root))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join(root, "index.html"))
	})
	mux.Handle("GET /build/", files)
	mux.Handle("GET /wasm/js/", files)
	return mux
}

// The light-node page, served from a static host and pointed at the worker
// with ?relay=, in headless Chromium: a real full node (relay/node, mining
// on the dev network) is the worker's peer. The page syncs its headers
// through the worker to the node's tip, posts, the post reaches the node
// (its /api/posts/{id}), and once the node mines it the page shows it
// confirmed; a second browser gets it live through the worker. Any page
// error or console error fails the test (tests/worker/page.mjs).
func TestPageThroughWorker(t *testing.T) {
	root := repoRoot(t)
	requireBrowser(t, root)
	w := startWrangler(t, root, t.TempDir())

	n := startMiningNode(t, w.url)
	// The node's JSON API, where the script reads the node's tip and looks
	// for the post; the page never talks to it.
	mux := http.NewServeMux()
	api.New(n.API(), api.Options{}).Register(mux)
	nodeAPI := listen(t, mux)

	page := listen(t, staticSite(root)) + "/?relay=" + w.url

	sctx, scancel := context.WithTimeout(context.Background(), 240*time.Second)
	defer scancel()
	cmd := exec.CommandContext(sctx, "node", filepath.Join(root, "tests/worker/page.mjs"), page, nodeAPI)
	cmd.Dir = root
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	t.Logf("page.mjs:\n%s", out.String())
	if err != nil {
		t.Fatalf("page.mjs: %v\nwrangler:\n%s", err, w.out)
	}
}
