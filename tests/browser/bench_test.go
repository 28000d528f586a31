package browser

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"postwork/chain"
	"postwork/chain/pow"
	"postwork/chain/wire"
)

// benchHeight is the chain the cold-start benchmark syncs.
var benchHeight = uint64(1000)

// BenchmarkLightNodeColdStart measures, in headless Chromium with a fresh
// profile, the time from navigation to a key and to benchHeight headers
// synced and verified from a real `postwork node`, the header verification
// rate inside the page, and the size of the wasm (raw, gzip, brotli). The
// node gets its chain block by block from a peer connection, as a miner
// would announce it.
func BenchmarkLightNodeColdStart(b *testing.B) {
	requireTools(b)
	peer := newScriptedRelay(b, chain.DevNet)
	// Stamped a little behind the 5 s schedule, so ASERT keeps the target
	// at the network's easiest and mining 1000 blocks takes a second.
	if v, err := strconv.ParseUint(os.Getenv("PW_BENCH_HEIGHT"), 10, 32); err == nil && v > 0 {
		benchHeight = v
	}
	for h := int64(1); h <= int64(benchHeight); h++ {
		peer.mine(chain.DevNet.GenesisTime + 5*h + 2000)
	}
	node := startNode(b, "--network", "dev")
	relay := strings.Replace(node, "http://", "ws://", 1) + "/ws"
	pushBlocks(b, relay, peer)
	page := serve(b, nil) + "/?relay=" + relay

	b.ResetTimer()
	var r struct {
		Headers                                   int
		CompiledMs, KeyReadyMs, SyncedMs, SyncMs  float64
		VerifyPerSec                              float64
		WasmBytes, WasmGzipBytes, WasmBrotliBytes float64
	}
	for range b.N {
		out := runScript(b, 5*time.Minute, "bench.mjs", page, strconv.FormatUint(benchHeight, 10), "3")
		line := out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:]
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			b.Fatalf("bench.mjs output %q: %v", line, err)
		}
	}
	b.StopTimer()
	if uint64(r.Headers) < benchHeight {
		b.Fatalf("synced %d headers, want %d", r.Headers, benchHeight)
	}
	b.ReportMetric(r.KeyReadyMs, "ms-to-key")
	b.ReportMetric(float64(benchHeight), "headers")
	b.ReportMetric(r.SyncedMs, "ms-to-synced")
	b.ReportMetric(r.CompiledMs, "ms-wasm-compiled")
	b.ReportMetric(r.SyncMs, "ms-sync-only")
	b.ReportMetric(r.VerifyPerSec, "headers-verified/s")
	b.ReportMetric(r.WasmBytes/1e6, "MB-wasm")
	b.ReportMetric(r.WasmGzipBytes/1e6, "MB-wasm-gzip")
	b.ReportMetric(r.WasmBrotliBytes/1e6, "MB-wasm-brotli")
	b.ReportMetric(0, "ns/op") // one op is three cold starts; the metrics above say what matters
}

// pushBlocks greets the node as a peer and sends it the scripted relay's
// chain block by block, as a miner announces what it found.
func pushBlocks(b *testing.B, relay string, peer *scriptedRelay) {
	c, _, err := websocket.DefaultDialer.Dial(relay, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	g := chain.DevNet
	c.WriteMessage(websocket.TextMessage, wire.Encode(&wire.MsgHello{Network: g.Name, Genesis: g.GenesisHash(),
		Tip: g.GenesisHash(), Work: pow.CalcWork(g.GenesisBits), Agent: "bench", Version: wire.ProtocolVersion}))
	for h := uint64(1); h <= benchHeight; h++ {
		hd, _ := peer.chain.HeaderAt(h)
		blk := peer.blocks[hd.Hash()]
		if err := c.WriteMessage(websocket.TextMessage, wire.Encode(&wire.MsgBlock{Block: blk})); err != nil {
			b.Fatal(err)
		}
	}
	// Keep the connection until the node has them all.
	go func() {
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
		}
	}()
	waitFor(b, "the node to take the blocks", 60*time.Second, func() bool { return nodeHeight(relay) >= benchHeight })
}

// nodeHeight greets the node as a peer and reads the height in its HELLO.
func nodeHeight(relay string) uint64 {
	c, _, err := websocket.DefaultDialer.Dial(relay, nil)
	if err != nil {
		return 0
	}
	defer c.Close()
	g := chain.DevNet
	c.WriteMessage(websocket.TextMessage, wire.Encode(&wire.MsgHello{Network: g.Name, Genesis: g.GenesisHash(),
		Tip: g.GenesisHash(), Work: pow.CalcWork(g.GenesisBits), Agent: "bench", Version: wire.ProtocolVersion}))
	c.SetReadDeadline(time.Now().Add(3 * time.Second))
	for {
		_, f, err := c.ReadMessage()
		if err != nil {
			return 0
		}
		if m, err := wire.Parse(f); err == nil {
			if h, ok := m.(*wire.MsgHello); ok {
				return h.Height
			}
		}
	}
}
