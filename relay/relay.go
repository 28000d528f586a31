package relay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"postwork/chain/nostr"
	"postwork/chain/wire"
)

// Options tune a Relay. Zero fields take the defaults below.
type Options struct {
	// Now is the clock (rate limits, ban decay); default time.Now.
	Now func() time.Time
	// Logger receives connection and misbehaviour logs; default discards.
	Logger *slog.Logger
	// BanThreshold is the score at which an IP is banned, BanHalfLife how
	// fast scores decay and BanDuration how long a ban lasts.
	BanThreshold int
	BanHalfLife  time.Duration
	BanDuration  time.Duration
	// SeenEvents is how many recent event ids the relay remembers, so a post
	// that comes back from another peer is neither verified nor forwarded
	// again.
	SeenEvents int
	// QueryTimeout bounds the stored-event query of one REQ.
	QueryTimeout time.Duration
	// PendingLive bounds the live events a subscription holds back while its
	// stored events are being sent.
	PendingLive int
	// EventWindow is how many EVENTs of one connection are verified and
	// submitted at once, each OK sent as its event is done. Verification
	// then uses every core for one connection (a peer forwarding posts), and
	// a backend that commits concurrent submissions together (relay/store's
	// group commit) gets them together. The connection's reader waits when
	// its window is full, so a flood still slows only its sender. 1: one at
	// a time, in order.
	EventWindow int
}

// Defaults for Options.
const (
	DefaultBanThreshold = 100
	DefaultBanHalfLife  = time.Minute
	DefaultBanDuration  = 10 * time.Minute
	DefaultSeenEvents   = 200_000
	DefaultQueryTimeout = 10 * time.Second
	DefaultPendingLive  = 1000
	DefaultEventWindow  = 32
)

// Relay is the relay core. Fill the hook slices before the first Connect;
// they are read without locking.
type Relay struct {
	// RejectConnection runs when a connection arrives, already counted in
	// ConnectionsFrom; a rejection closes it with the message as reason.
	RejectConnection []func(c *Client) (reject bool, msg string)
	// OnConnect runs for each accepted connection, OnDisconnect once when
	// it ends.
	OnConnect    []func(c *Client)
	OnDisconnect []func(c *Client)
	// RejectFrame runs on each frame before it is parsed (size limits).
	RejectFrame []func(ctx context.Context, c *Client, frame []byte) (reject bool, msg string)
	// RejectMessage runs on each parsed message (rate limits).
	RejectMessage []func(ctx context.Context, c *Client, m wire.Message) (reject bool, msg string)
	// RejectEvent runs on each new, verified event before the backend
	// sees it, on the event's own goroutine (several may run at once).
	RejectEvent []func(ctx context.Context, c *Client, ev *nostr.Event) (reject bool, msg string)
	// RejectReq runs on each REQ before it is served (subscription and
	// filter limits).
	RejectReq []func(ctx context.Context, c *Client, req *wire.MsgReq) (reject bool, msg string)
	// OnEventResult runs once for each EVENT a client published, with the
	// OK it was answered: accepted (duplicates included) and the reason
	// (empty, or with a NIP-01 prefix). For metrics; it must not block, and
	// runs on several goroutines at once (see Options.EventWindow).
	OnEventResult []func(c *Client, id [32]byte, accepted bool, reason string)

	backend Backend
	opts    Options
	log     *slog.Logger
	seen    *SeenSet
	bans    *banList

	mu      sync.RWMutex
	clients map[*Client]struct{}
	perIP   map[string]int
	nextID  uint64
	closed  bool
	// list is the open connections as a slice, rebuilt after a connect or
	// disconnect, so a fan-out walks them without copying the map each time.
	list atomic.Pointer[[]*Client]
}

// New returns a relay that hands events, queries and chain verbs to b.
func New(b Backend, opts Options) *Relay {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.BanThreshold <= 0 {
		opts.BanThreshold = DefaultBanThreshold
	}
	if opts.BanHalfLife <= 0 {
		opts.BanHalfLife = DefaultBanHalfLife
	}
	if opts.BanDuration <= 0 {
		opts.BanDuration = DefaultBanDuration
	}
	if opts.SeenEvents <= 0 {
		opts.SeenEvents = DefaultSeenEvents
	}
	if opts.QueryTimeout <= 0 {
		opts.QueryTimeout = DefaultQueryTimeout
	}
	if opts.PendingLive <= 0 {
		opts.PendingLive = DefaultPendingLive
	}
	if opts.EventWindow <= 0 {
		opts.EventWindow = DefaultEventWindow
	}
	return &Relay{
		backend: b,
		opts:    opts,
		log:     opts.Logger,
		seen:    NewSeenSet(opts.SeenEvents),
		bans:    newBanList(opts.BanThreshold, opts.BanHalfLife, opts.BanDuration),
		clients: make(map[*Client]struct{}),
		perIP:   make(map[string]int),
	}
}

// ErrRefused is wrapped by Connect's error for a connection a ban or a
// RejectConnection hook refused.
var ErrRefused = errors.New("connection refused")

