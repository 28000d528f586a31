package browser

import (
	"testing"
	"time"

	"postwork/chain"
)

func TestSmoke(t *testing.T) {
	requireTools(t)
	r := newScriptedRelay(t, chain.DevNet)
	for range 5 {
		r.mine(0)
	}
	base := serve(t, r)
	runScript(t, 60*time.Second, "smoke.mjs", base+"/")
}
