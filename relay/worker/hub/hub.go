package hub

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"postwork/chain"
	"postwork/chain/nostr"
	"postwork/relay"
)

// Software and Version name this implementation in HELLO and NIP-11.
const (
	Software = "postwork-worker"
	Version  = "0.1.0"
)

// Config sets up a Hub. Params is required; zero fields take defaults.
type Config struct {
	Params *chain.Params
	// MinPoW is the NIP-13 difficulty a post needs; negative:
	// Params.DefaultMinPostBits.
	MinPoW int
	// MaxPosts and MaxPostBytes bound the recent posts kept (binary
	// encoding size); the oldest go first. MaxPostAge drops posts older
	// than it (by arrival), as a full node's mempool does.
	MaxPosts     int
	MaxPostBytes int
	MaxPostAge   time.Duration
	// MaxBlocks and MaxBlockBytes bound the recent block bodies kept to
	// answer GETBLOCKS.
	MaxBlocks     int
	MaxBlockBytes int
	// Store persists posts and connections' state; nil keeps nothing.
	Store Store
	Now   func() time.Time
	// Logger; default discards.
	Logger *slog.Logger
	Limits relay.Limits
}

// Defaults for Config.
const (
	DefaultMaxPosts      = 5000
	DefaultMaxPostBytes  = 16 << 20
	DefaultMaxPostAge    = 72 * time.Hour
	DefaultMaxBlocks     = 64
	DefaultMaxBlockBytes = 32 << 20
)

// Store is what the hub persists: recent posts, so a Durable Object that
// was evicted from memory serves them again, and the frames that set up
// each open connection (its HELLO and REQs), so subscriptions survive
// hibernation. Each call is one synchronous write (the Durable Object's
// SQLite storage); its output gate holds the answers sent after a write
// until the write is durable.
type Store interface {
	LoadPosts() ([]*nostr.Event, error)
	SavePost(ev *nostr.Event, at time.Time) error
	DeletePosts(ids [][32]byte) error

	// ConnFrames returns the frames saved for a connection, in key order.
	ConnFrames(conn string) ([][]byte, error)
	PutConnFrame(conn, key string, frame []byte) error
	DeleteConnFrame(conn, key string) error
	DeleteConn(conn string) error
}

// Hub is the worker's relay: the core, recent posts and the header chain.
// Its methods are safe for concurrent use (the worker calls them from one
// thread; tests do not).
type Hub struct {
	cfg    Config
	params *chain.Params
	minPoW int
	relay  *relay.Relay
	log    *slog.Logger
	now    func() time.Time
	store  Store
	info   []byte

	mu    sync.Mutex
	posts posts

	chain  *chain.Chain
	cmu    sync.Mutex
	peers  map[*relay.Client]*peer
	blocks blockCache
}

// New returns a hub with the posts the store kept.
func New(cfg Config) (*Hub, error) {
	if cfg.Params == nil {
		return nil, errors.New("hub: no network parameters")
	}
	if cfg.MinPoW < 0 {
		cfg.MinPoW = cfg.Params.DefaultMinPostBits
	}
	if cfg.MaxPosts <= 0 {
		cfg.MaxPosts = DefaultMaxPosts
	}
	if cfg.MaxPostBytes <= 0 {
		cfg.MaxPostBytes = DefaultMaxPostBytes
	}
	if cfg.MaxPostAge <= 0 {
		cfg.MaxPostAge = DefaultMaxPostAge
	}
	if cfg.MaxBlocks <= 0 {
		cfg.MaxBlocks = DefaultMaxBlocks
	}
	if cfg.MaxBlockBytes <= 0 {
		cfg.MaxBlockBytes = DefaultMaxBlockBytes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.Limits = cfg.Limits.WithDefaults()
	// The header chain lives in memory: a Durable Object that was evicted
	// follows its peers' headers again (a day of dev blocks is 1.6 MB).
	c, err := chain.New(cfg.Params, chain.NewMemStore(), chain.Config{HeadersOnly: true})
	if err != nil {
		return nil, fmt.Errorf("hub: open header chain: %w", err)
	}
	h := &Hub{
		cfg:    cfg,
		params: cfg.Params,
		minPoW: cfg.MinPoW,
		log:    cfg.Logger,
		now:    cfg.Now,
		store:  cfg.Store,
		chain:  c,
		peers:  make(map[*relay.Client]*peer),
		posts:  newPosts(cfg.MaxPosts, cfg.MaxPostBytes),
		blocks: newBlockCache(cfg.MaxBlocks, cfg.MaxBlockBytes),
	}
	// EventWindow 1: EVENTs are handled in order on the caller. A Worker has
	// one thread, so verifying several at once gains nothing, and the
	// Durable Object's handler must finish its work before it returns.
	h.relay = relay.New(h, relay.Options{Now: cfg.Now, Logger: cfg.Logger, EventWindow: 1})
	cfg.Limits.Install(h.relay)
	h.relay.OnDisconnect = append(h.relay.OnDisconnect, h.peerGone)
	h.info = h.makeInfo()
	if err := h.loadPosts(); err != nil {
		return nil, err
	}
	return h, nil
}

// Relay is the relay core the hub backs.
func (h *Hub) Relay() *relay.Relay { return h.relay }

// Chain is the header chain the hub follows.
func (h *Hub) Chain() *chain.Chain { return h.chain }

// MinPoW is the NIP-13 difficulty the hub asks of posts.
func (h *Hub) MinPoW() int { return h.minPoW }

// Posts is how many recent posts the hub holds.
func (h *Hub) Posts() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.posts.len()
}

// loadPosts refills the recent posts from the store; they were verified
// before they were saved.
func (h *Hub) loadPosts() error {
	if h.store == nil {
		return nil
	}
	evs, err := h.store.LoadPosts()
	if err != nil {
		return fmt.Errorf("hub: load posts: %w", err)
	}
	now := h.now()
	h.mu.Lock()
	var drop [][32]byte
	for _, ev := range evs {
		drop = append(drop, h.posts.add(ev, now)...)
		h.relay.Publish(ev, nil) // marks it seen: nobody is connected yet
	}
	h.mu.Unlock()
	if len(drop) > 0 {
		return h.store.DeletePosts(drop)
	}
	return nil
}
