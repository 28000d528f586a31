// Package lightnode is the browser light node without the browser: it keeps
// one connection to a relay, syncs and verifies the header chain with the
// same chain code a full node runs, fetches and verifies the bodies of the
// recent blocks it shows, publishes the wallet's posts through the outbox,
// and keeps the feed. The page (package main under js/wasm) supplies the
// WebSocket and IndexedDB; native tests supply real sockets and kv.Mem.
package lightnode

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"postwork/chain"
	"postwork/chain/nostr"
	"postwork/wasm/feed"
	"postwork/wasm/headerstore"
	"postwork/wasm/kv"
	"postwork/wasm/outbox"
	"postwork/wasm/wallet"
)

// Conn is one message connection to a relay (a WebSocket): whole frames in
// and out. Read returns when a frame arrives, the connection fails, or ctx
// ends. Write may be called from several goroutines.
type Conn interface {
	Read(ctx context.Context) ([]byte, error)
	Write(ctx context.Context, frame []byte) error
	Close() error
}

// Dialer opens a connection to a relay URL.
type Dialer func(ctx context.Context, url string) (Conn, error)

// Config is what a Node is built from.
type Config struct {
	Relay string
	Dial  Dialer
	// Fetch GETs a URL with the given Accept header and returns at most
	// max+1 bytes of a 200 response's body; any other status is an error.
	// The node reads the relay's NIP-11 document with it (which network to
	// greet it on) and, from a postwork node, the Merkle proofs of older
	// posts (GET /api/posts/{id}). Nil: neither.
	Fetch  func(ctx context.Context, url, accept string, max int) ([]byte, error)
	Wallet *wallet.Wallet
	Outbox *outbox.Outbox
	// Settings holds the last network seen, so a reload opens its chain and
	// feed before the relay answers.
	Settings kv.DB
	// ChainDB opens the storage of one network's headers and feed.
	ChainDB func(network string) (kv.DB, error)
	// Now is the node's clock; time.Now when nil.
	Now func() time.Time
	// Changed is called, from any goroutine, after the state changed; it
	// must not block (the page coalesces the calls into redraws).
	Changed func()
	// RecentBlocks is how many of the best chain's last blocks have their
	// bodies fetched for the feed; DefaultRecentBlocks when 0.
	RecentBlocks int
	// HelloWait is how long a new connection waits for the relay's HELLO
	// before treating it as a plain Nostr relay; DefaultHelloWait when 0.
	HelloWait time.Duration
}

// Defaults for Config.
const (
	DefaultRecentBlocks = 32
	DefaultHelloWait    = 3 * time.Second
)

// Backoff bounds between connection attempts.
const (
	minBackoff = 500 * time.Millisecond
	maxBackoff = 30 * time.Second
)

// Node is the light node. Its methods are safe for concurrent use.
type Node struct {
	cfg Config

	mu       sync.Mutex
	relay    string
	redial   chan struct{} // wakes the connection loop after SetRelay
	sess     *session      // the live connection, nil when there is none
	conn     connState
	net      *network // the chain being followed, nil before the first HELLO
	problems []Problem
	stats    SyncStats
	notice   string
	minBits  int
}

// network is one network's chain and feed.
type network struct {
	params *chain.Params
	store  *headerstore.Store
	chain  *chain.Chain
	feed   *feed.Feed
	bodies bodies
}

// connState is what the page shows about the connection.
type connState struct {
	State  string // connecting, open, synced, closed
	Detail string
	Retry  time.Time
}

// Problem is something a relay did wrong, in words for the user.
type Problem struct {
	Time int64  `json:"time"`
	Text string `json:"text"`
}

// maxProblems bounds the problems kept for the page.
const maxProblems = 10

// ErrSettings is wrapped when the stored network setting cannot be used.
var errNoNetwork = errors.New("lightnode: no network yet: waiting for the relay's HELLO")

// New returns a node; Run starts it.
func New(cfg Config) *Node {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Changed == nil {
		cfg.Changed = func() {}
	}
	if cfg.RecentBlocks <= 0 {
		cfg.RecentBlocks = DefaultRecentBlocks
	}
	if cfg.HelloWait <= 0 {
		cfg.HelloWait = DefaultHelloWait
	}
	return &Node{cfg: cfg, relay: cfg.Relay, redial: make(chan struct{}, 1), conn: connState{State: "connecting"}}
}

// settingNetwork is the kv.StoreMeta key of the last network followed.
const settingNetwork = "network"

