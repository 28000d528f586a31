package browser

import (
	"fmt"
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
	mux := http.NewServeMux()
	mux.Handle("/ws", r)
	mux.HandleFunc("/mine", func(w http.ResponseWriter, req *http.Request) {
		b := r.mine(0)
		fmt.Fprintf(w, "Block #%d is mined.", b.Header.Height)
	})
	base := serve(t, mux)
	runScript(t, 120*time.Second, "light.mjs", base+"/", "--mine", base+"/mine")
}

func TestSmoke(t *testing.T) {
	requireTools(t)
	r := newScriptedRelay(t, chain.DevNet)
	for range 5 {
		r.mine(0)
	}
	base := serve(t, r)
	runScript(t, 60*time.Second, "smoke.mjs", base+"/")
}
