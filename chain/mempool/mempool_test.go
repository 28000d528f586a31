package mempool

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"postwork/chain/nostr"
)

var t0 = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

// at returns t0 plus s seconds.
func at(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }

var serial uint64

// fake returns an unsigned event whose id has exactly bits leading zero bits
// and is unique; pools take it through AddVerified. content sets its size.
func fake(t testing.TB, bits int, content string) *nostr.Event {
	serial++
	ev := &nostr.Event{Kind: 1, CreatedAt: t0.Unix(), Content: content}
	for i := range ev.ID {
		ev.ID[i] = byte(serial*0x9e3779b97f4a7c15>>(i%8*8)) | 1
	}
	binary.BigEndian.PutUint64(ev.ID[24:], serial)
	for i := range bits {
		ev.ID[i/8] &^= 0x80 >> (i % 8)
	}
	if bits < 256 {
		ev.ID[bits/8] |= 0x80 >> (bits % 8)
	}
	if got := nostr.LeadingZeroBits(ev.ID); got != bits {
		t.Fatalf("fake id %x has %d bits, want %d", ev.ID, got, bits)
	}
	return ev
}

func size(ev *nostr.Event) int { return len(ev.AppendBinary(nil)) }

func mustAdd(t testing.TB, p *Pool, ev *nostr.Event, now time.Time) [][32]byte {
	t.Helper()
	evicted, err := p.AddVerified(ev, now)
	if err != nil {
		t.Fatalf("add %x: %v", ev.ID[:4], err)
	}
	return evicted
}

