package node_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"

	"postwork/chain"
	"postwork/chain/miner"
	"postwork/chain/nostr"
	"postwork/internal/cputime"
	"postwork/relay/node"
	"postwork/relay/store"
)

// The sizes of issue 4's speed targets. POSTWORK_SYNC_BLOCKS shortens the
// chain for a quick profile; the figures issue 4 asks for are of 2000.
var syncBlocks = envInt("POSTWORK_SYNC_BLOCKS", 2000)

const syncPosts = 200

// envInt reads a positive integer from the environment, or returns def.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkNodeSync is issue 4's "Speed" end to end. A chain of syncBlocks
// TestNet blocks of syncPosts signed posts is built once per run into a
// SQLite file in a temp dir (written straight to the store; nodes validate
// it as they sync). A node serves it on loopback; then
//
//   - sync: a fresh node over a new SQLite file syncs it all from that
//     peer (headers first, then bodies, every signature verified, one
//     transaction per block), and reports blocks/s, posts/s, the BIP-340
//     verify rate of one core measured in the same run, the ratio of
//     posts/s to twice that (a 2-core machine's verify limit; aim ≥ 0.7),
//     and the database bytes per post;
//   - restart: the synced node's store is opened and the node built on it
//     again, as at start-up (aim ≤ 1 s).
//
// For profiling: POSTWORK_SYNC_SOURCE names a file to keep the built chain
// in and reuse (when it holds a chain of the asked length), and
// POSTWORK_SYNC_CPUPROFILE a file for a CPU profile of the syncs alone.
func BenchmarkNodeSync(b *testing.B) {
	dir := b.TempDir()
	srcPath := os.Getenv("POSTWORK_SYNC_SOURCE")
	if srcPath == "" || !holdsSyncChain(srcPath) {
		if srcPath == "" {
			srcPath = filepath.Join(dir, "source", store.FileName)
		}
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(srcPath + suffix)
		}
		start := time.Now()
		buildSyncChain(b, srcPath)
		b.Logf("built %d blocks of %d signed posts in %s", syncBlocks, syncPosts, time.Since(start).Round(time.Second))
	}

	src, err := store.Open(context.Background(), srcPath, chain.TestNet)
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	source, err := node.New(node.Config{Params: chain.TestNet, Store: src})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(source.Handler())
	defer srv.Close()
	peerURL := "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws"
	want := source.Chain().Tip()
	if want.Header.Height != uint64(syncBlocks) {
		b.Fatalf("source chain at %d", want.Header.Height)
	}
	sample := samplePosts(b, src, 2000)

	var synced string // the last synced node's store, for restart
	b.Run("sync", func(b *testing.B) {
		if path := os.Getenv("POSTWORK_SYNC_CPUPROFILE"); path != "" {
			f, err := os.Create(path)
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			if err := pprof.StartCPUProfile(f); err != nil {
				b.Fatal(err)
			}
			defer pprof.StopCPUProfile()
		}
		var elapsed, cpu time.Duration
		idle0, total0 := goIdle()
		for i := range b.N {
			synced = filepath.Join(dir, fmt.Sprint("synced-", i), store.FileName)
			e, c := syncOnce(b, synced, peerURL, want.Hash)
			elapsed += e
			cpu += c
		}
		idle1, total1 := goIdle()
		verify, verifyCPU := verifyRate(sample)
		parallel := parallelVerifyRate(sample)
		n := float64(b.N * syncBlocks * syncPosts)
		posts := n / elapsed.Seconds()
		b.ReportMetric(float64(b.N*syncBlocks)/elapsed.Seconds(), "blocks/s")
		b.ReportMetric(posts, "posts/s")
		b.ReportMetric(verify, "verify/s/core")
		b.ReportMetric(posts/(2*verify), "ratio_to_2core_verify")
		// What verification alone reaches on all cores at once in the same
		// run: on a shared machine, often well under twice one core.
		b.ReportMetric(parallel, "verify/s/all_cores")
		b.ReportMetric(posts/parallel, "ratio_to_all_core_verify")
		// The machine is often shared: what the process got of it, and the
		// ratio it would reach with two cores of its own fully used (posts
		// per CPU-second over verifications per CPU-second).
		if cpu > 0 && verifyCPU > 0 {
			b.ReportMetric(cpu.Seconds()/elapsed.Seconds(), "cpu_cores")
			b.ReportMetric((n/cpu.Seconds())/(float64(len(sample))/verifyCPU.Seconds()), "ratio_per_cpu")
		}
		// The share of the time Go's processors had work (the pipeline's
		// own stalls, whatever the machine's other load).
		b.ReportMetric(1-(idle1-idle0)/(total1-total0), "go_busy")
		b.ReportMetric(float64(fileBytes(synced))/float64(syncBlocks*syncPosts), "db_bytes/post")
		b.ReportMetric(0, "ns/op") // one op is a whole sync; the rates say it
	})
	if synced == "" {
		return
	}
	b.Run("restart", func(b *testing.B) {
		for range b.N {
			s, err := store.Open(context.Background(), synced, chain.TestNet)
			if err != nil {
				b.Fatal(err)
			}
			n, err := node.New(node.Config{Params: chain.TestNet, Store: s})
			if err != nil {
				b.Fatal(err)
			}
			if n.Chain().Tip().Hash != want.Hash {
				b.Fatalf("restarted at %d", n.Chain().Tip().Header.Height)
			}
			b.StopTimer()
			s.Close()
			b.StartTimer()
		}
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/restart")
	})
}

