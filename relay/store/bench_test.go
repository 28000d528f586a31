package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"postwork/chain"
	"postwork/chain/nostr"
	"postwork/internal/cputime"
)

// The sizes of issue 4's speed targets: a chain of 2000 blocks of 200
// posts. POSTWORK_STORE_BLOCKS shortens it for quick comparisons.
var benchBlocks = benchEnvInt("POSTWORK_STORE_BLOCKS", 2000)

const benchPosts = 200

func benchEnvInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// benchBlockMaker builds TestNet blocks of posts that look like real ones
// (about 140 bytes of text, a NIP-13 nonce tag and a topic) but carry
// random signatures: the store never checks signatures (the chain did), and
// signing 400,000 posts would make the benchmark about signing.
type benchBlockMaker struct {
	rng     *rand.Rand
	pubkeys [][32]byte
	parent  chain.Header
	n       int
}

func newBenchBlockMaker() *benchBlockMaker {
	m := &benchBlockMaker{rng: rand.New(rand.NewPCG(5, 6)), parent: chain.TestNet.Genesis().Header}
	for i := range 50 {
		m.pubkeys = append(m.pubkeys, nostr.PublicKey(testKey(byte(i+1))))
	}
	return m
}

const benchWords = "the of and to in is was for on that with as by at from it his an were are which this be or has had not but first one their its new after who they have her she two been other when there all during into school time may years more most only over city some world would where later up such used many can state about national out known university united then made"

func (m *benchBlockMaker) post() *nostr.Event {
	m.n++
	start := m.rng.IntN(len(benchWords) - 140)
	e := &nostr.Event{
		PubKey:    m.pubkeys[m.rng.IntN(len(m.pubkeys))],
		CreatedAt: m.parent.Time - int64(m.rng.IntN(600)), // written in the ten minutes before the block
		Kind:      1,
		Tags:      [][]string{{"nonce", fmt.Sprint(m.rng.Uint32()), "16"}, {"t", fmt.Sprint("topic", m.n%20)}},
		Content:   fmt.Sprintf("%d %s", m.n, benchWords[start:start+130]),
	}
	e.ID = e.ComputeID()
	for i := range e.Sig {
		e.Sig[i] = byte(m.rng.Uint32())
	}
	return e
}

func (m *benchBlockMaker) next(tb testing.TB) *chain.Block {
	evs := make([]*nostr.Event, benchPosts)
	for i := range evs {
		evs[i] = m.post()
	}
	b := child(tb, chain.TestNet, &m.parent, 1, "", evs...)
	m.parent = b.Header
	return b
}

// connectLikeChain makes the store calls chain.Chain makes for a block that
// extends the tip: store it, look up each post (CheckBlockConnect), connect.
func connectLikeChain(tb testing.TB, s *Store, b *chain.Block) {
	if err := s.PutBlock(b); err != nil {
		tb.Fatal(err)
	}
	for _, e := range b.Events {
		if in, err := s.HasEvent(e.ID); err != nil || in {
			tb.Fatalf("HasEvent: %v %v", in, err)
		}
	}
	if err := s.ConnectBlock(b); err != nil {
		tb.Fatal(err)
	}
}

// buildBenchChain writes a chain of benchBlocks blocks to a new store at
// path. When b is not nil, only the store's work is timed. It returns the
// CPU time the process spent in the store's calls.
func buildBenchChain(tb testing.TB, b *testing.B, path string) time.Duration {
	s, err := Open(context.Background(), path, chain.TestNet)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := chain.New(chain.TestNet, s, chain.Config{}); err != nil {
		tb.Fatal(err)
	}
	m := newBenchBlockMaker()
	var cpu time.Duration
	for range benchBlocks {
		if b != nil {
			b.StopTimer()
		}
		blk := m.next(tb)
		if b != nil {
			b.StartTimer()
		}
		start := cputime.Process()
		connectLikeChain(tb, s, blk)
		cpu += cputime.Process() - start
	}
	if err := s.Close(); err != nil {
		tb.Fatal(err)
	}
	return cpu
}

