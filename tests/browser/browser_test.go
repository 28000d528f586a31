// Package browser runs the light node in real Chromium (Debian's package,
// driven by playwright-core from npm) against servers on loopback. Each test
// starts what it needs, then runs one script of this folder under node;
// the script prints ok/FAIL lines and exits non-zero on failure. Missing
// Chromium, node_modules or build/postwork.wasm fail the tests with what to
// run: they are never skipped.
package browser

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"postwork/relay/app"
)

// root is the repository root, where index.html and build/ are.
var root = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}()

func requireTools(t testing.TB) {
	t.Helper()
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	var missing []string
	if _, err := os.Stat(chromium); err != nil {
		missing = append(missing, chromium+" (run `make deps`: apt-get install chromium)")
	}
	if _, err := exec.LookPath("node"); err != nil {
		missing = append(missing, "node")
	}
	if _, err := os.Stat(filepath.Join(root, "node_modules", "playwright-core")); err != nil {
		missing = append(missing, "node_modules/playwright-core (run `make deps`: npm ci)")
	}
	if _, err := os.Stat(filepath.Join(root, "build", "postwork.wasm")); err != nil {
		missing = append(missing, "build/postwork.wasm (run `make wasm`)")
	}
	if len(missing) > 0 {
		t.Fatalf("browser tests need: %s", strings.Join(missing, "; "))
	}
}

// serve starts an HTTP server on loopback with the page at / and the given
// routes beside it; it returns the base URL.
func serve(t testing.TB, routes map[string]http.Handler) string {
	t.Helper()
	h, err := app.New(os.DirFS(root))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", h)
	for path, h := range routes {
		mux.Handle(path, h)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		srv.Close()
	})
	return "http://" + ln.Addr().String()
}

// runScript runs node on a script of this folder with args, and fails the
// test with its output if it fails. It returns the output.
func runScript(t testing.TB, timeout time.Duration, script string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", append([]string{filepath.Join(root, "tests", "browser", script)}, args...)...)
	cmd.Dir = root
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	t.Logf("%s output:\n%s", script, out.String())
	if err != nil {
		t.Fatalf("%s: %v", script, err)
	}
	return out.String()
}
