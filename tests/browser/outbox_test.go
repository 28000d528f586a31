package browser

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestOutboxAcrossRelayRestart stops the node while the page is open, posts,
// reloads, and starts the node again on the same address and data: the
// post must reach it. The page comes from a separate server, so it can be
// reloaded while the node is down.
func TestOutboxAcrossRelayRestart(t *testing.T) {
	requireTools(t)
	n := newNode(t, "--network", "dev", "--site", "")
	n.start()
	ctl := http.NewServeMux()
	ctl.HandleFunc("/ctl/stop", func(w http.ResponseWriter, _ *http.Request) { n.stop() })
	ctl.HandleFunc("/ctl/start", func(w http.ResponseWriter, _ *http.Request) { n.start() })
	base := serve(t, map[string]http.Handler{"/ctl/": ctl})
	relay := strings.Replace(n.base(), "http://", "ws://", 1) + "/ws"
	runScript(t, 180*time.Second, "outbox.mjs", fmt.Sprintf("%s/?relay=%s", base, relay), base+"/ctl", n.base())
}
