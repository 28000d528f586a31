package ws

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"postwork/chain/wire"
	"postwork/relay"
)

// Options tune a Server. Zero fields take the defaults below.
type Options struct {
	// MaxQueue is how many bytes may wait for a slow reader before its
	// connection is dropped.
	MaxQueue int
	// ReadLimit is the largest frame read from a connection that has not
	// said HELLO; the core raises it to wire.MaxFrameSize for peers.
	ReadLimit int64
	// WriteTimeout bounds each write; PongTimeout is how long a connection
	// may stay silent (pings go out every PingInterval, by default half of
	// it, so a live peer's pongs keep it open); CloseGrace how long to wait
	// for the answer to a close frame.
	WriteTimeout time.Duration
	PongTimeout  time.Duration
	PingInterval time.Duration
	CloseGrace   time.Duration
	// HandshakeTimeout bounds Dial's opening handshake.
	HandshakeTimeout time.Duration
	// CheckOrigin decides whether a browser page of another origin may
	// connect; default: any (Nostr clients are served from anywhere).
	CheckOrigin func(r *http.Request) bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-For (or
	// X-Real-IP) names the client: a connection from one of them counts,
	// for per-IP limits and bans, as the address the header gives. Default
	// none: the headers are ignored, since anyone can send them.
	TrustedProxies []netip.Prefix
	Logger         *slog.Logger
}

// Defaults for Options.
const (
	DefaultMaxQueue         = 4 << 20
	DefaultReadLimit        = wire.MaxMessageSize
	DefaultWriteTimeout     = 10 * time.Second
	DefaultPongTimeout      = 60 * time.Second
	DefaultCloseGrace       = time.Second
	DefaultHandshakeTimeout = 10 * time.Second
)

// Server serves the relay core over WebSockets. It is an http.Handler for
// the WebSocket endpoint; it answers a plain GET that asks for
// application/nostr+json with the NIP-11 document if one is set.
type Server struct {
	relay    *relay.Relay
	opts     Options
	info     http.Handler
	upgrader websocket.Upgrader
	dialer   websocket.Dialer
	log      *slog.Logger

	mu       sync.Mutex
	conns    map[*conn]struct{}
	shutdown bool
	wg       sync.WaitGroup // one per connection: until both pumps end
}

// New returns a Server for r.
func New(r *relay.Relay, opts Options) *Server {
	if opts.MaxQueue <= 0 {
		opts.MaxQueue = DefaultMaxQueue
	}
	if opts.ReadLimit <= 0 {
		opts.ReadLimit = DefaultReadLimit
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = DefaultWriteTimeout
	}
	if opts.PongTimeout <= 0 {
		opts.PongTimeout = DefaultPongTimeout
	}
	// Half the timeout leaves a pong as long to come back as the ping
	// waited to go out, so a busy but live peer is not cut off.
	if opts.PingInterval <= 0 || opts.PingInterval >= opts.PongTimeout {
		opts.PingInterval = opts.PongTimeout / 2
	}
	if opts.CloseGrace <= 0 {
		opts.CloseGrace = DefaultCloseGrace
	}
	if opts.HandshakeTimeout <= 0 {
		opts.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if opts.CheckOrigin == nil {
		opts.CheckOrigin = func(*http.Request) bool { return true }
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	// Idle connections hold no write buffer: writes borrow one from the pool.
	pool := &sync.Pool{}
	return &Server{
		relay: r,
		opts:  opts,
		log:   opts.Logger,
		upgrader: websocket.Upgrader{
			WriteBufferPool: pool,
			CheckOrigin:     opts.CheckOrigin,
		},
		dialer: websocket.Dialer{
			HandshakeTimeout: opts.HandshakeTimeout,
			WriteBufferPool:  pool,
			Proxy:            nil,
		},
		conns: make(map[*conn]struct{}),
	}
}

// SetInfo makes ServeHTTP answer NIP-11 requests on the WebSocket endpoint
// too (NIP-11 asks for the document at the relay's own URL).
func (s *Server) SetInfo(info *relay.Info) { s.info = InfoHandler(info, nil) }

// ServeHTTP upgrades a WebSocket request and serves the connection until it
// ends; the request's goroutine is the connection's reader.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !websocket.IsWebSocketUpgrade(r) {
		if s.info != nil && wantsInfo(r) {
			s.info.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusUpgradeRequired)
		io.WriteString(w, "this is a Nostr relay: connect with a WebSocket, or ask for application/nostr+json\n")
		return
	}
	s.mu.Lock()
	down := s.shutdown
	s.mu.Unlock()
	if down {
		http.Error(w, "relay shutting down", http.StatusServiceUnavailable)
		return
	}
	cw := &corkWriter{ResponseWriter: w}
	ws, err := s.upgrader.Upgrade(cw, r, nil)
	if err != nil {
		return // the upgrader has answered with an HTTP error
	}
	c, ok := s.track(ws, cw.conn, true, clientIP(r, s.opts.TrustedProxies))
	if !ok {
		return
	}
	s.serve(r.Context(), c)
}

// Dial connects to another relay as a client of it and serves the
// connection like an accepted one, on a new reader goroutine that exits
// when the connection ends (watch Client.Done). The caller sends HELLO.
func (s *Server) Dial(ctx context.Context, url string) (*relay.Client, error) {
	d := s.dialer
	var cork *corkConn
	d.NetDialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		nc, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		cork = &corkConn{Conn: nc}
		return cork, nil
	}
	ws, resp, err := d.DialContext(ctx, url, nil)
	if err != nil {
		if resp != nil {
			return nil, errors.New("dial " + url + ": " + resp.Status)
		}
		return nil, err
	}
	c, ok := s.track(ws, cork, false, remoteIP(ws.RemoteAddr().String()))
	if !ok {
		return nil, errors.New("dial " + url + ": relay shutting down")
	}
	rc, err := s.relay.Connect(c)
	if err != nil {
		s.untrack(c)
		return nil, err
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.servePumps(context.WithoutCancel(ctx), c, rc)
	}()
	return rc, nil
}

