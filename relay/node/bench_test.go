package node

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/gorilla/websocket"

	"postwork/chain"
	"postwork/chain/nostr"
	"postwork/chain/wire"
	"postwork/relay"
	"postwork/relay/store"
)

// benchLimits lift the per-IP policies: every benchmark client is on
// 127.0.0.1.
var benchLimits = relay.Limits{
	ConnectionsPerIP: 100_000,
	ClientRate:       relay.Rate{PerSecond: 1e9, Burst: 1e9},
	IPRate:           relay.Rate{PerSecond: 1e9, Burst: 1e9},
}

// signedPosts returns n distinct signed posts of ordinary size, created
// now, by a few authors.
func signedPosts(b *testing.B, n int) []*nostr.Event {
	b.Helper()
	keys := make([]*btcec.PrivateKey, 16)
	for i := range keys {
		keys[i], _ = nostr.GenerateKey()
	}
	out := make([]*nostr.Event, n)
	var wg sync.WaitGroup
	for w := range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := w; i < n; i += runtime.GOMAXPROCS(0) {
				ev := &nostr.Event{Kind: 1, CreatedAt: time.Now().Unix(), Tags: [][]string{{"t", "postwork"}},
					Content: fmt.Sprintf("post %d: a sentence or two of ordinary text, as people write them.", i)}
				if err := ev.Sign(keys[i%len(keys)]); err != nil {
					panic(err)
				}
				out[i] = ev
			}
		})
	}
	wg.Wait()
	return out
}

// verifyRate measures BIP-340 verifications per second on the given number
// of goroutines.
func verifyRate(evs []*nostr.Event, goroutines int) float64 {
	n := min(len(evs), 2000)
	start := time.Now()
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := g; i < n; i += goroutines {
				if err := evs[i].Verify(); err != nil {
					panic(err)
				}
			}
		})
	}
	wg.Wait()
	return float64(n) / time.Since(start).Seconds()
}

// BenchmarkIngest: signed posts accepted per second through WebSockets
// (parse, verify, admit, store, OK), from 8 connections (conns=1: one) each
// keeping 32 EVENTs in flight, against 2 × the single-core signature-verify rate
// measured in the same run (the ceiling on two cores). Two goroutines
// verifying and nothing else are reported too: on this machine's two vCPUs
// they do not reach twice one. store=mem keeps posts in memory;
// store=sqlite in a SQLite file (relay/store), each OK after its post is
// committed, as `postwork node --data` does.
//
// The rates depend on what else the machine runs; cpu_us/post (CPU time of
// the whole process, clients included, per accepted post) and cpu_us/verify
// hardly do, and cpu_ratio, their quotient, is the ratio two otherwise idle
// cores would give. ratio_to_2goroutine_verify compares with two goroutines
// verifying in the same run, which meet the same load from elsewhere.
func BenchmarkIngest(b *testing.B) {
	b.Run("store=mem", func(b *testing.B) { benchIngest(b, nil, 8) })
	b.Run("store=sqlite", func(b *testing.B) {
		st, err := store.Open(context.Background(), filepath.Join(b.TempDir(), store.FileName), chain.TestNet)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		benchIngest(b, st, 8)
	})
	// One connection (a peer forwarding posts): its EVENTs are verified on
	// both cores all the same.
	b.Run("store=mem/conns=1", func(b *testing.B) { benchIngest(b, nil, 1) })
}

