package browser

import (
	"testing"
	"time"
)

// TestBrowserMining mines in the page's Web Workers against a real dev
// node that does not mine itself: every new block is the browser's.
func TestBrowserMining(t *testing.T) {
	requireTools(t)
	node := startNode(t, "--network", "dev", "--site", root)
	runScript(t, 180*time.Second, "mining.mjs", node+"/", node)
}
