package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"postwork/chain/nostr"
	"postwork/relay/app"
)

var httpURL = regexp.MustCompile(`http=(http://\S+/)`)

// startNodeCmd runs `postwork node` with args in this process until the
// test ends, and returns its base URL (http://127.0.0.1:port/). The node
// must then stop cleanly.
func startNodeCmd(t *testing.T, args ...string) string {
	t.Helper()
	var stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	code := make(chan int, 1)
	go func() {
		code <- runNodeContext(ctx, append([]string{"--listen", "127.0.0.1:0", "--data", t.TempDir()}, args...), io.Discard, &stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case c := <-code:
			if c != 0 {
				t.Errorf("node exit code %d:\n%s", c, stderr.String())
			}
		case <-time.After(15 * time.Second):
			t.Error("node did not stop")
		}
		if t.Failed() {
			t.Logf("node log:\n%s", stderr.String())
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		if m := httpURL.FindStringSubmatch(stderr.String()); m != nil {
			return m[1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no listening line in the log:\n%s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func httpGet(t *testing.T, url string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// fakeSite is a site directory with the files relay/app serves.
func fakeSite(t *testing.T) string {
	dir := t.TempDir()
	files := append([]string{"index.html"}, app.Assets...)
	for _, f := range files {
		p := filepath.Join(dir, f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		content := "asset " + f
		if f == "index.html" {
			content = `<!doctype html><title>postwork</title><script src="wasm/js/app.js"></script>`
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// One node serves everything on one port: the light-node page and NIP-11
// at /, the relay at /ws, the pages, the API, the tutorials' endpoints,
// health and metrics.
func TestNodeServesEverything(t *testing.T) {
	base := startNodeCmd(t, "--network", "test", "--site", fakeSite(t))
	resp, body := httpGet(t, base)
	if resp.StatusCode != 200 || !strings.Contains(body, "<title>postwork</title>") || !strings.Contains(body, "wasm/js/app.js?v=") {
		t.Errorf("GET /: %d %q", resp.StatusCode, body)
	}
	resp, body = httpGet(t, base, "Accept", "application/nostr+json")
	var info struct {
		Limitation struct {
			MinPow int `json:"min_pow_difficulty"`
		} `json:"limitation"`
		Postwork struct{ Network string } `json:"postwork"`
	}
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &info) != nil || info.Postwork.Network != "test" {
		t.Errorf("NIP-11 at /: %d %q", resp.StatusCode, body)
	}
	if resp, body = httpGet(t, base+"wasm/js/app.js"); resp.StatusCode != 200 || body != "asset wasm/js/app.js" {
		t.Errorf("asset: %d %q", resp.StatusCode, body)
	}
	for path, want := range map[string]string{
		"explorer":         "<html",
		"status":           "<html",
		"api/tip":          `"height":0`,
		"healthz":          `"status":"ok"`,
		"chain":            `"length":1`,
		"pending_tx":       `[]`,
		"metrics":          "postwork_tip_height 0",
		"no/such/page":     "<html",
		"api/no/such/path": `"error"`,
	} {
		resp, body := httpGet(t, base+path)
		wantStatus := 200
		if strings.Contains(path, "no/such") {
			wantStatus = 404
		}
		if resp.StatusCode != wantStatus || !strings.Contains(body, want) {
			t.Errorf("GET /%s: %d, body lacks %q:\n%.300s", path, resp.StatusCode, want, body)
		}
	}
}

// Without the light-node page (no `make wasm`), / sends people to the
// explorer and NIP-11 still works.
func TestNodeWithoutPage(t *testing.T) {
	base := startNodeCmd(t, "--network", "test", "--site", t.TempDir())
	if resp, _ := httpGet(t, base); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/explorer" {
		t.Errorf("GET / without a page: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := httpGet(t, base, "Accept", "application/nostr+json"); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/nostr+json" {
		t.Errorf("NIP-11 without a page: %d", resp.StatusCode)
	}
}

// /metrics exposes the named series, and counts the posts answered over
// the relay and the API by reason.
func TestMetrics(t *testing.T) {
	base := startNodeCmd(t, "--network", "test", "--min-pow", "4")
	key := filepath.Join(t.TempDir(), "k.nsec")
	if code, _, stderr := runCmd(t, "", "keygen", "--out", key); code != 0 {
		t.Fatal(stderr)
	}
	for i := range 2 {
		if code, _, stderr := runCmd(t, "", "post", "--key", key, "--node", base, "counted", fmt.Sprint(i)); code != 0 {
			t.Fatalf("post: %s", stderr)
		}
	}
	sk, _ := readKeyFile(key)
	weak := &nostr.Event{PubKey: nostr.PublicKey(sk), CreatedAt: time.Now().Unix(), Kind: 1, Tags: [][]string{}, Content: "weak"}
	for weak.Sign(sk); weak.PoW() >= 4; weak.Sign(sk) {
		weak.CreatedAt-- // another id, until one has too little work
	}
	resp, err := http.Post(base+"api/posts", "application/json", bytes.NewReader(weak.AppendJSON(nil)))
	if err != nil || resp.StatusCode != 422 {
		t.Fatalf("weak post: %v %v", resp.Status, err)
	}
	resp.Body.Close()
	http.Post(base+"api/posts", "application/json", strings.NewReader("{not an event"))

	_, body := httpGet(t, base+"metrics")
	for _, want := range []string{
		"postwork_tip_height 0",
		"postwork_peers 0",
		"postwork_mempool_posts 2",
		"postwork_mempool_bytes ",
		"postwork_miner_hashes_per_second 0",
		"postwork_posts_accepted_total 2",
		`postwork_posts_rejected_total{reason="pow"} 1`,
		`postwork_posts_rejected_total{reason="invalid"} 1`,
		`postwork_info{network="test",version=`,
		"process_cpu_seconds_total ",
	} {
		if !strings.Contains(body, "\n"+want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// postwork post --wait against a mining node: the post is signed, does
// the node's work, is accepted, then mined, and the command prints its id
// and the block that confirms it; status shows the node.
func TestPostWaitAndStatus(t *testing.T) {
	base := startNodeCmd(t, "--network", "test", "--mine", "--threads", "1", "--min-pow", "6")
	key := filepath.Join(t.TempDir(), "k.nsec")
	if code, _, stderr := runCmd(t, "", "keygen", "--out", key); code != 0 {
		t.Fatal(stderr)
	}
	code, stdout, stderr := runCmd(t, "", "post", "--key", key, "--node", base, "--wait", "--timeout", "60s", "hello", "from", "the", "command", "line")
	if code != 0 {
		t.Fatalf("post exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	m := regexp.MustCompile(`^confirmed in block (\d+) ([0-9a-f]{64})$`)
	if len(lines) != 2 || len(lines[0]) != 64 || !m.MatchString(lines[1]) {
		t.Fatalf("stdout %q", stdout)
	}
	if !strings.Contains(stderr, "proof of work: ") {
		t.Errorf("no progress line on stderr: %q", stderr)
	}
	resp, body := httpGet(t, base+"api/posts/"+lines[0])
	var p struct {
		Event struct {
			Content string     `json:"content"`
			Tags    [][]string `json:"tags"`
		} `json:"event"`
		Status string `json:"status"`
		Block  struct {
			Hash string `json:"hash"`
		} `json:"block"`
	}
	json.Unmarshal([]byte(body), &p)
	id, _ := hex.DecodeString(lines[0])
	if resp.StatusCode != 200 || p.Status != "confirmed" || p.Event.Content != "hello from the command line" ||
		!strings.HasSuffix(lines[1], p.Block.Hash) || nostr.LeadingZeroBits([32]byte(id)) < 6 {
		t.Errorf("the node has %d %s", resp.StatusCode, body)
	}

	code, stdout, stderr = runCmd(t, "", "status", "--node", base)
	if code != 0 {
		t.Fatalf("status exit %d: %s", code, stderr)
	}
	for _, want := range []string{"network test", "tip       height ", "peers     0", "mempool   ", "min pow 6 bits", "hashrate  "} {
		if !strings.Contains(stdout, want) {
			t.Errorf("status lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "not mining") {
		t.Errorf("a mining node shown as not mining:\n%s", stdout)
	}
}

func TestPostAndStatusErrors(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "k.nsec")
	runCmd(t, "", "keygen", "--out", key)
	os.WriteFile(filepath.Join(dir, "bad.nsec"), []byte("npub1notasecret\n"), 0o600)
	for _, tt := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"post", "hi"}, 2, "--key is required"},
		{[]string{"post", "--key", key}, 2, "missing TEXT"},
		{[]string{"post", "--key", key, "--node", "ftp://x", "hi"}, 2, "not an http:// or ws:// URL"},
		{[]string{"post", "--key", filepath.Join(dir, "none"), "hi"}, 1, "no such file"},
		{[]string{"post", "--key", filepath.Join(dir, "bad.nsec"), "hi"}, 1, "want an nsec"},
		{[]string{"post", "--key", key, "--node", "http://127.0.0.1:1/", "hi"}, 1, "NIP-11"},
		{[]string{"post", "--key", key, "  "}, 1, "the text is empty"},
		{[]string{"status", "--node", "http://127.0.0.1:1/"}, 1, "postwork status: GET http://127.0.0.1:1/healthz"},
		{[]string{"status", "extra"}, 2, `unexpected argument "extra"`},
	} {
		code, _, stderr := runCmd(t, "", tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.stderr) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tt.args, code, stderr, tt.code, tt.stderr)
		}
	}
	// TEXT "-" reads stdin; one too long is refused before anything is sent.
	long := strings.Repeat("x", nostr.MaxContentSize+1)
	if code, _, stderr := runCmd(t, long, "post", "--key", key, "--node", "http://127.0.0.1:1/", "-"); code != 1 || !strings.Contains(stderr, "longer than") {
		t.Errorf("long stdin: %d %q", code, stderr)
	}
}
