package node

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"postwork/chain"
	"postwork/chain/wire"
)

// A real Nostr client, nostr-tools from npm (pinned in package-lock.json),
// run by node: it reads NIP-11, publishes a NIP-13 post, sees a weak one
// refused with "pow:", and reads its post back through REQ.
func TestNostrToolsClient(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "node_modules", "nostr-tools", "package.json")); err != nil {
		t.Fatalf("node_modules/nostr-tools is missing: run `make deps` (npm ci) in %s first", root)
	}
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node (Node.js) is not on PATH; `make deps` says how to install it")
	}
	// The real clock: nostr-tools stamps posts with it.
	n := startNode(t, &testClock{}, func(cfg *Config) {
		cfg.Now = nil
		cfg.MinPoW = 8
	})
	reader := dial(t, n.url)
	reader.subscribe("live", wire.Filter{Kinds: []int{1}})

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, nodeBin, filepath.Join(root, "scripts", "nostr-client.mjs"), n.url)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("nostr-client.mjs: %v\n%s%s", err, out, stderr)
	}
	var res struct {
		OK      bool   `json:"ok"`
		ID      string `json:"id"`
		Pow     int    `json:"pow"`
		MinPow  int    `json:"min_pow"`
		Refused string `json:"refused"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(string(out))), &res); err != nil || !res.OK {
		t.Fatalf("client output %q: %v", out, err)
	}
	if res.MinPow != 8 || res.Pow < 8 || !strings.HasPrefix(res.Refused, "pow: ") {
		t.Errorf("client result %+v", res)
	}
	id, err := chain.ParseHash(res.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !n.Pool().Has(id) {
		t.Error("the client's post is not in the mempool")
	}
	// A Go client subscribed before saw the post arrive live.
	if ev := reader.waitEvent("live"); ev.ID != id {
		t.Errorf("live subscriber got %x, want %s", ev.ID, res.ID)
	}
}