// Connect registers a new connection. A banned IP, a relay that is shutting
// down or a RejectConnection hook refuses it: the connection is closed with
// the reason and Connect returns an error wrapping ErrRefused. The
// transport calls Disconnect when the connection ends, whatever the reason.
func (r *Relay) Connect(conn Conn) (*Client, error) {
	ip := conn.RemoteIP()
	now := r.opts.Now()
	if banned, until := r.bans.banned(ip, now); banned {
		reason := fmt.Sprintf("blocked: banned for misbehaviour until %s", until.UTC().Format(time.RFC3339))
		conn.Close(ClosePolicyViolation, reason)
		return nil, fmt.Errorf("%w: %s", ErrRefused, reason)
	}
	c := &Client{relay: r, conn: conn, ip: ip, connected: now, subs: make(map[string]*subscription), done: make(chan struct{})}
	if r.opts.EventWindow > 1 {
		c.window = make(chan struct{}, r.opts.EventWindow)
	}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		conn.Close(CloseGoingAway, "relay shutting down")
		return nil, fmt.Errorf("%w: relay shutting down", ErrRefused)
	}
	r.nextID++
	c.id = r.nextID
	r.clients[c] = struct{}{}
	r.perIP[ip]++
	r.list.Store(nil)
	r.mu.Unlock()
	for _, hook := range r.RejectConnection {
		if reject, msg := hook(c); reject {
			r.remove(c)
			c.closeConn(CloseTryAgainLater, msg)
			return nil, fmt.Errorf("%w: %s", ErrRefused, msg)
		}
	}
	for _, hook := range r.OnConnect {
		hook(c)
	}
	r.log.Debug("connect", "client", c.id, "ip", ip)
	return c, nil
}

// Disconnect forgets a connection the transport saw end: its subscriptions
// end and OnDisconnect runs. Calling it twice does nothing.
func (r *Relay) Disconnect(c *Client) {
	if !r.remove(c) {
		return
	}
	c.mu.Lock()
	c.subs, c.subList = nil, nil
	c.mu.Unlock()
	close(c.done)
	for _, hook := range r.OnDisconnect {
		hook(c)
	}
	r.log.Debug("disconnect", "client", c.id, "ip", c.ip)
}

func (r *Relay) remove(c *Client) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.clients[c]; !ok {
		return false
	}
	delete(r.clients, c)
	r.list.Store(nil)
	if r.perIP[c.ip]--; r.perIP[c.ip] <= 0 {
		delete(r.perIP, c.ip)
	}
	return true
}

// Close refuses new connections and closes every open one with
// CloseGoingAway; transports then call Disconnect as they see them end.
func (r *Relay) Close(reason string) {
	r.mu.Lock()
	r.closed = true
	clients := r.snapshotLocked()
	r.mu.Unlock()
	for _, c := range clients {
		c.closeConn(CloseGoingAway, reason)
	}
}

// ConnectionsFrom is how many connections ip has open.
func (r *Relay) ConnectionsFrom(ip string) int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.perIP[ip]
}

// Clients returns the open connections.
func (r *Relay) Clients() []*Client {
	return slices.Clone(r.clientList())
}

// clientList returns the open connections in a slice shared until the next
// connect or disconnect: read it, never modify it.
func (r *Relay) clientList() []*Client {
	if l := r.list.Load(); l != nil {
		return *l
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	if l := r.list.Load(); l != nil {
		return *l
	}
	l := r.snapshotLocked()
	r.list.Store(&l)
	return l
}

func (r *Relay) snapshotLocked() []*Client {
	out := make([]*Client, 0, len(r.clients))
	for c := range r.clients {
		out = append(out, c)
	}
	return out
}

// Peers returns the connections that introduced themselves as nodes.
func (r *Relay) Peers() []*Client {
	var out []*Client
	for _, c := range r.clientList() {
		if c.IsPeer() {
			out = append(out, c)
		}
	}
	return out
}

// Now returns the relay's clock.
func (r *Relay) Now() time.Time { return r.opts.Now() }

// Logger returns the relay's logger.
func (r *Relay) Logger() *slog.Logger { return r.log }

// Seen reports whether an event id was published recently.
func (r *Relay) Seen(id [32]byte) bool { return r.seen.Has(id) }

// Forget removes an event id from the recently seen set, so the event is
// published again when it comes back (a post returned to the pool by a
// reorganisation).
func (r *Relay) Forget(id [32]byte) { r.seen.Remove(id) }

// Publish hands a newly accepted event to every matching subscription and
// forwards it to every peer but origin (nil: all), once: an event seen
// recently is dropped. It reports whether the event was new. The node
// calls it for posts accepted outside a connection (the HTTP API); events
// accepted through Handle are published by the core.
func (r *Relay) Publish(ev *nostr.Event, origin *Client) bool {
	if !r.seen.Add(ev.ID) {
		return false
	}
	r.fanOut(ev, origin, true)
	return true
}

// Deliver hands an event to matching subscriptions without forwarding it
// to peers, once: for posts first seen in a block, which peers get with
// the block.
func (r *Relay) Deliver(ev *nostr.Event) bool {
	if !r.seen.Add(ev.ID) {
		return false
	}
	r.fanOut(ev, nil, false)
	return true
}

// Broadcast sends a message to every peer but except (nil: all).
func (r *Relay) Broadcast(m wire.Message, except *Client) {
	frame := NewFrame(wire.Encode(m))
	for _, c := range r.clientList() {
		if c != except && c.IsPeer() {
			c.sendShared(frame)
		}
	}
}

// fanOut encodes ev once, and each delivery frame once per subscription
// id, and queues them to each matching subscription and, if forward, to
// each peer but origin. Connections share the frames (see Frame), so a
// delivery costs a queue append, not an encoding.
func (r *Relay) fanOut(ev *nostr.Event, origin *Client, forward bool) {
	evJSON := ev.AppendJSON(nil)
	var fwd *Frame
	if forward {
		data := make([]byte, 0, len(evJSON)+12)
		data = append(data, `["EVENT",`...)
		data = append(data, evJSON...)
		data = append(data, ']')
		fwd = NewFrame(data)
	}
	// Frames are shared by subscriptions with the same id, which is common:
	// clients built on one library number their subscriptions alike.
	d := delivery{ev: ev, evJSON: evJSON}
	for _, c := range r.clientList() {
		if forward && c != origin && c.IsPeer() {
			c.sendShared(fwd)
		}
		c.deliver(&d)
	}
}
