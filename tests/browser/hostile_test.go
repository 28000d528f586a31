package browser

import (
	"math/big"
	"net/http"
	"testing"
	"time"

	"postwork/chain"
	"postwork/chain/wire"
)

// TestHostileRelays: the page meets a relay that sends garbage and an
// invalid header, then one that lies about its tip, then an honest one. It
// must keep working, say what happened, store nothing that failed, and end
// synced with the honest relay.
func TestHostileRelays(t *testing.T) {
	requireTools(t)
	const height, badAt = 12, 8
	honest := newScriptedRelay(t, chain.DevNet)
	for range height {
		honest.mine(0)
	}

	bad := newScriptedRelay(t, chain.DevNet)
	bad.chain, bad.blocks, bad.pool = honest.chain, honest.blocks, honest.pool
	bad.afterHello = func(c *relayConn) {
		for _, f := range []string{
			`not json at all`,
			`["EVENT"`,
			`["HEADERS","!!not base64!!"]`,
			`["OK",5,true,""]`,
			`{"an":"object"}`,
			`["TIP",{"hash":"00","height":-1}]`,
			`["NOSUCHVERB",1,2,3]`,
		} {
			c.send([]byte(f))
		}
	}
	bad.tamper = func(hs []chain.Header) []chain.Header {
		for i := range hs {
			if hs[i].Height == badAt {
				hs[i].Nonce ^= 0x5a5a // no longer meets its target
			}
		}
		return hs
	}

	liar := newScriptedRelay(t, chain.DevNet)
	liar.chain, liar.blocks, liar.pool = honest.chain, honest.blocks, honest.pool
	tip := honest.chain.Tip()
	liar.lieHello = &wire.MsgHello{Network: "dev", Genesis: chain.DevNet.GenesisHash(), Tip: chain.Hash{1, 2, 3},
		Height: 5000, Work: new(big.Int).Lsh(tip.Work, 20), Agent: "liar", Version: wire.ProtocolVersion}

	base := serve(t, map[string]http.Handler{"/ws": honest.handler(), "/bad/ws": bad.handler(), "/liar/ws": liar.handler(), "/api/posts/": honest.apiHandler()})
	runScript(t, 120*time.Second, "hostile.mjs", base+"/", itoa(badAt), itoa(height))
}

func itoa(n int) string { return big.NewInt(int64(n)).String() }
