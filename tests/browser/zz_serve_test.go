package browser

import (
	"net/http"
	"os"
	"testing"
	"time"

	"postwork/chain"
)

func TestServeDebug(t *testing.T) {
	if os.Getenv("PW_SERVE") == "" {
		t.Skip()
	}
	r := newScriptedRelay(t, chain.DevNet)
	for range 3 {
		r.mine(0)
	}
	base := serve(t, map[string]http.Handler{"/ws": r.handler(), "/mine": r.mineHandler()})
	os.WriteFile("/tmp/pw-base", []byte(base), 0o644)
	time.Sleep(60 * time.Minute)
}
