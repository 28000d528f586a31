// Package node is the full node: a chain (chain.Chain over a Store), a
// mempool, the relay core serving Nostr clients and peers over WebSockets,
// headers-first sync with other nodes, and a miner. cmd/postwork runs one
// with `postwork node`; the HTTP API mounts beside Handler.
package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"postwork/chain"
	"postwork/chain/mempool"
	"postwork/chain/miner"
	"postwork/relay"
	"postwork/relay/ws"
)

// Software and Version name this implementation in HELLO and NIP-11.
const (
	Software = "postwork"
	Version  = "0.1.0"
)

// Config sets up a Node. Params is required; zero fields take defaults.
type Config struct {
	Params *chain.Params
	// Store keeps the chain and posts; nil: a MemStore (nothing persists).
	Store Store
	// MinPoW is the NIP-13 difficulty a post needs to be accepted;
	// negative: Params.DefaultMinPostBits.
	MinPoW int
	// MempoolBytes bounds the pending posts; zero: mempool.DefaultMaxBytes.
	MempoolBytes int
	// Peers are WebSocket URLs (ws://host:port/ws) dialled and redialled
	// with backoff while Run runs.
	Peers []string
	// Mine makes Run mine continuously on Threads goroutines, paying
	// MinerKey (an x-only public key).
	Mine     bool
	Threads  int
	MinerKey [32]byte
	// Now is the node's clock; default time.Now. Tests control time with it.
	Now func() time.Time
	// Logger; default discards.
	Logger *slog.Logger
	// Agent is sent in HELLO; default "postwork/<Version>".
	Agent string
	// Limits are the relay's policies.
	Limits relay.Limits
	// WS tunes the WebSocket transport; its ReadLimit defaults to
	// Limits.MaxMessageSize.
	WS ws.Options
	// RedialMin and RedialMax bound the backoff between dials of a peer.
	RedialMin, RedialMax time.Duration
}

// Node is a running full node. Its methods are safe for concurrent use.
type Node struct {
	cfg    Config
	params *chain.Params
	store  Store
	chain  *chain.Chain
	pool   *mempool.Pool
	relay  *relay.Relay
	ws     *ws.Server
	info   *relay.Info
	miner  *miner.Miner
	log    *slog.Logger
	now    func() time.Time
	minPoW int
	nonce  uint64 // sent in HELLO: a HELLO carrying it is this node's own

	// chainMu orders the chain with the mempool: block processing and the
	// mempool changes it causes hold it for writing; admitting a post and
	// building a template hold it for reading, so neither sees a tip whose
	// posts are still in the pool.
	chainMu sync.RWMutex

	newTip chan struct{} // the miner's restart signal; capacity 1

	// connectQ feeds checked blocks to the connect loop while Run runs
	// (nil otherwise); connectDone is closed when that loop has exited.
	cmu         sync.Mutex
	connectQ    chan connectJob
	connectDone chan struct{}

	pmu      sync.Mutex
	peers    map[*relay.Client]*peer
	inflight map[chain.Hash]*request // blocks asked for, by hash

	dialMu sync.Mutex
	dialed map[string]bool // peer URLs added: whether their dial loop started
	runCtx context.Context // set while Run runs, for AddPeer
	runWG  *sync.WaitGroup
}

// New opens the chain in cfg.Store (writing genesis into an empty one),
// refills the mempool from the stored pending posts and sets up the relay.
// Nothing runs until Run; connections are served as soon as Handler is
// mounted.
func New(cfg Config) (*Node, error) {
	if cfg.Params == nil {
		return nil, errors.New("node: no network parameters")
	}
	if cfg.Store == nil {
		cfg.Store = NewMemStore()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Agent == "" {
		cfg.Agent = Software + "/" + Version
	}
	if cfg.MinPoW < 0 {
		cfg.MinPoW = cfg.Params.DefaultMinPostBits
	}
	if cfg.RedialMin <= 0 {
		cfg.RedialMin = 500 * time.Millisecond
	}
	if cfg.RedialMax < cfg.RedialMin {
		cfg.RedialMax = max(30*time.Second, cfg.RedialMin)
	}
	cfg.Limits = cfg.Limits.WithDefaults()
	if cfg.WS.ReadLimit <= 0 {
		cfg.WS.ReadLimit = int64(cfg.Limits.MaxMessageSize)
	}
	if cfg.WS.Logger == nil {
		cfg.WS.Logger = cfg.Logger
	}
	c, err := chain.New(cfg.Params, cfg.Store, chain.Config{})
	if err != nil {
		return nil, fmt.Errorf("node: open chain: %w", err)
	}
	n := &Node{
		cfg:      cfg,
		params:   cfg.Params,
		store:    cfg.Store,
		chain:    c,
		pool:     mempool.New(mempool.Config{MaxBytes: cfg.MempoolBytes, MinBits: cfg.MinPoW}),
		log:      cfg.Logger,
		now:      cfg.Now,
		minPoW:   cfg.MinPoW,
		miner:    miner.New(miner.Config{Threads: cfg.Threads}),
		newTip:   make(chan struct{}, 1),
		peers:    make(map[*relay.Client]*peer),
		inflight: make(map[chain.Hash]*request),
		dialed:   make(map[string]bool),
		nonce:    newNonce(),
	}
	n.relay = relay.New(n, relay.Options{Now: cfg.Now, Logger: cfg.Logger})
	cfg.Limits.Install(n.relay)
	n.relay.OnDisconnect = append(n.relay.OnDisconnect, n.peerGone)
	n.ws = ws.New(n.relay, cfg.WS)
	n.info = n.makeInfo()
	n.ws.SetInfo(n.info)
	if err := n.loadPending(); err != nil {
		return nil, err
	}
	return n, nil
}

// loadPending refills the mempool from the store. Posts confirmed
// meanwhile, and those the pool no longer admits, are forgotten.
func (n *Node) loadPending() error {
	evs, err := n.store.LoadPending()
	if err != nil {
		return fmt.Errorf("node: load pending posts: %w", err)
	}
	now := n.now()
	var drop [][32]byte
	for _, ev := range evs {
		if in, err := n.chain.HasEvent(ev.ID); err != nil {
			return fmt.Errorf("node: load pending posts: %w", err)
		} else if in {
			continue
		}
		// They were verified before they were stored.
		evicted, err := n.pool.AddVerified(ev, now)
		drop = append(drop, evicted...)
		if err != nil && !errors.Is(err, mempool.ErrDuplicate) {
			drop = append(drop, ev.ID)
			continue
		}
		n.relay.Publish(ev, nil) // only marks it seen: nobody is connected yet
	}
	if len(evs) > 0 {
		n.log.Info("mempool restored", "posts", n.pool.Len(), "dropped", len(drop))
	}
	return n.store.RemovePending(drop)
}

func (n *Node) makeInfo() *relay.Info {
	return &relay.Info{
		Name:          "postwork " + n.params.Name,
		Description:   "A postwork full node: Nostr posts with NIP-13 work, mined into a proof-of-work chain.",
		SupportedNIPs: []int{1, 11, 13},
		Software:      Software,
		Version:       Version,
		Limitation:    n.cfg.Limits.Limitation(n.minPoW),
		Postwork:      &relay.ChainInfo{Network: n.params.Name, Genesis: n.params.GenesisHash().String()},
	}
}

// Handler serves the relay: the WebSocket endpoint at /ws and the NIP-11
// document at / (and /ws). The HTTP API builds its own mux from WebSocket
// and InfoHandler instead.
func (n *Node) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/ws", n.ws)
	mux.Handle("/", n.InfoHandler(nil))
	return mux
}