// track registers a new connection, refusing it during shutdown. Each
// tracked connection holds one count of wg until untracked.
func (s *Server) track(ws *websocket.Conn, cork *corkConn, server bool, ip string) (*conn, bool) {
	c := newConn(ws, cork, server, ip, &s.opts)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutdown {
		ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "relay shutting down"), time.Now().Add(time.Second))
		ws.Close()
		return nil, false
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	return c, true
}

func (s *Server) untrack(c *conn) {
	s.mu.Lock()
	_, ok := s.conns[c]
	delete(s.conns, c)
	s.mu.Unlock()
	if ok {
		c.ws.Close()
		s.wg.Done()
	}
}

// serve registers an accepted connection with the core and runs it.
func (s *Server) serve(ctx context.Context, c *conn) {
	rc, err := s.relay.Connect(c)
	if err != nil {
		// The core closed c with its reason; write it out. No reader runs.
		close(c.readerDone)
		go c.writePump()
		<-c.writerDone
		s.untrack(c)
		return
	}
	s.servePumps(ctx, c, rc)
}

// servePumps starts the writer and reads until the connection ends, then
// waits for the writer. It returns when both are done.
func (s *Server) servePumps(ctx context.Context, c *conn, rc *relay.Client) {
	defer s.untrack(c)
	go c.writePump()
	s.readPump(ctx, c, rc)
	close(c.readerDone)
	s.mu.Lock()
	down := s.shutdown
	s.mu.Unlock()
	if down {
		c.Close(websocket.CloseGoingAway, "relay shutting down")
	} else {
		c.Close(websocket.CloseNormalClosure, "")
	}
	<-c.writerDone
	s.relay.Disconnect(rc)
}

// readPump hands each frame to the core until a read fails: the other side
// closed, went silent past PongTimeout, sent too much, or Shutdown set the
// read deadline to now. A frame being handled is finished first.
func (s *Server) readPump(ctx context.Context, c *conn, rc *relay.Client) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ws := c.ws
	ws.SetReadLimit(s.opts.ReadLimit)
	extend := func() { c.extendRead(s.opts.PongTimeout) }
	extend()
	ws.SetPongHandler(func(string) error { extend(); return nil })
	defer rc.Drain() // the EVENTs still being handled are answered before the close
	for {
		_, r, err := ws.NextReader()
		if err != nil {
			s.readFailed(rc, err)
			return
		}
		frame, err := io.ReadAll(r)
		if err != nil {
			s.readFailed(rc, err)
			return
		}
		extend()
		select {
		case <-c.quit:
			return // closed by the core (ban, slow consumer): read no more
		default:
		}
		rc.Handle(ctx, frame)
	}
}

func (s *Server) readFailed(rc *relay.Client, err error) {
	if errors.Is(err, websocket.ErrReadLimit) {
		// gorilla has sent close 1009 (message too big).
		rc.Misbehave(relay.ScoreTooLarge, "message over the read limit")
		return
	}
	if !websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway, websocket.CloseNoStatusReceived) {
		s.log.Debug("read", "client", rc.ID(), "err", err)
	}
}

// Shutdown stops accepting connections, stops reading on every open one,
// lets frames being handled finish, writes out what is queued and closes
// each connection with "going away". It returns when all connections have
// ended, or when ctx ends, after cutting the remaining ones off.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.shutdown = true
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.stopRead()
	}
	done := make(chan struct{})
	go func() { // exits when every connection has ended
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		for c := range s.conns {
			c.ws.NetConn().Close()
		}
		s.mu.Unlock()
		<-done
		return ctx.Err()
	}
}

// Connections is the number of open connections, accepted and dialled.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

func remoteIP(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return host
}