// holdsSyncChain reports whether path is a store whose best chain is
// syncBlocks long (a chain kept from an earlier run).
func holdsSyncChain(path string) bool {
	if _, err := os.Stat(path); err != nil {
		return false
	}
	s, err := store.Open(context.Background(), path, chain.TestNet)
	if err != nil {
		return false
	}
	defer s.Close()
	c, err := chain.New(chain.TestNet, s, chain.Config{})
	return err == nil && c.Tip().Header.Height == uint64(syncBlocks)
}

// syncOnce starts a node on a new store at path peered with peerURL and
// returns how long it took to reach tip, and the CPU time the process used
// meanwhile (both nodes: the source serves from the same process). The
// node is stopped and its store closed before it returns.
func syncOnce(b *testing.B, path, peerURL string, tip chain.Hash) (elapsed, cpu time.Duration) {
	b.StopTimer()
	s, err := store.Open(context.Background(), path, chain.TestNet)
	if err != nil {
		b.Fatal(err)
	}
	n, err := node.New(node.Config{Params: chain.TestNet, Store: s, Peers: []string{peerURL}})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	b.StartTimer()
	start, cpuStart := time.Now(), cputime.Process()
	go func() { done <- n.Run(ctx) }() // returns when ctx ends
	deadline := start.Add(10 * time.Minute)
	for n.Chain().Tip().Hash != tip {
		if time.Now().After(deadline) {
			b.Fatalf("sync stuck at height %d", n.Chain().Tip().Header.Height)
		}
		time.Sleep(5 * time.Millisecond)
	}
	elapsed, cpu = time.Since(start), cputime.Process()-cpuStart
	b.StopTimer()
	cancel()
	if err := <-done; err != nil {
		b.Error(err)
	}
	sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
	n.Shutdown(sctx)
	scancel()
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	b.StartTimer()
	return elapsed, cpu
}