// InfoHandler answers NIP-11 requests and passes the others to next.
func (n *Node) InfoHandler(next http.Handler) http.Handler { return ws.InfoHandler(n.info, next) }

// WebSocket is the relay's WebSocket endpoint, to mount at /ws.
func (n *Node) WebSocket() *ws.Server { return n.ws }

// Info is the NIP-11 document.
func (n *Node) Info() *relay.Info { return n.info }

// Chain, Pool and Relay give the API read access to the node's parts.
func (n *Node) Chain() *chain.Chain   { return n.chain }
func (n *Node) Pool() *mempool.Pool   { return n.pool }
func (n *Node) Relay() *relay.Relay   { return n.relay }
func (n *Node) Params() *chain.Params { return n.params }

// MinPoW is the NIP-13 difficulty the node asks of posts.
func (n *Node) MinPoW() int { return n.minPoW }

// Hashrate is the miner's hashes per second, zero when not mining.
func (n *Node) Hashrate() float64 { return n.miner.Hashrate() }

// Run dials the configured peers (and redials them with backoff), connects
// the blocks peers send (see connectLoop), mines if configured, and expires
// old posts, until ctx ends. It returns after every
// goroutine it started has exited; connections stay open until Shutdown.
func (n *Node) Run(ctx context.Context) error {
	for _, url := range n.cfg.Peers {
		if err := n.AddPeer(url); err != nil {
			return err
		}
	}
	var wg sync.WaitGroup
	n.dialMu.Lock()
	n.runCtx, n.runWG = ctx, &wg
	n.startDialsLocked()
	n.dialMu.Unlock()
	wg.Go(func() { n.maintain(ctx) })
	wg.Go(func() { n.connectLoop(ctx) })
	var mineErr error
	if n.cfg.Mine {
		wg.Go(func() { mineErr = n.mine(ctx) })
	}
	<-ctx.Done()
	n.dialMu.Lock()
	n.runCtx = nil
	for url := range n.dialed {
		n.dialed[url] = false
	}
	n.dialMu.Unlock()
	wg.Wait()
	if mineErr != nil && !errors.Is(mineErr, context.Canceled) {
		return mineErr
	}
	return nil
}

// Shutdown closes every connection cleanly (see ws.Server.Shutdown): what
// is being handled finishes and its answers are written first.
func (n *Node) Shutdown(ctx context.Context) error { return n.ws.Shutdown(ctx) }

// maintain runs the node's periodic chores until ctx ends: re-asking for
// blocks whose request timed out, and expiring posts that waited too long.
func (n *Node) maintain(ctx context.Context) {
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	lastExpire := n.now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n.expireRequests()
		n.requestBlocks(nil)
		if now := n.now(); now.Sub(lastExpire) >= time.Minute {
			lastExpire = now
			n.expirePosts(now)
		}
	}
}

// expirePosts drops posts older than mempool.DefaultMaxAge from the pool
// and the store.
func (n *Node) expirePosts(now time.Time) {
	before := n.pool.All()
	if n.pool.Expire(now.Add(-mempool.DefaultMaxAge)) == 0 {
		return
	}
	var gone [][32]byte
	for _, ev := range before {
		if !n.pool.Has(ev.ID) {
			gone = append(gone, ev.ID)
			n.relay.Forget(ev.ID)
		}
	}
	if err := n.store.RemovePending(gone); err != nil {
		n.log.Error("remove expired posts", "err", err)
	}
}
