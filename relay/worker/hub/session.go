package hub

import (
	"bytes"
	"context"
	"sync"

	"postwork/chain/wire"
	"postwork/relay"
)

// Socket is one WebSocket as the transport holds it.
type Socket interface {
	// Send writes a text frame; false if the socket is closed.
	Send(frame []byte) bool
	// Close closes the socket with a close code and reason.
	Close(code int, reason string)
}

// Keys of the frames saved per connection; ConnFrames returns them in key
// order, so the HELLO is replayed before the REQs.
const (
	keyHello  = "0hello"
	keyReqPfx = "1req:"
)

// Session is one open WebSocket: the core's Client and the frames that
// set it up, saved so a restore can rebuild it.
type Session struct {
	hub    *Hub
	id     string
	conn   *sessionConn
	client *relay.Client
	ctx    context.Context
	cancel context.CancelFunc
}

// sessionConn is the relay.Conn of a Session.
type sessionConn struct {
	s    *Session
	sock Socket
	ip   string

	mu     sync.Mutex
	muted  bool // restoring: answers to replayed frames are not sent
	closed bool
}

func (c *sessionConn) Send(frame []byte) bool {
	c.mu.Lock()
	muted, closed := c.muted, c.closed
	c.mu.Unlock()
	if closed {
		return false
	}
	// A subscription the core ended (refused, or its query failed) is no
	// longer restored.
	if bytes.HasPrefix(frame, []byte(`["CLOSED",`)) {
		if m, err := wire.Parse(frame); err == nil {
			c.s.forget(keyReqPfx + m.(*wire.MsgClosed).SubID)
		}
	}
	if muted {
		return true
	}
	return c.sock.Send(frame)
}

func (c *sessionConn) Close(code int, reason string) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	c.mu.Unlock()
	c.sock.Close(code, reason)
}

func (c *sessionConn) RemoteIP() string { return c.ip }

// Open registers a new socket with id (unique among the Durable Object's
// sockets, kept by the transport across hibernation) from ip. A banned IP
// or a full relay refuses it: the socket is closed and Open returns the
// error.
func (h *Hub) Open(id, ip string, sock Socket) (*Session, error) {
	s := &Session{hub: h, id: id}
	s.conn = &sessionConn{s: s, sock: sock, ip: ip}
	c, err := h.relay.Connect(s.conn)
	if err != nil {
		h.forgetConn(id)
		return nil, err
	}
	s.client = c
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// Restore registers a socket that stayed open while the Durable Object
// hibernated and replays the frames saved for it (its HELLO, its REQs
// asking for live events only) without sending their answers: the other
// side already has them and sees nothing but the live events that follow.
func (h *Hub) Restore(id, ip string, sock Socket) (*Session, error) {
	var frames [][]byte
	if h.store != nil {
		var err error
		if frames, err = h.store.ConnFrames(id); err != nil {
			h.log.Error("load connection state", "conn", id, "err", err)
		}
	}
	s, err := h.Open(id, ip, sock)
	if err != nil {
		return nil, err
	}
	s.conn.mu.Lock()
	s.conn.muted = true
	s.conn.mu.Unlock()
	for _, f := range frames {
		s.client.Handle(s.ctx, f)
	}
	s.drain()
	s.conn.mu.Lock()
	s.conn.muted = false
	s.conn.mu.Unlock()
	return s, nil
}

// Client is the session's connection in the core.
func (s *Session) Client() *relay.Client { return s.client }

// Message handles one frame from the socket, saving what a restore needs:
// an accepted HELLO, each REQ (as live-only), and dropping a CLOSEd REQ.
func (s *Session) Message(frame []byte) {
	verb := peekVerb(frame)
	var m wire.Message
	if verb == wire.VerbReq || verb == wire.VerbClose || verb == wire.VerbHello {
		m, _ = wire.Parse(frame)
	}
	if req, ok := m.(*wire.MsgReq); ok {
		live := &wire.MsgReq{SubID: req.SubID, Filters: make([]wire.Filter, len(req.Filters))}
		for i, f := range req.Filters {
			f.Limit, f.HasLimit = 0, true
			live.Filters[i] = f
		}
		// Saved before it is handled: a refusal's CLOSED removes it.
		s.save(keyReqPfx+req.SubID, wire.Encode(live))
	}
	wasPeer := s.client.IsPeer()
	s.client.Handle(s.ctx, frame)
	s.drain()
	switch m := m.(type) {
	case *wire.MsgClose:
		s.forget(keyReqPfx + m.SubID)
	case *wire.MsgHello:
		if !wasPeer && s.client.IsPeer() {
			s.save(keyHello, frame)
		}
	}
}

// Closed tells the core the socket ended and forgets its saved state.
func (s *Session) Closed() {
	s.conn.mu.Lock()
	s.conn.closed = true
	s.conn.mu.Unlock()
	s.cancel()
	s.hub.relay.Disconnect(s.client)
	s.hub.forgetConn(s.id)
}

// drain waits until the frame just handled is answered (with EventWindow
// 1 it already is; this keeps Message's promise if that ever changes).
func (s *Session) drain() { s.client.Drain() }

func (s *Session) save(key string, frame []byte) {
	if s.hub.store == nil {
		return
	}
	if err := s.hub.store.PutConnFrame(s.id, key, frame); err != nil {
		s.hub.log.Error("save connection state", "conn", s.id, "err", err)
	}
}

func (s *Session) forget(key string) {
	if s.hub.store == nil {
		return
	}
	if err := s.hub.store.DeleteConnFrame(s.id, key); err != nil {
		s.hub.log.Error("forget connection state", "conn", s.id, "err", err)
	}
}

func (h *Hub) forgetConn(id string) {
	if h.store == nil {
		return
	}
	if err := h.store.DeleteConn(id); err != nil {
		h.log.Error("forget connection", "conn", id, "err", err)
	}
}

// peekVerb returns the first string of a JSON array frame if it is short
// and plain, "" otherwise: enough to tell which frames are worth a second
// parse.
func peekVerb(frame []byte) string {
	i := 0
	skip := func() {
		for i < len(frame) && (frame[i] == ' ' || frame[i] == '\t' || frame[i] == '\n' || frame[i] == '\r') {
			i++
		}
	}
	skip()
	if i >= len(frame) || frame[i] != '[' {
		return ""
	}
	i++
	skip()
	if i >= len(frame) || frame[i] != '"' {
		return ""
	}
	i++
	start := i
	for i < len(frame) && i-start <= 16 && frame[i] != '"' && frame[i] != '\\' {
		i++
	}
	if i >= len(frame) || frame[i] != '"' {
		return ""
	}
	return string(frame[start:i])
}