func benchIngest(b *testing.B, st Store, conns int) {
	n := startNodeWith(b, Config{Store: st, Limits: benchLimits})
	evs := signedPosts(b, b.N)
	single := verifyRate(evs, 1)
	double := verifyRate(evs, 2)
	verifyCPU := verifyCost(evs)

	const window = 32
	frames := make([][]byte, len(evs))
	for i, ev := range evs {
		frames[i] = wire.Encode(&wire.MsgEvent{Event: ev})
	}
	var next atomic.Int64
	var accepted, rejected atomic.Int64
	var firstReason atomic.Value
	clients := make([]*websocket.Conn, conns)
	for i := range clients {
		ws, _, err := websocket.DefaultDialer.Dial(n.url, nil)
		if err != nil {
			b.Fatal(err)
		}
		defer ws.Close()
		clients[i] = ws
	}
	b.ResetTimer()
	start := time.Now()
	cpu0 := cpuTime()
	var wg sync.WaitGroup
	for _, ws := range clients {
		wg.Go(func() {
			sem := make(chan struct{}, window)
			var answered sync.WaitGroup
			go func() { // reads OKs until the socket is closed below
				for {
					_, data, err := ws.ReadMessage()
					if err != nil {
						return
					}
					isOK, ok := okAt(data)
					if !isOK {
						continue
					}
					if ok {
						accepted.Add(1)
					} else if rejected.Add(1) == 1 {
						firstReason.Store(string(data))
					}
					<-sem
					answered.Done()
				}
			}()
			for {
				i := next.Add(1) - 1
				if i >= int64(len(frames)) {
					break
				}
				sem <- struct{}{}
				answered.Add(1)
				ws.WriteMessage(websocket.TextMessage, frames[i])
			}
			answered.Wait()
			ws.Close()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	b.StopTimer()
	if got := accepted.Load(); got != int64(b.N) {
		b.Fatalf("%d of %d posts accepted; first refusal: %v", got, b.N, firstReason.Load())
	}
	rate := float64(b.N) / elapsed.Seconds()
	b.ReportMetric(rate, "posts/s")
	b.ReportMetric(single, "verify/s/core")
	b.ReportMetric(double, "verify/s/2goroutines")
	b.ReportMetric(rate/(2*single), "ratio_to_2core_verify")
	b.ReportMetric(rate/double, "ratio_to_2goroutine_verify")
	b.ReportMetric(cpu.Seconds()/elapsed.Seconds(), "cores_busy")
	perPost := cpu.Seconds() / float64(b.N)
	b.ReportMetric(perPost*1e6, "cpu_us/post")
	b.ReportMetric(verifyCPU.Seconds()*1e6, "cpu_us/verify")
	b.ReportMetric(verifyCPU.Seconds()/perPost, "cpu_ratio")
}

// verifyCost is the CPU time one BIP-340 verification takes, measured on
// one goroutine (the process's CPU time, so the benchmark must be quiet).
func verifyCost(evs []*nostr.Event) time.Duration {
	n := min(len(evs), 1000)
	runtime.GC()
	cpu0 := cpuTime()
	for _, ev := range evs[:n] {
		if err := ev.Verify(); err != nil {
			panic(err)
		}
	}
	return (cpuTime() - cpu0) / time.Duration(n)
}

// BenchmarkFanout: 1000 WebSocket clients subscribed to kind 1 on loopback;
// each post is timed from the publisher's send to each subscriber's read.
// rate=100 publishes 100 posts a second (the 100,000 deliveries a second
// aimed at) and reports the latency at that load; rate=max publishes as
// fast as the relay answers OK (16 in flight) and reports the
// throughput. Both report the
// deliveries per second achieved, p50 and p99 publish-to-delivery latency,
// and the memory an idle subscribed connection costs (heap and stacks, both
// ends of the socket, since the clients run in this process).
func BenchmarkFanout(b *testing.B) {
	b.Run("rate=100", func(b *testing.B) { benchFanout(b, 100) })
	b.Run("rate=max", func(b *testing.B) { benchFanout(b, 0) })
}

func benchFanout(b *testing.B, postsPerSecond int) {
	const subscribers, maxInFlight = 1000, 16
	n := startNodeB(b)
	evs := signedPosts(b, b.N)
	index := make(map[[32]byte]int, len(evs))
	for i, ev := range evs {
		index[ev.ID] = i
	}

	before := memInUse()
	lat := make([][]time.Duration, subscribers)
	sentAt := make([]atomic.Int64, len(evs))
	var delivered atomic.Int64
	var lastDelivery atomic.Int64
	var wg sync.WaitGroup
	conns := make([]*websocket.Conn, subscribers)
	for s := range subscribers {
		ws, _, err := websocket.DefaultDialer.Dial(n.url, nil)
		if err != nil {
			b.Fatal(err)
		}
		conns[s] = ws
		ws.WriteMessage(websocket.TextMessage, wire.Encode(&wire.MsgReq{SubID: "feed", Filters: []wire.Filter{{Kinds: []int{1}, HasLimit: true}}}))
		if _, data, err := ws.ReadMessage(); err != nil || string(data) != `["EOSE","feed"]` {
			b.Fatalf("subscriber %d: %s %v", s, data, err)
		}
	}
	runtime.GC()
	perConn := float64(memInUse()-before) / subscribers
	for s, ws := range conns {
		lat[s] = make([]time.Duration, 0, len(evs))
		wg.Go(func() { // reads until every post arrived or the socket closes
			// One buffer per subscriber, reused: the subscribers share the
			// relay's two cores, and the benchmark measures the relay.
			var buf bytes.Buffer
			for got := 0; got < len(evs); {
				_, r, err := ws.NextReader()
				if err != nil {
					return
				}
				buf.Reset()
				if _, err := buf.ReadFrom(r); err != nil {
					return
				}
				data := buf.Bytes()
				now := time.Now().UnixNano()
				id, ok := deliveredID(data)
				if !ok {
					continue
				}
				i := index[id]
				lat[s] = append(lat[s], time.Duration(now-sentAt[i].Load()))
				delivered.Add(1)
				lastDelivery.Store(now)
				got++
			}
		})
	}
	pub, _, err := websocket.DefaultDialer.Dial(n.url, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer pub.Close()
	oks := make(chan struct{}, len(evs))
	go func() { // reads the publisher's OKs until it is closed
		for {
			if _, _, err := pub.ReadMessage(); err != nil {
				return
			}
			oks <- struct{}{}
		}
	}()
	b.ResetTimer()
	start := time.Now()
	cpu0 := cpuTime()
	var tick <-chan time.Time
	if postsPerSecond > 0 {
		t := time.NewTicker(time.Second / time.Duration(postsPerSecond))
		defer t.Stop()
		tick = t.C
	}
	for i, ev := range evs {
		if tick != nil {
			<-tick
		} else if i >= maxInFlight {
			<-oks // unpaced: a few posts in flight
		}
		sentAt[i].Store(time.Now().UnixNano())
		pub.WriteMessage(websocket.TextMessage, wire.Encode(&wire.MsgEvent{Event: ev}))
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		b.Fatalf("only %d of %d deliveries after 60s", delivered.Load(), len(evs)*subscribers)
	}
	cpu := cpuTime() - cpu0
	b.StopTimer()
	for _, ws := range conns {
		ws.Close()
	}
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	if len(all) != len(evs)*subscribers {
		b.Fatalf("%d deliveries, want %d", len(all), len(evs)*subscribers)
	}
	elapsed := time.Duration(lastDelivery.Load() - start.UnixNano())
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "deliveries/s")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99_ms")
	b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50_ms")
	b.ReportMetric(perConn/1024, "KiB/idle_conn")
	// CPU time of the whole process (relay and subscribers) per delivery:
	// unlike the rates, it hardly depends on what else the machine runs.
	b.ReportMetric(float64(cpu.Microseconds())/float64(len(all)), "cpu_us/delivery")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// deliveredID reads the event id out of a delivery the relay wrote
// (["EVENT","feed",{"id":"..."...), without parsing the event: the
// subscribers share the relay's two cores, and the benchmark measures the
// relay, not a client's JSON parser. TestDeliveredID checks it against
// wire.Parse.
func deliveredID(frame []byte) (id [32]byte, ok bool) {
	const prefix = `["EVENT","feed",{"id":"`
	if len(frame) < len(prefix)+64 || string(frame[:len(prefix)]) != prefix {
		return id, false
	}
	_, err := hex.Decode(id[:], frame[len(prefix):len(prefix)+64])
	return id, err == nil
}

func memInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

// startNodeB is startNode for benchmarks: the real clock, no PoW, and the
// given limits (benchLimits when none).
func startNodeB(b *testing.B, limits ...relay.Limits) *testNode {
	b.Helper()
	l := benchLimits
	if len(limits) > 0 {
		l = limits[0]
	}
	return startNodeWith(b, Config{Limits: l})
}

// startNodeWith starts a node on TestNet with cfg (its Params, MinPoW and
// MempoolBytes set here) for a benchmark, until it ends.
func startNodeWith(b *testing.B, cfg Config) *testNode {
	b.Helper()
	cfg.Params, cfg.MinPoW, cfg.MempoolBytes = chain.TestNet, 0, 1<<30
	n, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	srv := newServer(n)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	b.Cleanup(func() {
		cancel()
		<-done
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		n.Shutdown(sctx)
		srv.Close()
	})
	return &testNode{Node: n, url: wsURLOf(srv.URL)}
}

// okAt reads an ["OK","<64 hex>",true|false,...] frame by position, like
// deliveredID: the benchmark measures the relay, not a client's parser.
// TestOKAt checks it against wire.Encode.
func okAt(frame []byte) (isOK, accepted bool) {
	const prefix = `["OK","`
	if len(frame) < len(prefix)+66+5 || string(frame[:len(prefix)]) != prefix {
		return false, false
	}
	return true, string(frame[len(prefix)+66:len(prefix)+66+5]) == "true,"
}

func TestOKAt(t *testing.T) {
	id := [32]byte{1, 2, 3}
	for _, m := range []*wire.MsgOK{{EventID: id, Accepted: true}, {EventID: id, Accepted: true, Reason: "duplicate: x"}, {EventID: id, Reason: "invalid: bad"}} {
		if isOK, ok := okAt(wire.Encode(m)); !isOK || ok != m.Accepted {
			t.Errorf("okAt(%s) = %v, %v", wire.Encode(m), isOK, ok)
		}
	}
	if isOK, _ := okAt(wire.Encode(&wire.MsgNotice{Message: strings.Repeat("x", 100)})); isOK {
		t.Error("NOTICE read as OK")
	}
}

func TestDeliveredID(t *testing.T) {
	ev := post(t, newClock(), "x")
	frame := wire.Encode(&wire.MsgEvent{SubID: "feed", Event: ev})
	id, ok := deliveredID(frame)
	if !ok || id != ev.ID {
		t.Errorf("deliveredID(%.80s) = %x, %v", frame, id, ok)
	}
	if _, ok := deliveredID(wire.Encode(&wire.MsgEOSE{SubID: "feed"})); ok {
		t.Error("EOSE read as a delivery")
	}
}
