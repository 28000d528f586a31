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

// benchHeight is the chain the cold-start benchmark syncs (PW_BENCH_HEIGHT
// overrides it).
var benchHeight = uint64(1000)

// syncBenchHeight is the chain BenchmarkLightNodeHeaderSync syncs: five
// full HEADERS messages, so the rate is that of a page past its first
// moments (the code compiled by the browser's optimising tier, the heap
// grown) rather than of the first thousand headers.
const syncBenchHeight = 5 * wire.MaxHeadersPerMsg

// BenchmarkLightNodeColdStart measures, in headless Chromium with a fresh
// profile, the time from navigation to a key and to benchHeight headers
// synced and verified from a real `postwork node`, the header verification
// rate inside the page, and the size of the wasm (raw, gzip, brotli). The
// node gets its chain block by block from a peer connection, as a miner
// would announce it.
func BenchmarkLightNodeColdStart(b *testing.B) {
	if v, err := strconv.ParseUint(os.Getenv("PW_BENCH_HEIGHT"), 10, 32); err == nil && v > 0 {
		benchHeight = v
	}
	r := benchSync(b, benchHeight)
	b.ReportMetric(r.KeyReadyMs, "ms-to-key")
	b.ReportMetric(r.SyncedMs, "ms-to-synced")
	b.ReportMetric(r.CompiledMs, "ms-wasm-compiled")
	b.ReportMetric(r.WasmBytes/1e6, "MB-wasm")
	b.ReportMetric(r.WasmGzipBytes/1e6, "MB-wasm-gzip")
	b.ReportMetric(r.WasmBrotliBytes/1e6, "MB-wasm-brotli")
}

// BenchmarkLightNodeHeaderSync measures header sync in the page over
// syncBenchHeight headers: the verification rate (chain.ProcessHeader),
// the end-to-end rate (first GETHEADERS to synced), and where the sync's
// time goes: verifying, decoding HEADERS, waiting (for the relay's next
// batch, asked for before the last was verified, while the page's event
// loop runs the IndexedDB flush), and storing in IndexedDB (in the
// background, overlapping the rest).
func BenchmarkLightNodeHeaderSync(b *testing.B) {
	benchSync(b, syncBenchHeight)
}

// benchResult is bench.mjs's output: medians over its runs.
type benchResult struct {
	Headers                                   int
	CompiledMs, KeyReadyMs, SyncedMs, SyncMs  float64
	VerifyPerSec, SyncPerSec                  float64
	VerifyMs, StoreMs, ParseMs, WaitMs        float64
	Batches                                   float64
	WasmBytes, WasmGzipBytes, WasmBrotliBytes float64
}

// benchSync serves a chain of height blocks from a real node and has
// bench.mjs sync it in fresh Chromium profiles, three times, reporting the
// sync figures common to both benchmarks.
func benchSync(b *testing.B, height uint64) benchResult {
	requireTools(b)
	peer := newScriptedRelay(b, chain.DevNet)
	// Stamped a little behind the 5 s schedule, so ASERT keeps the target
	// at the network's easiest and mining 1000 blocks takes a second.
	for h := int64(1); h <= int64(height); h++ {
		peer.mine(chain.DevNet.GenesisTime + 5*h + 2000)
	}
	node := startNode(b, "--network", "dev")
	relay := strings.Replace(node, "http://", "ws://", 1) + "/ws"
	pushBlocks(b, relay, peer, height)
	page := serve(b, nil) + "/?relay=" + relay

	b.ResetTimer()
	var r benchResult
	for range b.N {
		out := runScript(b, 5*time.Minute, "bench.mjs", page, strconv.FormatUint(height, 10), "3")
		line := out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:]
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			b.Fatalf("bench.mjs output %q: %v", line, err)
		}
	}
	b.StopTimer()
	if uint64(r.Headers) < height {
		b.Fatalf("synced %d headers, want %d", r.Headers, height)
	}
	b.ReportMetric(float64(height), "headers")
	b.ReportMetric(r.VerifyPerSec, "headers-verified/s")
	b.ReportMetric(r.SyncPerSec, "headers-synced/s")
	b.ReportMetric(r.SyncMs, "ms-sync-only")
	b.ReportMetric(r.VerifyMs, "ms-verify")
	b.ReportMetric(r.StoreMs, "ms-store-background")
	b.ReportMetric(r.ParseMs, "ms-decode")
	b.ReportMetric(r.WaitMs, "ms-wait")
	b.ReportMetric(0, "ns/op") // one op is three cold starts; the metrics above say what matters
	return r
}

// pushBlocks greets the node as a peer and sends it the scripted relay's
// chain block by block, as a miner announces what it found.
func pushBlocks(b *testing.B, relay string, peer *scriptedRelay, height uint64) {
	c, _, err := websocket.DefaultDialer.Dial(relay, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	g := chain.DevNet
	c.WriteMessage(websocket.TextMessage, wire.Encode(&wire.MsgHello{Network: g.Name, Genesis: g.GenesisHash(),
		Tip: g.GenesisHash(), Work: pow.CalcWork(g.GenesisBits), Agent: "bench", Version: wire.ProtocolVersion}))
	for h := uint64(1); h <= height; h++ {
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
	waitFor(b, "the node to take the blocks", 2*time.Minute, func() bool { return nodeHeight(relay) >= height })
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
