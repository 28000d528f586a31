package browser

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestTabsShareOneNode opens three tabs of one browser against a real dev
// node that can be stopped and started on the same address and data; the
// page comes from a separate server so the tabs outlive the node.
func TestTabsShareOneNode(t *testing.T) {
	requireTools(t)
	n := newNode(t, "--network", "dev", "--site", "")
	n.start()
	ctl := http.NewServeMux()
	ctl.HandleFunc("/ctl/stop", func(w http.ResponseWriter, _ *http.Request) { n.stop() })
	ctl.HandleFunc("/ctl/start", func(w http.ResponseWriter, _ *http.Request) { n.start() })
	base := serve(t, map[string]http.Handler{"/ctl/": ctl})
	relay := strings.Replace(n.base(), "http://", "ws://", 1) + "/ws"
	runScript(t, 240*time.Second, "tabs.mjs", fmt.Sprintf("%s/?relay=%s", base, relay), base+"/ctl", n.base())
}