// BenchmarkConnectBlocks connects 2000 blocks of 200 posts to a new store,
// with the calls the chain makes, and reports the rates and the file size.
func BenchmarkConnectBlocks(b *testing.B) {
	var path string
	var cpu time.Duration
	for i := range b.N {
		path = filepath.Join(b.TempDir(), fmt.Sprintf("%d-%s", i, FileName))
		cpu += buildBenchChain(b, b, path)
	}
	secs := b.Elapsed().Seconds()
	if cpu > 0 {
		// CPU time, unlike the rates, does not depend much on what else
		// the machine runs.
		b.ReportMetric(float64(cpu.Microseconds())/float64(b.N*benchBlocks*benchPosts), "cpu_µs/post")
	}
	b.ReportMetric(float64(b.N*benchBlocks)/secs, "blocks/s")
	b.ReportMetric(float64(b.N*benchBlocks*benchPosts)/secs, "posts/s")
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(fi.Size())/float64(benchBlocks*benchPosts), "bytes/post")
}

var benchFixture struct {
	once sync.Once
	dir  string
	err  error
}

// benchChainFile returns a store file holding the 2000-block chain, built
// once per test binary run and removed by TestMain.
func benchChainFile(b *testing.B) string {
	benchFixture.once.Do(func() {
		benchFixture.dir, benchFixture.err = os.MkdirTemp("", "postwork-store-bench-")
		if benchFixture.err == nil {
			buildBenchChain(b, nil, filepath.Join(benchFixture.dir, FileName))
		}
	})
	if benchFixture.err != nil {
		b.Fatal(benchFixture.err)
	}
	return filepath.Join(benchFixture.dir, FileName)
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchFixture.dir != "" {
		os.RemoveAll(benchFixture.dir)
	}
	os.Exit(code)
}

// BenchmarkReopen is a node's restart on the 2000-block chain: open the
// file and rebuild the chain index (ForEachHeader). The aim is at most 1 s.
func BenchmarkReopen(b *testing.B) {
	path := benchChainFile(b)
	b.ResetTimer()
	for range b.N {
		s, err := Open(context.Background(), path, chain.TestNet)
		if err != nil {
			b.Fatal(err)
		}
		c, err := chain.New(chain.TestNet, s, chain.Config{})
		if err != nil {
			b.Fatal(err)
		}
		if c.Tip().Header.Height != uint64(benchBlocks) {
			b.Fatalf("reopened at height %d", c.Tip().Header.Height)
		}
		s.Close()
	}
	b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N), "ms/reopen")
}

// BenchmarkQueryAuthor is a REQ for an author's latest posts on the
// 2000-block chain.
func BenchmarkQueryAuthor(b *testing.B) {
	s := openStore(b, benchChainFile(b))
	author := nostr.PublicKey(testKey(7))
	b.ResetTimer()
	for range b.N {
		recs, err := s.QueryPosts(context.Background(), PostQuery{Authors: [][32]byte{author}, Kinds: []int{1}, Limit: 50})
		if err != nil || len(recs) != 50 {
			b.Fatalf("%d posts, %v", len(recs), err)
		}
	}
}

// BenchmarkSavePending saves posts from 32 concurrent callers, as a relay
// answering many clients does; each returns once its post is on disk.
// Group commit shares the disk flush among the callers waiting.
func BenchmarkSavePending(b *testing.B) {
	s := openStore(b, tempPath(b))
	m := newBenchBlockMaker()
	evs := make([]*nostr.Event, b.N)
	for i := range evs {
		evs[i] = m.post()
	}
	var next sync.Mutex
	i := 0
	b.SetParallelism(max(1, 32/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			next.Lock()
			e := evs[i]
			i++
			next.Unlock()
			if err := s.SavePending(e, time.Now()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
}
