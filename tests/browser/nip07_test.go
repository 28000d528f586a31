package browser

import (
	"testing"
	"time"
)

// TestNIP07 signs with a simulated NIP-07 extension against a real node.
func TestNIP07(t *testing.T) {
	requireTools(t)
	node := startNode(t, "--network", "dev", "--site", root)
	runScript(t, 120*time.Second, "nip07.mjs", node+"/")
}