// OpenStored opens the chain and feed of the network the page followed last,
// if any, so they show before the relay answers.
func (n *Node) OpenStored() error {
	raw, err := n.cfg.Settings.Get(kv.StoreMeta, settingNetwork)
	if errors.Is(err, kv.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("lightnode: read settings: %w", err)
	}
	p := chain.Networks[string(raw)]
	if p == nil {
		return nil
	}
	_, err = n.useNetwork(p)
	return err
}

// useNetwork opens p's chain unless it is the one followed already.
func (n *Node) useNetwork(p *chain.Params) (*network, error) {
	n.mu.Lock()
	cur := n.net
	n.mu.Unlock()
	if cur != nil && cur.params == p {
		return cur, nil
	}
	db, err := n.cfg.ChainDB(p.Name)
	if err != nil {
		return nil, fmt.Errorf("lightnode: open %s storage: %w", p.Name, err)
	}
	store, err := headerstore.Open(db)
	if err != nil {
		return nil, err
	}
	c, err := chain.New(p, store, chain.Config{HeadersOnly: true})
	if err != nil {
		return nil, fmt.Errorf("lightnode: open %s chain: %w", p.Name, err)
	}
	if err := store.Flush(); err != nil { // the genesis block, on first use
		return nil, err
	}
	f, err := feed.Open(db, 0)
	if err != nil {
		return nil, err
	}
	if err := n.cfg.Settings.Apply([]kv.Op{kv.Put(kv.StoreMeta, settingNetwork, []byte(p.Name))}); err != nil {
		return nil, fmt.Errorf("lightnode: save settings: %w", err)
	}
	nw := &network{params: p, store: store, chain: c, feed: f}
	n.mu.Lock()
	n.net = nw
	n.minBits = p.DefaultMinPostBits
	n.mu.Unlock()
	n.cfg.Changed()
	return nw, nil
}

func (n *Node) network() *network {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.net
}

// SetRelay switches to another relay URL: the current connection closes and
// the loop dials the new one at once.
func (n *Node) SetRelay(url string) {
	n.mu.Lock()
	n.relay = url
	s := n.sess
	n.mu.Unlock()
	if s != nil {
		s.close(errors.New("relay changed"))
	}
	select {
	case n.redial <- struct{}{}:
	default:
	}
}

// Relay returns the relay URL in use.
func (n *Node) Relay() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.relay
}

// Run keeps a connection to the relay until ctx ends, redialling with
// jittered exponential backoff; it returns ctx's error.
func (n *Node) Run(ctx context.Context) error {
	backoff := minBackoff
	for {
		n.setConn(connState{State: "connecting", Detail: n.Relay()})
		start := n.cfg.Now()
		err := n.runSession(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// A session that lasted resets the backoff: the relay is up.
		if n.cfg.Now().Sub(start) > 30*time.Second {
			backoff = minBackoff
		}
		wait := backoff/2 + rand.N(backoff/2+1)
		n.setConn(connState{State: "closed", Detail: errText(err), Retry: n.cfg.Now().Add(wait)})
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-n.redial:
			t.Stop()
			backoff = minBackoff
			continue
		case <-t.C:
		}
		backoff = min(backoff*2, maxBackoff)
	}
}

func errText(err error) string {
	if err == nil {
		return "closed"
	}
	return err.Error()
}

func (n *Node) setConn(c connState) {
	n.mu.Lock()
	n.conn = c
	n.mu.Unlock()
	n.cfg.Changed()
}

func (n *Node) problem(format string, args ...any) {
	n.mu.Lock()
	n.problems = append(n.problems, Problem{Time: n.cfg.Now().Unix(), Text: fmt.Sprintf(format, args...)})
	if len(n.problems) > maxProblems {
		n.problems = n.problems[len(n.problems)-maxProblems:]
	}
	n.mu.Unlock()
	n.cfg.Changed()
}

// Publish files a signed post in the outbox and sends it if connected.
func (n *Node) Publish(e *nostr.Event) error {
	if err := n.cfg.Outbox.Add(e, n.cfg.Now().Unix()); err != nil {
		return err
	}
	n.mu.Lock()
	s := n.sess
	n.mu.Unlock()
	if s != nil {
		s.sendEvent(e)
	}
	n.cfg.Changed()
	return nil
}

// MinBits is the NIP-13 work the node asks of new posts: the network's
// default until the relay says otherwise.
func (n *Node) MinBits() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.minBits
}

// Params returns the network followed, or nil before the first HELLO.
func (n *Node) Params() *chain.Params {
	if nw := n.network(); nw != nil {
		return nw.params
	}
	return nil
}

// Changed tells the page the state changed outside the node (a new key).
func (n *Node) Changed() { n.cfg.Changed() }
