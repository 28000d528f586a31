package browser

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"postwork/chain"
	"postwork/chain/miner"
)

// benchHeader is a header with a target of about 2^208: no run of a
// benchmark solves it (one hash in 2^48 would), so every worker hashes for
// the whole run and every slice counts in full.
func benchHeader() chain.Header {
	return chain.Header{Version: 1, Height: 1, Time: chain.MainNet.GenesisTime + 60, Bits: 0x1a00ffff}
}

// nativeRate is miner.Scan's hashes per second on one goroutine.
func nativeRate(d time.Duration) float64 {
	h := benchHeader()
	var n uint64
	start := time.Now()
	for time.Since(start) < d {
		if ok, err := miner.Scan(&h, 1<<16); ok || err != nil {
			return 0 // not a rate: the header was solved or refused
		}
		n += 1 << 16
	}
	return float64(n) / time.Since(start).Seconds()
}

// loadAverage is the machine's 1-minute load average (0 where /proc has none).
func loadAverage() float64 {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f, _ := strconv.ParseFloat(strings.Fields(string(raw) + " 0")[0], 64)
	return f
}

// BenchmarkBrowserMining measures block mining in headless Chromium: the
// page's Web Workers on 1 and 2 workers and one per core, the scaling from
// 1 to 2 (aim ≥ 1.8), the per-worker rate (aim ≥ 1.5 M/s), hash-wasm's
// SHA-256 on the same header in the same browser, and miner.Scan natively.
func BenchmarkBrowserMining(b *testing.B) {
	requireTools(b)
	node := startNode(b, "--network", "dev", "--site", root)
	h := benchHeader()
	enc := h.Encode()
	var r struct {
		Cores         int
		One, Two, All float64
		HashWasm      float64
	}
	b.ResetTimer()
	for range b.N {
		out := runScript(b, 5*time.Minute, "minebench.mjs", node+"/", hex.EncodeToString(enc[:]), "3")
		line := out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:]
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			b.Fatalf("minebench.mjs output %q: %v", line, err)
		}
	}
	b.StopTimer()
	native := nativeRate(2 * time.Second)
	b.ReportMetric(r.One/1e6, "MH/s-1-worker")
	b.ReportMetric(r.Two/1e6, "MH/s-2-workers")
	b.ReportMetric(r.All/1e6, "MH/s-all-cores")
	b.ReportMetric(float64(r.Cores), "cores")
	b.ReportMetric(r.Two/r.One, "scaling-1-to-2")
	b.ReportMetric(r.HashWasm/1e6, "MH/s-hash-wasm")
	b.ReportMetric(native/1e6, "MH/s-native-1-core")
	b.ReportMetric(r.One/native, "wasm/native")
	// Scaling needs idle cores: a busy machine shows here.
	b.ReportMetric(loadAverage(), "loadavg-1min")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkTabs measures, in headless Chromium against a real dev node,
// the latency of a post from one tab to the others (aim p95 ≤ 100 ms) and
// the time for another tab to take over when the leader closes (aim ≤ 2 s).
func BenchmarkTabs(b *testing.B) {
	requireTools(b)
	node := startNode(b, "--network", "dev", "--site", root)
	var r struct {
		Posts                                       int
		P50, P95, Max                               float64
		FailoverMs, FailoverMaxMs, FailoverSyncedMs float64
	}
	b.ResetTimer()
	for range b.N {
		out := runScript(b, 5*time.Minute, "tabsbench.mjs", node+"/", "30")
		line := out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:]
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			b.Fatalf("tabsbench.mjs output %q: %v", line, err)
		}
	}
	b.StopTimer()
	b.ReportMetric(r.P50, "ms-post-p50")
	b.ReportMetric(r.P95, "ms-post-p95")
	b.ReportMetric(r.Max, "ms-post-max")
	b.ReportMetric(r.FailoverMs, "ms-failover")
	b.ReportMetric(r.FailoverMaxMs, "ms-failover-max")
	b.ReportMetric(r.FailoverSyncedMs, "ms-failover-to-synced")
	b.ReportMetric(0, "ns/op")
}
