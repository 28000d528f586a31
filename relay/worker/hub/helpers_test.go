package hub

import (
	"encoding/hex"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"postwork/chain"
	"postwork/chain/nostr"
	"postwork/chain/wire"
)

// sock is a Socket that records what it was sent.
type sock struct {
	mu     sync.Mutex
	frames [][]byte
	closed int // close code, 0 while open
}

func (s *sock) Send(frame []byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed != 0 {
		return false
	}
	s.frames = append(s.frames, slices.Clone(frame))
	return true
}

func (s *sock) Close(code int, _ string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = code
}

// take returns the frames received since the last take, parsed.
func (s *sock) take(t *testing.T) []wire.Message {
	t.Helper()
	s.mu.Lock()
	frames := s.frames
	s.frames = nil
	s.mu.Unlock()
	var out []wire.Message
	for _, f := range frames {
		m, err := wire.Parse(f)
		if err != nil {
			t.Fatalf("the hub sent %s: %v", f, err)
		}
		out = append(out, m)
	}
	return out
}

// memStore is a Store in memory, shared by hubs that stand for one Durable
// Object before and after hibernation.
type memStore struct {
	mu     sync.Mutex
	posts  []*nostr.Event
	frames map[string]map[string][]byte
	fail   bool // SavePost fails
}

func newMemStore() *memStore { return &memStore{frames: make(map[string]map[string][]byte)} }

func (m *memStore) LoadPosts() ([]*nostr.Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.posts), nil
}

func (m *memStore) SavePost(ev *nostr.Event, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail {
		return errStore
	}
	m.posts = append(m.posts, ev)
	return nil
}

func (m *memStore) DeletePosts(ids [][32]byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.posts = slices.DeleteFunc(m.posts, func(ev *nostr.Event) bool { return slices.Contains(ids, ev.ID) })
	return nil
}

func (m *memStore) ConnFrames(conn string) ([][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	keys := make([]string, 0, len(m.frames[conn]))
	for k := range m.frames[conn] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out [][]byte
	for _, k := range keys {
		out = append(out, m.frames[conn][k])
	}
	return out, nil
}

func (m *memStore) PutConnFrame(conn, key string, frame []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.frames[conn] == nil {
		m.frames[conn] = make(map[string][]byte)
	}
	m.frames[conn][key] = slices.Clone(frame)
	return nil
}

func (m *memStore) DeleteConnFrame(conn, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.frames[conn], key)
	return nil
}

func (m *memStore) DeleteConn(conn string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.frames, conn)
	return nil
}

type storeError struct{}

func (storeError) Error() string { return "disk full" }

var errStore error = storeError{}

// clock is a settable test clock.
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

// testHub is a hub on TestNet an hour after genesis.
func testHub(t *testing.T, mod func(*Config)) (*Hub, *clock) {
	t.Helper()
	clk := &clock{t: time.Unix(chain.TestNet.GenesisTime+3600, 0)}
	cfg := Config{Params: chain.TestNet, MinPoW: 0, Now: clk.Now}
	if mod != nil {
		mod(&cfg)
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h, clk
}

// open connects a socket from ip.
func open(t *testing.T, h *Hub, id, ip string) (*Session, *sock) {
	t.Helper()
	s := new(sock)
	sess, err := h.Open(id, ip, s)
	if err != nil {
		t.Fatal(err)
	}
	return sess, s
}

func send(sess *Session, m wire.Message) { sess.Message(wire.Encode(m)) }

// okFor returns the OK answering id among ms.
func okFor(t *testing.T, ms []wire.Message, id [32]byte) *wire.MsgOK {
	t.Helper()
	for _, m := range ms {
		if ok, is := m.(*wire.MsgOK); is && ok.EventID == id {
			return ok
		}
	}
	t.Fatalf("no OK for %s in %v", hex.EncodeToString(id[:]), ms)
	return nil
}

// events returns the ids of the EVENTs delivered to sub among ms, and
// whether its EOSE came.
func events(ms []wire.Message, sub string) (ids [][32]byte, eose bool) {
	for _, m := range ms {
		switch m := m.(type) {
		case *wire.MsgEvent:
			if m.SubID == sub {
				ids = append(ids, m.Event.ID)
			}
		case *wire.MsgEOSE:
			if m.SubID == sub {
				eose = true
			}
		}
	}
	return ids, eose
}

func hasPrefix(s, p string) bool { return strings.HasPrefix(s, p) }