// buildSyncChain writes genesis and syncBlocks blocks of syncPosts posts,
// signed by 64 authors, to a new store at path.
func buildSyncChain(b *testing.B, path string) {
	p := chain.TestNet
	s, err := store.Open(context.Background(), path, p)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := chain.New(p, s, chain.Config{}); err != nil { // writes genesis
		b.Fatal(err)
	}
	keys := make([]*btcec.PrivateKey, 64)
	pubs := make([][32]byte, len(keys))
	for i := range keys {
		keys[i], _ = nostr.GenerateKey()
		pubs[i] = nostr.PublicKey(keys[i])
	}
	var miner32 [32]byte
	miner32[0] = 7
	parent := p.Genesis().Header
	const words = "a sentence or two of ordinary text, as people write them on a small social network of signed posts, "
	for h := uint64(1); h <= uint64(syncBlocks); h++ {
		evs := make([]*nostr.Event, syncPosts)
		blockTime := p.GenesisTime + int64(h)*p.TargetSpacing
		var wg sync.WaitGroup
		for w := range runtime.GOMAXPROCS(0) {
			wg.Go(func() {
				for i := w; i < syncPosts; i += runtime.GOMAXPROCS(0) {
					k := (int(h)*syncPosts + i) % len(keys)
					ev := &nostr.Event{PubKey: pubs[k], CreatedAt: blockTime - int64(i%60), Kind: 1,
						Tags:    [][]string{{"nonce", fmt.Sprint(h*1000 + uint64(i)), "0"}, {"t", "postwork"}},
						Content: fmt.Sprintf("post %d.%d: %s", h, i, words)}
					// Event.Sign checks each signature it makes; the nodes
					// check these as they sync, so skip that here.
					ev.ID = ev.ComputeID()
					sig, err := schnorr.Sign(keys[k], ev.ID[:], schnorr.FastSign())
					if err != nil {
						panic(err) // a key from GenerateKey always signs
					}
					copy(ev.Sig[:], sig.Serialize())
					evs[i] = ev
				}
			})
		}
		wg.Wait()
		bits, err := chain.NextBits(p, &parent)
		if err != nil {
			b.Fatal(err)
		}
		blk := &chain.Block{
			Header:   chain.Header{Version: chain.HeaderVersion, Height: h, Prev: parent.Hash(), Time: blockTime, Bits: bits},
			Coinbase: chain.Coinbase{PubKey: miner32, Reward: p.Reward(h)},
			Events:   evs,
		}
		blk.Header.Merkle = blk.ComputeMerkle()
		hdr, ok := miner.Search(context.Background(), blk.Header, 1, nil)
		if !ok {
			b.Fatal("no nonce")
		}
		blk.Header = hdr
		if err := s.PutBlock(blk); err != nil {
			b.Fatal(err)
		}
		if err := s.ConnectBlock(blk); err != nil {
			b.Fatal(err)
		}
		parent = blk.Header
	}
}

// samplePosts reads n confirmed posts from the store.
func samplePosts(b *testing.B, s *store.Store, n int) []*nostr.Event {
	recs, err := s.QueryPosts(context.Background(), store.PostQuery{Limit: store.MaxQueryLimit})
	if err != nil || len(recs) == 0 {
		b.Fatalf("sample: %d posts, %v", len(recs), err)
	}
	out := make([]*nostr.Event, 0, n)
	for len(out) < n {
		for _, r := range recs {
			out = append(out, r.Event)
		}
	}
	return out[:n]
}

// parallelVerifyRate is BIP-340 verifications per second on GOMAXPROCS
// goroutines.
func parallelVerifyRate(evs []*nostr.Event) float64 {
	workers := runtime.GOMAXPROCS(0)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(evs); i += workers {
				if err := evs[i].Verify(); err != nil {
					panic(err) // the sample comes from blocks that synced
				}
			}
		})
	}
	wg.Wait()
	return float64(len(evs)) / time.Since(start).Seconds()
}

// goIdle reads the runtime's estimates of the CPU time its processors
// spent idle and in all (GOMAXPROCS × wall time), in seconds.
func goIdle() (idle, total float64) {
	m := []metrics.Sample{{Name: "/cpu/classes/idle:cpu-seconds"}, {Name: "/cpu/classes/total:cpu-seconds"}}
	metrics.Read(m)
	return m[0].Value.Float64(), m[1].Value.Float64()
}

// verifyRate is BIP-340 verifications per second on one goroutine, and
// the CPU time the process used for them.
func verifyRate(evs []*nostr.Event) (float64, time.Duration) {
	start, cpuStart := time.Now(), cputime.Process()
	for _, ev := range evs {
		if err := ev.Verify(); err != nil {
			panic(err) // the sample comes from blocks that synced
		}
	}
	return float64(len(evs)) / time.Since(start).Seconds(), cputime.Process() - cpuStart
}

// fileBytes is the size of a store file and its write-ahead log.
func fileBytes(path string) int64 {
	var n int64
	for _, p := range []string{path, path + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			n += fi.Size()
		}
	}
	return n
}