func idsOf(evs []*nostr.Event) [][32]byte {
	out := make([][32]byte, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}

func checkOrder(t *testing.T, got []*nostr.Event, want ...*nostr.Event) {
	t.Helper()
	if !slices.Equal(idsOf(got), idsOf(want)) {
		t.Fatalf("order:\n got %s\nwant %s", describe(got), describe(want))
	}
}

func describe(evs []*nostr.Event) string {
	var b strings.Builder
	for _, e := range evs {
		fmt.Fprintf(&b, " %d:%x", nostr.LeadingZeroBits(e.ID), e.ID[28:])
	}
	return b.String()
}

func TestOrderBitsThenAgeThenID(t *testing.T) {
	p := New(Config{})
	a := fake(t, 3, "a") // 3 bits, arrives at 5
	b := fake(t, 3, "b") // 3 bits, arrives at 1
	c := fake(t, 7, "c") // 7 bits, arrives at 9
	d := fake(t, 0, "d") // 0 bits, arrives first
	e := fake(t, 7, "e") // 7 bits, arrives at 2
	f := fake(t, 3, "f") // 3 bits, arrives at 5 like a: the id decides
	mustAdd(t, p, d, at(0))
	mustAdd(t, p, b, at(1))
	mustAdd(t, p, e, at(2))
	mustAdd(t, p, f, at(5))
	mustAdd(t, p, a, at(5))
	mustAdd(t, p, c, at(9))
	first, second := a, f
	if string(f.ID[:]) < string(a.ID[:]) {
		first, second = f, a
	}
	checkOrder(t, p.All(), e, c, b, first, second, d)
	checkOrder(t, p.Select(1<<20, 3), e, c, b)
	if p.Len() != 6 {
		t.Fatalf("Len = %d, want 6", p.Len())
	}
}

func TestSelectRespectsLimits(t *testing.T) {
	p := New(Config{})
	small := strings.Repeat("s", 10)
	big := strings.Repeat("B", 1000)
	best := fake(t, 9, small)
	large := fake(t, 8, big)
	next := fake(t, 7, small)
	last := fake(t, 6, small)
	for i, ev := range []*nostr.Event{best, large, next, last} {
		mustAdd(t, p, ev, at(i))
	}
	// Room for the three small posts only: the large one is skipped, and
	// the smaller posts behind it still go in.
	room := size(best) + size(next) + size(last)
	checkOrder(t, p.Select(room, 10), best, next, last)
	checkOrder(t, p.Select(room, 2), best, next)
	checkOrder(t, p.Select(size(best)+size(large), 10), best, large)
	if got := p.Select(size(best)-1, 10); len(got) != 0 {
		t.Fatalf("Select with too little room returned %d posts", len(got))
	}
	if got := p.Select(1<<20, 0); len(got) != 0 {
		t.Fatalf("Select with maxCount 0 returned %d posts", len(got))
	}
	if p.Len() != 4 {
		t.Fatalf("Select changed the pool: Len = %d", p.Len())
	}
}

func TestEvictionUnderBytePressure(t *testing.T) {
	content := strings.Repeat("x", 100)
	one := size(fake(t, 0, content))
	p := New(Config{MaxBytes: 3 * one})
	a := fake(t, 1, content)
	b := fake(t, 2, content)
	c := fake(t, 3, content)
	for i, ev := range []*nostr.Event{a, b, c} {
		if ev := mustAdd(t, p, ev, at(i)); len(ev) != 0 {
			t.Fatalf("eviction below capacity: %x", ev)
		}
	}

	// A stronger post displaces the weakest, and says which.
	d := fake(t, 4, content)
	evicted := mustAdd(t, p, d, at(3))
	if !slices.Equal(evicted, [][32]byte{a.ID}) {
		t.Fatalf("evicted %x, want the 1-bit post %x", evicted, a.ID)
	}
	if p.Has(a.ID) || !p.Has(d.ID) {
		t.Fatal("the weakest post should be gone and the new one pending")
	}

	// A post weaker than everything, or as strong as the weakest but newer,
	// does not get in, and nothing is evicted for it.
	for _, ev := range []*nostr.Event{fake(t, 1, content), fake(t, 2, content)} {
		evicted, err := p.AddVerified(ev, at(4))
		if !errors.Is(err, ErrPoolFull) || evicted != nil {
			t.Fatalf("weak post into full pool: evicted %x, err %v; want ErrPoolFull", evicted, err)
		}
	}
	checkOrder(t, p.All(), d, c, b)

	// A post twice the size evicts as many weaker posts as it needs, weakest
	// (fewest bits, then newest) first.
	e := fake(t, 4, content+content)
	f := fake(t, 2, content) // same bits as b, newer
	p2 := New(Config{MaxBytes: 3 * one})
	mustAdd(t, p2, b, at(0))
	mustAdd(t, p2, c, at(1))
	mustAdd(t, p2, f, at(2))
	evicted = mustAdd(t, p2, e, at(3))
	if !slices.Equal(evicted, [][32]byte{f.ID, b.ID}) {
		t.Fatalf("evicted %x, want the newer 2-bit post then the older", evicted)
	}
	checkOrder(t, p2.All(), e, c)
	if p2.Bytes() > 3*one {
		t.Fatalf("Bytes = %d over MaxBytes %d", p2.Bytes(), 3*one)
	}

	// A post larger than the whole pool never fits.
	if _, err := p2.AddVerified(fake(t, 200, strings.Repeat("y", 4*one)), at(4)); !errors.Is(err, ErrPoolFull) {
		t.Fatalf("oversized post: err %v, want ErrPoolFull", err)
	}
}

func TestBytesTracksContents(t *testing.T) {
	p := New(Config{})
	var evs []*nostr.Event
	for i := range 20 {
		ev := fake(t, i%5, strings.Repeat("z", i*17))
		evs = append(evs, ev)
		mustAdd(t, p, ev, at(i))
	}
	p.RemoveConfirmed(evs[:7])
	p.Expire(at(10))
	want := 0
	for _, ev := range p.All() {
		want += size(ev)
	}
	if p.Bytes() != want || want == 0 {
		t.Fatalf("Bytes = %d, sum of pending posts %d", p.Bytes(), want)
	}
}

func TestDuplicate(t *testing.T) {
	p := New(Config{})
	ev := fake(t, 4, "once")
	mustAdd(t, p, ev, at(0))
	_, err := p.AddVerified(ev, at(1))
	if !errors.Is(err, ErrDuplicate) {
		t.Fatalf("second add: %v, want ErrDuplicate", err)
	}
	if p.Len() != 1 || p.Bytes() != size(ev) {
		t.Fatalf("duplicate changed the pool: Len %d Bytes %d", p.Len(), p.Bytes())
	}
	got, ok := p.Get(ev.ID)
	if !ok || got != ev {
		t.Fatal("Get does not return the pending post")
	}
	if _, ok := p.Get([32]byte{1}); ok {
		t.Fatal("Get found a post never added")
	}
}

func TestMinBits(t *testing.T) {
	p := New(Config{MinBits: 8})
	_, err := p.AddVerified(fake(t, 7, "weak"), at(0))
	if !errors.Is(err, ErrLowPoW) {
		t.Fatalf("7 bits with MinBits 8: %v, want ErrLowPoW", err)
	}
	if !strings.Contains(err.Error(), "have 7 bits, need 8") {
		t.Fatalf("error %q does not say have and need", err)
	}
	mustAdd(t, p, fake(t, 8, "enough"), at(0))
	if p.Len() != 1 {
		t.Fatalf("Len = %d, want 1", p.Len())
	}
}

func TestNilEvent(t *testing.T) {
	p := New(Config{})
	if _, err := p.Add(nil, at(0)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Add(nil): %v, want ErrInvalid", err)
	}
	p.RemoveConfirmed([]*nostr.Event{nil})
	p.Restore([]*nostr.Event{nil}, at(0))
	if p.Len() != 0 {
		t.Fatal("nil events changed the pool")
	}
}

// A block built from the pool, connected then disconnected, leaves the pool
// as it was, in the same order; with two blocks disconnected tip first too.
func TestConnectDisconnectRoundTrip(t *testing.T) {
	p := New(Config{})
	for i := range 12 {
		mustAdd(t, p, fake(t, []int{2, 5, 3, 5, 0, 9, 3, 2, 5, 1, 3, 9}[i], strings.Repeat("c", i)), at(i))
	}
	before := p.All()

	b1 := p.Select(1<<20, 4)
	p.RemoveConfirmed(b1)
	if p.Len() != 8 {
		t.Fatalf("after connect Len = %d, want 8", p.Len())
	}
	for _, ev := range b1 {
		if p.Has(ev.ID) {
			t.Fatalf("confirmed post %x still pending", ev.ID[:4])
		}
	}
	b2 := p.Select(1<<20, 3)
	checkOrder(t, b2, before[4:7]...)
	p.RemoveConfirmed(b2)

	if dropped := p.Restore(b2, at(100)); len(dropped) != 0 {
		t.Fatalf("restore dropped %x", dropped)
	}
	if dropped := p.Restore(b1, at(100)); len(dropped) != 0 {
		t.Fatalf("restore dropped %x", dropped)
	}
	checkOrder(t, p.All(), before...)

	// Restoring what is already pending changes nothing.
	p.Restore(b1, at(101))
	checkOrder(t, p.All(), before...)
}

func TestRestoreIgnoresMinBitsButNotMaxBytes(t *testing.T) {
	content := strings.Repeat("r", 50)
	one := size(fake(t, 0, content))
	p := New(Config{MinBits: 8, MaxBytes: 2 * one})
	weak := fake(t, 2, content)
	if dropped := p.Restore([]*nostr.Event{weak}, at(0)); len(dropped) != 0 || !p.Has(weak.ID) {
		t.Fatalf("a mined post below MinBits should come back: dropped %x", dropped)
	}
	strong1, strong2 := fake(t, 10, content), fake(t, 11, content)
	evicted := mustAdd(t, p, strong1, at(1))
	if len(evicted) != 0 {
		t.Fatalf("evicted %x below capacity", evicted)
	}
	// Full now: the strong post evicts the restored weak one...
	if evicted := mustAdd(t, p, strong2, at(2)); !slices.Equal(evicted, [][32]byte{weak.ID}) {
		t.Fatalf("evicted %x, want the restored weak post", evicted)
	}
	// ...and a restored post weaker than everything pending is dropped, and
	// reported as no longer pending.
	weak2 := fake(t, 3, content)
	if dropped := p.Restore([]*nostr.Event{weak2}, at(3)); !slices.Equal(dropped, [][32]byte{weak2.ID}) {
		t.Fatalf("dropped %x, want the weak restored post", dropped)
	}
	// A restored post ranks ahead of added ones of its difficulty, so it
	// displaces the newest of them.
	strong3 := fake(t, 10, content)
	if dropped := p.Restore([]*nostr.Event{strong3}, at(4)); !slices.Equal(dropped, [][32]byte{strong1.ID}) {
		t.Fatalf("dropped %x, want the added 10-bit post", dropped)
	}
	checkOrder(t, p.All(), strong2, strong3)
}

func TestExpire(t *testing.T) {
	p := New(Config{})
	old1, old2, fresh := fake(t, 1, "o1"), fake(t, 9, "o2"), fake(t, 1, "f")
	mustAdd(t, p, old1, at(0))
	mustAdd(t, p, old2, at(10))
	mustAdd(t, p, fresh, at(20))
	if n := p.Expire(at(20)); n != 2 {
		t.Fatalf("Expire dropped %d, want 2", n)
	}
	checkOrder(t, p.All(), fresh)
	if p.Bytes() != size(fresh) {
		t.Fatalf("Bytes = %d after expiry, want %d", p.Bytes(), size(fresh))
	}
	if n := p.Expire(at(20)); n != 0 {
		t.Fatalf("second Expire dropped %d", n)
	}
}

func TestConcurrentAdd(t *testing.T) {
	const workers, each = 8, 200
	content := strings.Repeat("q", 40)
	one := size(fake(t, 0, content))
	p := New(Config{MaxBytes: workers * each * one / 2})
	evs := make([][]*nostr.Event, workers)
	for w := range evs {
		for i := range each {
			evs[w] = append(evs[w], fake(t, (w*each+i)%13, content))
		}
	}
	shared := fake(t, 20, content)
	var wg sync.WaitGroup
	var mu sync.Mutex
	sharedOK := 0
	for w := range workers {
		wg.Go(func() {
			for i, ev := range evs[w] {
				_, err := p.AddVerified(ev, at(i))
				if err != nil && !errors.Is(err, ErrPoolFull) {
					t.Errorf("add: %v", err)
				}
				if i%50 == 0 {
					p.Select(10*one, 5)
					p.All()
				}
			}
			if _, err := p.AddVerified(shared, at(0)); err == nil {
				mu.Lock()
				sharedOK++
				mu.Unlock()
			} else if !errors.Is(err, ErrDuplicate) {
				t.Errorf("shared add: %v", err)
			}
		})
	}
	wg.Wait()
	if sharedOK != 1 {
		t.Fatalf("the same post was admitted %d times", sharedOK)
	}
	all := p.All()
	if p.Len() != len(all) || p.Bytes() != len(all)*one || p.Bytes() > workers*each*one/2 {
		t.Fatalf("Len %d, All %d, Bytes %d (limit %d)", p.Len(), len(all), p.Bytes(), workers*each*one/2)
	}
	for i := 1; i < len(all); i++ {
		if nostr.LeadingZeroBits(all[i-1].ID) < nostr.LeadingZeroBits(all[i].ID) {
			t.Fatalf("All out of order at %d", i)
		}
	}
	// Full of stronger posts, the pool kept the strongest: nothing pending is
	// weaker than anything that was turned away.
	weakest := nostr.LeadingZeroBits(all[len(all)-1].ID)
	for _, w := range evs {
		for _, ev := range w {
			if !p.Has(ev.ID) && ev != shared && nostr.LeadingZeroBits(ev.ID) > weakest {
				t.Fatalf("a %d-bit post is missing while a %d-bit post is pending", nostr.LeadingZeroBits(ev.ID), weakest)
			}
		}
	}
}

func TestAddVerifiesSignature(t *testing.T) {
	sk, err := nostr.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	ev := &nostr.Event{CreatedAt: t0.Unix(), Kind: 1, Content: "hello, pool"}
	if err := ev.Sign(sk); err != nil {
		t.Fatal(err)
	}
	p := New(Config{})
	forged := *ev
	forged.Content = "hello, forger"
	if _, err := p.Add(&forged, at(0)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("tampered post: %v, want ErrInvalid", err)
	}
	badSig := *ev
	badSig.Sig[5] ^= 1
	if _, err := p.Add(&badSig, at(0)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad signature: %v, want ErrInvalid", err)
	}
	if _, err := p.Add(ev, at(0)); err != nil {
		t.Fatalf("valid post: %v", err)
	}
	if p.Len() != 1 {
		t.Fatalf("Len = %d, want 1", p.Len())
	}
}

// benchPool fills a pool with n posts of varied difficulty, then returns
// posts not in it, for benchmarks that add.
func benchPool(b *testing.B, n int, maxBytes int) (*Pool, []*nostr.Event) {
	p := New(Config{MaxBytes: maxBytes})
	content := strings.Repeat("p", 200)
	for i := range n {
		mustAdd(b, p, fake(b, i%16, content), at(i))
	}
	extra := make([]*nostr.Event, 1<<16)
	for i := range extra {
		extra[i] = fake(b, i%20, content)
	}
	return p, extra
}

// BenchmarkAdd measures Add into a full pool of 100k posts: each op is an
// insert, and for most an eviction too.
func BenchmarkAdd(b *testing.B) {
	const n = 100_000
	one := size(fake(b, 0, strings.Repeat("p", 200)))
	p, extra := benchPool(b, n, n*one)
	b.ResetTimer()
	full := 0
	for i := 0; b.Loop(); i++ {
		ev := extra[i%len(extra)]
		if i > 0 && i%len(extra) == 0 {
			b.StopTimer()
			p.RemoveConfirmed(extra)
			b.StartTimer()
		}
		if _, err := p.AddVerified(ev, at(n+i)); errors.Is(err, ErrPoolFull) {
			full++
		}
	}
	b.ReportMetric(float64(full)/float64(b.N), "rejected/op")
}

// BenchmarkSelect measures choosing a main-net sized block (2 MiB, at most
// 5000 posts) from 100k pending posts.
func BenchmarkSelect(b *testing.B) {
	p, _ := benchPool(b, 100_000, 1<<30)
	b.ResetTimer()
	var got int
	for b.Loop() {
		got = len(p.Select(2<<20, 5000))
	}
	b.ReportMetric(float64(got), "posts/block")
}
