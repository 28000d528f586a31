package relay

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"postwork/chain/nostr"
	"postwork/chain/wire"
)

// Client is one connection's state in the core. Its methods are safe for
// concurrent use; Handle is called by one goroutine at a time.
type Client struct {
	relay     *Relay
	conn      Conn
	ip        string
	id        uint64
	connected time.Time
	done      chan struct{}
	peer      atomic.Bool

	// window holds a token per EVENT being handled off the reader (nil: one
	// at a time, on it); events counts them for Drain.
	window chan struct{}
	events sync.WaitGroup

	mu      sync.Mutex
	subs    map[string]*subscription // nil once disconnected
	subList []*subscription          // subs' values, for fan-outs to walk
	buckets map[*rateKey]*bucket
	closing bool
}

// ID is a number unique among the relay's connections, for logs.
func (c *Client) ID() uint64 { return c.id }

// RemoteIP is the connection's IP address.
func (c *Client) RemoteIP() string { return c.ip }

// Relay returns the relay the client is connected to.
func (c *Client) Relay() *Relay { return c.relay }

// ConnectedAt is when the connection was accepted.
func (c *Client) ConnectedAt() time.Time { return c.connected }

// IsPeer reports whether the other side introduced itself as a node (a
// HELLO the backend accepted).
func (c *Client) IsPeer() bool { return c.peer.Load() }

// Done is closed when the connection has ended.
func (c *Client) Done() <-chan struct{} { return c.done }

// setSubLocked opens (sub non-nil) or ends a subscription and rebuilds
// subList. c.mu must be held and c.subs non-nil.
func (c *Client) setSubLocked(id string, sub *subscription) {
	if sub != nil {
		c.subs[id] = sub
	} else {
		delete(c.subs, id)
	}
	c.subList = c.subList[:0] // fan-outs read it under c.mu too
	for _, s := range c.subs {
		c.subList = append(c.subList, s)
	}
}

// Subscriptions is the number of open subscriptions.
func (c *Client) Subscriptions() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.subs)
}

// Send queues a message; false if it was not queued (see Conn.Send).
func (c *Client) Send(m wire.Message) bool { return c.conn.Send(wire.Encode(m)) }

// SendFrame queues an encoded frame.
func (c *Client) SendFrame(frame []byte) bool { return c.conn.Send(frame) }

// WaitQueue waits until a frame of n bytes can be queued for the client
// without crowding its queue, if its transport can tell (QueueWaiter);
// false if the connection ended.
// Call it only from the client's own handler (Handle, or a Backend method
// it called): it paces that connection and must not stall anyone else.
func (c *Client) WaitQueue(ctx context.Context, n int) bool {
	if w, ok := c.conn.(QueueWaiter); ok {
		return w.WaitQueue(ctx, n)
	}
	select {
	case <-c.done:
		return false
	default:
		return true
	}
}

// Close closes the connection with a WebSocket close code and reason.
func (c *Client) Close(code int, reason string) { c.closeConn(code, reason) }

func (c *Client) closeConn(code int, reason string) {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return
	}
	c.closing = true
	c.mu.Unlock()
	c.conn.Close(code, reason)
}

// isClosing reports whether the core has closed the connection.
func (c *Client) isClosing() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closing
}

// Misbehave adds points to the client's IP's ban score. At the threshold
// the connection is closed with the reason and the IP refused for
// Options.BanDuration. It reports whether the client was banned.
func (c *Client) Misbehave(points int, reason string) bool {
	if points <= 0 {
		return false
	}
	banned, total := c.relay.bans.add(c.ip, points, c.relay.opts.Now())
	c.relay.log.Info("misbehaviour", "client", c.id, "ip", c.ip, "points", points, "score", int(total), "reason", reason)
	if banned {
		c.relay.log.Warn("banned", "ip", c.ip, "for", c.relay.opts.BanDuration, "reason", reason)
		c.Send(&wire.MsgNotice{Message: "blocked: banned for misbehaviour: " + reason})
		c.closeConn(ClosePolicyViolation, "blocked: "+reason)
	}
	return banned
}

