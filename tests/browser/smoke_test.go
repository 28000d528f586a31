package browser

import (
	"net/http"
	"testing"
	"time"

	"postwork/chain"
)

// TestLightScripted runs the user scenario against the scripted relay, which
// mines when /mine is fetched.
func TestLightScripted(t *testing.T) {
	requireTools(t)
	r := newScriptedRelay(t, chain.DevNet)
	for range 3 {
		r.mine(0)
	}
	base := serve(t, map[string]http.Handler{"/ws": r.handler(), "/mine": r.mineHandler(), "/api/posts/": r.apiHandler()})
	runScript(t, 120*time.Second, "light.mjs", base+"/", "--mine", base+"/mine")
}

func TestSmoke(t *testing.T) {
	requireTools(t)
	r := newScriptedRelay(t, chain.DevNet)
	for range 5 {
		r.mine(0)
	}
	base := serve(t, map[string]http.Handler{"/ws": r.handler(), "/api/posts/": r.apiHandler()})
	runScript(t, 60*time.Second, "smoke.mjs", base+"/")
}
