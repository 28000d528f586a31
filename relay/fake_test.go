package relay

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"

	"postwork/chain/nostr"
	"postwork/chain/wire"
)

// fakeConn records what the core sends.
type fakeConn struct {
	ip string

	mu        sync.Mutex
	frames    [][]byte
	closed    bool
	code      int
	reason    string
	readLimit int64
}

func (f *fakeConn) Send(frame []byte) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return false
	}
	f.frames = append(f.frames, frame)
	return true
}

func (f *fakeConn) Close(code int, reason string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.closed {
		f.closed, f.code, f.reason = true, code, reason
	}
}

func (f *fakeConn) RemoteIP() string { return f.ip }

func (f *fakeConn) SetReadLimit(n int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.readLimit = n
}

// messages parses everything sent so far and clears it.
func (f *fakeConn) messages(t *testing.T) []wire.Message {
	t.Helper()
	f.mu.Lock()
	frames := f.frames
	f.frames = nil
	f.mu.Unlock()
	var out []wire.Message
	for _, fr := range frames {
		m, err := wire.Parse(fr)
		if err != nil {
			t.Fatalf("core sent an unparsable frame %.200s: %v", fr, err)
		}
		out = append(out, m)
	}
	return out
}

func (f *fakeConn) closedWith() (bool, int, string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed, f.code, f.reason
}

// fakeBackend stores accepted events in memory.
type fakeBackend struct {
	mu        sync.Mutex
	events    []*nostr.Event
	minPoW    int
	hello     func(m *wire.MsgHello) error
	chain     []wire.Message
	queryGate chan struct{} // if set, QueryEvents waits for it
	failQuery error
}

func (b *fakeBackend) SubmitEvent(ctx context.Context, from *Client, ev *nostr.Event) error {
	if ev.PoW() < b.minPoW {
		return Rejectf(wire.PrefixPoW, "difficulty %d is less than %d", ev.PoW(), b.minPoW)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.events {
		if e.ID == ev.ID {
			return Rejectf(wire.PrefixDuplicate, "already have it")
		}
	}
	b.events = append(b.events, ev)
	return nil
}

func (b *fakeBackend) QueryEvents(ctx context.Context, f *wire.Filter) ([]*nostr.Event, error) {
	if b.queryGate != nil {
		<-b.queryGate
	}
	if b.failQuery != nil {
		return nil, b.failQuery
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []*nostr.Event
	for i := len(b.events) - 1; i >= 0; i-- {
		if f.Match(b.events[i]) && (!f.HasLimit || len(out) < f.Limit) {
			out = append(out, b.events[i])
		}
	}
	return out, nil
}

func (b *fakeBackend) HandleChain(ctx context.Context, c *Client, m wire.Message) error {
	b.mu.Lock()
	b.chain = append(b.chain, m)
	b.mu.Unlock()
	if h, ok := m.(*wire.MsgHello); ok && b.hello != nil {
		return b.hello(h)
	}
	if _, ok := m.(*wire.MsgBlock); ok {
		return Rejectf(wire.PrefixInvalid, "block is bad").WithScore(ScoreBadChain)
	}
	return nil
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type harness struct {
	t     *testing.T
	r     *Relay
	b     *fakeBackend
	clock *clock
}

func newHarness(t *testing.T) *harness {
	clk := &clock{t: time.Unix(1_800_000_000, 0)}
	b := &fakeBackend{}
	return &harness{t: t, r: New(b, Options{Now: clk.Now}), b: b, clock: clk}
}

func (h *harness) connect(ip string) (*Client, *fakeConn) {
	h.t.Helper()
	conn := &fakeConn{ip: ip}
	c, err := h.r.Connect(conn)
	if err != nil {
		h.t.Fatalf("connect %s: %v", ip, err)
	}
	return c, conn
}

// send hands c a message and waits until it is answered.
func (h *harness) send(c *Client, m wire.Message) {
	c.Handle(context.Background(), wire.Encode(m))
	c.Drain()
}

func (h *harness) sendRaw(c *Client, frame string) {
	c.Handle(context.Background(), []byte(frame))
	c.Drain()
}

func key(seed byte) *btcec.PrivateKey {
	var b [32]byte
	b[0], b[31] = 0x42, seed
	sk, _ := btcec.PrivKeyFromBytes(b[:])
	return sk
}

var postTime int64 = 1_799_999_000

// post returns a new signed kind-1 event.
func post(t testing.TB, seed byte, content string, tags ...[]string) *nostr.Event {
	t.Helper()
	if tags == nil {
		tags = [][]string{}
	}
	postTime++
	e := &nostr.Event{Kind: 1, CreatedAt: postTime, Content: content, Tags: tags}
	if err := e.Sign(key(seed)); err != nil {
		t.Fatal(err)
	}
	return e
}

// only asserts that exactly one message was sent and returns it as T.
func only[T wire.Message](t *testing.T, msgs []wire.Message) T {
	t.Helper()
	if len(msgs) != 1 {
		t.Fatalf("%d messages sent, want 1: %s", len(msgs), describe(msgs))
	}
	m, ok := msgs[0].(T)
	if !ok {
		t.Fatalf("sent %s, want %T", describe(msgs), m)
	}
	return m
}

func describe(msgs []wire.Message) string {
	var parts []string
	for _, m := range msgs {
		parts = append(parts, fmt.Sprintf("%.120s", wire.Encode(m)))
	}
	return "[" + strings.Join(parts, " ") + "]"
}

var errStore = errors.New("disk on fire")