// notice sends a NOTICE.
func (c *Client) notice(format string, args ...any) {
	c.Send(&wire.MsgNotice{Message: fmt.Sprintf(format, args...)})
}

// Handle processes one frame from the connection. The transport calls it
// for each frame in order, from the connection's reader goroutine. It
// returns when the frame is handled (a REQ's stored events queued, a chain
// verb answered), except that a new EVENT is verified and submitted on its
// own goroutine, up to Options.EventWindow per connection, each answered
// with its OK when durably accepted or refused: Handle waits only while
// the window is full, so a connection that floods still only slows itself.
// ctx must last until Drain has returned.
func (c *Client) Handle(ctx context.Context, frame []byte) {
	r := c.relay
	for _, hook := range r.RejectFrame {
		if reject, msg := hook(ctx, c, frame); reject {
			c.notice("%s", msg)
			c.Misbehave(ScoreTooLarge, msg)
			return
		}
	}
	m, err := wire.Parse(frame)
	if err != nil {
		c.parseFailed(err)
		return
	}
	for _, hook := range r.RejectMessage {
		if reject, msg := hook(ctx, c, m); reject {
			c.refuse(m, msg)
			c.Misbehave(ScoreRateLimited, msg)
			return
		}
	}
	switch m := m.(type) {
	case *wire.MsgEvent:
		if m.SubID != "" {
			return // a delivery for a subscription this side never opens
		}
		c.handleEvent(ctx, m.Event)
	case *wire.MsgReq:
		c.handleReq(ctx, m)
	case *wire.MsgClose:
		c.handleClose(m)
	case *wire.MsgOK, *wire.MsgEOSE, *wire.MsgClosed, *wire.MsgNotice:
		// Answers to what this node sent a peer; nothing to do.
		if n, ok := m.(*wire.MsgNotice); ok {
			r.log.Debug("notice from peer", "client", c.id, "message", n.Message)
		}
	case *wire.MsgHello:
		c.handleHello(ctx, m)
	default:
		c.handleChain(ctx, m)
	}
}

// parseFailed answers a frame that did not parse in the most specific way
// the error allows, and scores it.
func (c *Client) parseFailed(err error) {
	var pe *wire.ParseError
	if !errors.As(err, &pe) {
		pe = &wire.ParseError{Msg: err.Error(), Err: wire.ErrMalformed}
	}
	switch {
	case errors.Is(err, wire.ErrUnknownVerb):
		c.notice("%s: %s", wire.PrefixUnsupported, pe.Msg)
		return
	case pe.Verb == wire.VerbEvent && pe.HasID:
		c.answerEvent(pe.EventID, false, wire.PrefixInvalid+": "+pe.Msg)
	case pe.Verb == wire.VerbReq && pe.SubID != "":
		c.Send(&wire.MsgClosed{SubID: pe.SubID, Reason: wire.PrefixInvalid + ": " + pe.Msg})
	default:
		c.notice("%s: %s", wire.PrefixInvalid, pe.Msg)
	}
	score := ScoreMalformed
	if errors.Is(err, wire.ErrTooLarge) {
		score = ScoreTooLarge
	}
	c.Misbehave(score, pe.Msg)
}

// refuse answers a message a hook rejected.
func (c *Client) refuse(m wire.Message, msg string) {
	switch m := m.(type) {
	case *wire.MsgEvent:
		c.answerEvent(m.Event.ID, false, msg)
	case *wire.MsgReq:
		c.Send(&wire.MsgClosed{SubID: m.SubID, Reason: msg})
	default:
		c.notice("%s", msg)
	}
}

// Drain waits until every EVENT Handle passed to its own goroutine has
// been answered. The transport calls it when it stops reading, before it
// closes the connection, so those OKs are written.
func (c *Client) Drain() { c.events.Wait() }

// handleEvent answers a recent event at once and hands a new one to
// processEvent, on its own goroutine if the window allows.
func (c *Client) handleEvent(ctx context.Context, ev *nostr.Event) {
	// A recent id is answered without verifying: a flood of copies costs a
	// map lookup each. The event is the same only if the id matches its
	// content, which a hash (no curve arithmetic) shows.
	if c.relay.seen.Has(ev.ID) && ev.CheckID() == nil {
		c.answerEvent(ev.ID, true, wire.PrefixDuplicate+": already have this event")
		return
	}
	if c.window == nil {
		c.processEvent(ctx, ev)
		return
	}
	select {
	case c.window <- struct{}{}:
	case <-ctx.Done():
		return
	}
	c.events.Add(1)
	go func() { // exits once the event is answered
		defer c.events.Done()
		defer func() { <-c.window }()
		c.processEvent(ctx, ev)
	}()
}

// processEvent verifies a new event, runs the hooks and hands it to the
// backend; accepted, it is answered OK and published.
func (c *Client) processEvent(ctx context.Context, ev *nostr.Event) {
	r := c.relay
	ok := func(accepted bool, reason string) { c.answerEvent(ev.ID, accepted, reason) }
	if c.isClosing() {
		return // banned or dropped meanwhile: its window's events cost nothing more
	}
	if err := ev.Verify(); err != nil {
		ok(false, wire.PrefixInvalid+": "+err.Error())
		c.Misbehave(ScoreInvalid, err.Error())
		return
	}
	for _, hook := range r.RejectEvent {
		if reject, msg := hook(ctx, c, ev); reject {
			ok(false, msg)
			return
		}
	}
	if err := r.backend.SubmitEvent(ctx, c, ev); err != nil {
		rej := reasonOf(err)
		ok(rej.Prefix == wire.PrefixDuplicate, rej.Error())
		c.Misbehave(rej.Score, rej.Reason)
		return
	}
	ok(true, "")
	r.Publish(ev, c)
}

// answerEvent sends the OK for an EVENT and tells the OnEventResult hooks.
func (c *Client) answerEvent(id [32]byte, accepted bool, reason string) {
	c.Send(&wire.MsgOK{EventID: id, Accepted: accepted, Reason: reason})
	for _, hook := range c.relay.OnEventResult {
		hook(c, id, accepted, reason)
	}
}

// handleHello passes a HELLO to the backend: accepted, the client becomes a
// peer and may send frames up to wire.MaxFrameSize; refused, it is closed.
func (c *Client) handleHello(ctx context.Context, m *wire.MsgHello) {
	if err := c.relay.backend.HandleChain(ctx, c, m); err != nil {
		rej := reasonOf(err)
		c.notice("%s", rej.Error())
		c.Misbehave(rej.Score, rej.Reason)
		c.closeConn(ClosePolicyViolation, rej.Error())
		return
	}
	if c.peer.CompareAndSwap(false, true) {
		if rl, ok := c.conn.(ReadLimiter); ok {
			rl.SetReadLimit(wire.MaxFrameSize)
		}
	}
}

// handleChain passes any other chain verb to the backend; a peer must have
// said HELLO first.
func (c *Client) handleChain(ctx context.Context, m wire.Message) {
	if !c.IsPeer() {
		c.notice("%s: %s before HELLO", wire.PrefixRestricted, m.Verb())
		c.Misbehave(1, m.Verb()+" before HELLO")
		return
	}
	if err := c.relay.backend.HandleChain(ctx, c, m); err != nil {
		var rej *Reject
		if errors.As(err, &rej) {
			c.notice("%s", rej.Error())
			c.Misbehave(rej.Score, rej.Reason)
			return
		}
		c.relay.log.Warn("chain message", "client", c.id, "verb", m.Verb(), "err", err)
	}
}
