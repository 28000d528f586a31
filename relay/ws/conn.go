package ws

import (
	"context"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"postwork/relay"
)

// conn adapts one gorilla connection to relay.Conn. Its send queue is a
// slice bounded in bytes: an idle connection holds no buffer, a burst (a
// REQ's stored events) fits, and a reader that falls MaxQueue bytes behind
// is dropped. The writer sends what has queued in one system call
// (corkConn), so a connection that falls behind catches up in few.
type conn struct {
	ws     *websocket.Conn
	cork   *corkConn // the socket under ws; nil: writes are not corked
	server bool      // accepted, not dialled: prepared frames apply
	ip     string
	opts   *Options

	qmu     sync.Mutex
	queue   []outFrame
	queued  int           // bytes in queue and being written
	drained chan struct{} // made by WaitQueue, closed when the writer wrote
	wake    chan struct{} // capacity 1: the queue is not empty
	quit    chan struct{} // closed by Close or abort: the writer ends
	closed  bool
	code    int
	reason  string
	abort   bool // close without draining the queue or a close handshake

	// dmu orders read-deadline changes: the reader extends the deadline,
	// Shutdown sets it to now for good (stopReading).
	dmu         sync.Mutex
	stopReading bool

	readerDone chan struct{} // closed when the reader returns
	writerDone chan struct{} // closed when the writer returns

	deadline time.Time // the write deadline set last; the writer's alone
}

// outFrame is a queued frame: its bytes, and for a frame the core sends to
// many connections, that frame, whose WebSocket encoding gorilla prepares
// once for all of them.
type outFrame struct {
	data   []byte
	shared *relay.Frame
}

func newConn(ws *websocket.Conn, cork *corkConn, server bool, ip string, opts *Options) *conn {
	return &conn{
		ws: ws, cork: cork, server: server, ip: ip, opts: opts,
		wake:       make(chan struct{}, 1),
		quit:       make(chan struct{}),
		readerDone: make(chan struct{}),
		writerDone: make(chan struct{}),
	}
}

// Send queues a frame without waiting. A frame that would take the queue
// past MaxQueue bytes means the other side reads slower than the relay
// writes: the connection is dropped. (A single frame larger than MaxQueue,
// a big block, is queued when the queue is empty.)
func (c *conn) Send(frame []byte) bool { return c.enqueue(outFrame{data: frame}) }

// SendShared is Send for a frame many connections get (relay.FrameSender):
// an accepted connection writes the WebSocket frame prepared once for all
// (websocket.PreparedMessage), when the frame went to more than one by the
// time it is written (preparing costs more than one plain write). A dialled
// one writes the bytes, since a client's frames are masked and a prepared
// one would share its mask.
func (c *conn) SendShared(f *relay.Frame) bool {
	if !c.server {
		return c.Send(f.Data)
	}
	return c.enqueue(outFrame{data: f.Data, shared: f})
}

// prepare builds the WebSocket frame of a relay.Frame; nil if gorilla
// refuses, and the bytes are written as they are.
func prepare(data []byte) any {
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, data)
	if err != nil {
		return (*websocket.PreparedMessage)(nil)
	}
	return pm
}

func (c *conn) enqueue(f outFrame) bool {
	c.qmu.Lock()
	if c.closed {
		c.qmu.Unlock()
		return false
	}
	if c.queued > 0 && c.queued+len(f.data) > c.opts.MaxQueue {
		c.stopLocked(true, websocket.CloseTryAgainLater, "slow consumer: send queue full")
		c.qmu.Unlock()
		return false
	}
	c.queue = append(c.queue, f)
	c.queued += len(f.data)
	c.qmu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
	return true
}

// WaitQueue blocks until a frame of n bytes fits while keeping the queue at
// most half full (or the queue is empty), the connection closes or ctx
// ends, and reports whether the connection is still open. The connection's
// own handler uses it to pace a long answer (a REQ's stored events, a
// sync's blocks) instead of overflowing its queue.
func (c *conn) WaitQueue(ctx context.Context, n int) bool {
	for {
		c.qmu.Lock()
		closed, queued := c.closed, c.queued
		if closed {
			c.qmu.Unlock()
			return false
		}
		if queued == 0 || queued+n <= c.opts.MaxQueue/2 {
			c.qmu.Unlock()
			return true
		}
		if c.drained == nil {
			c.drained = make(chan struct{})
		}
		drained := c.drained
		c.qmu.Unlock()
		select {
		case <-drained:
		case <-c.quit:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

// Close ends the connection after the queued frames, with a close frame.
func (c *conn) Close(code int, reason string) {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	c.stopLocked(false, code, reason)
}

func (c *conn) stopLocked(abort bool, code int, reason string) {
	if c.closed {
		return
	}
	c.closed, c.abort, c.code, c.reason = true, abort, code, reason
	close(c.quit)
}

func (c *conn) RemoteIP() string { return c.ip }

// SetReadLimit is called by the core on the reader goroutine (while it
// handles a HELLO), so it does not race with reads.
func (c *conn) SetReadLimit(n int64) { c.ws.SetReadLimit(n) }

// extendRead moves the read deadline to d from now, unless reading was
// stopped.
func (c *conn) extendRead(d time.Duration) {
	c.dmu.Lock()
	defer c.dmu.Unlock()
	if !c.stopReading {
		c.ws.SetReadDeadline(time.Now().Add(d))
	}
}

// stopRead makes the reader's current and future reads fail at once; safe
// while the reader is blocked in a read.
func (c *conn) stopRead() {
	c.dmu.Lock()
	defer c.dmu.Unlock()
	c.stopReading = true
	c.ws.NetConn().SetReadDeadline(time.Now())
}

// take removes every queued frame. An empty queue keeps its slice: the
// writer is often woken for frames an earlier take already got.
func (c *conn) take() []outFrame {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	q := c.queue
	if len(q) == 0 {
		return nil
	}
	c.queue = nil
	return q
}

// wrote accounts for the n bytes of batch written and wakes WaitQueue. The
// emptied batch becomes the queue if it is small and nothing was queued
// meanwhile, so a connection that gets a frame now and then does not
// allocate a slice each time, and an idle one keeps a few hundred bytes.
func (c *conn) wrote(n int, batch []outFrame) {
	clear(batch) // let the frames go
	c.qmu.Lock()
	defer c.qmu.Unlock()
	c.queued -= n
	if c.drained != nil {
		close(c.drained)
		c.drained = nil
	}
	if c.queue == nil && cap(batch) <= 16 {
		c.queue = batch[:0]
	}
}

// writePump is the connection's only writer. It exits when the
// connection is closed (Close, abort, or the reader ending) or a write
// fails, and then closes the socket.
func (c *conn) writePump() {
	defer close(c.writerDone)
	defer c.ws.Close()
	ping := time.NewTicker(c.opts.PingInterval)
	defer ping.Stop()
	for {
		select {
		case <-c.wake:
			if !c.writeQueued() {
				c.abortNow()
				return
			}
		case <-ping.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.opts.WriteTimeout)); err != nil {
				c.abortNow()
				return
			}
		case <-c.quit:
			c.finish()
			return
		}
	}
}

// writeQueued writes the frames queued so far, corked into as few system
// calls as they fit; false if a write failed. It takes the queue once, so
// a connection that is never idle still goes back to writePump for pings.
func (c *conn) writeQueued() bool {
	batch := c.take()
	if len(batch) == 0 {
		return true
	}
	return c.writeBatch(batch)
}

func (c *conn) writeBatch(batch []outFrame) bool {
	// A deadline between half and all of WriteTimeout away is kept, which
	// spares the runtime a timer update for each batch of a busy connection.
	if now := time.Now(); c.deadline.Sub(now) < c.opts.WriteTimeout/2 {
		c.deadline = now.Add(c.opts.WriteTimeout)
		c.ws.SetWriteDeadline(c.deadline)
	}
	if c.cork != nil {
		c.cork.cork()
	}
	var err error
	n := 0
	for _, f := range batch {
		n += len(f.data)
		if err != nil {
			continue // counted, not written: the connection is aborted
		}
		var pm *websocket.PreparedMessage
		if f.shared != nil && f.shared.Shared() {
			pm, _ = f.shared.Encoded(prepare).(*websocket.PreparedMessage)
		}
		if pm != nil {
			err = c.ws.WritePreparedMessage(pm)
		} else {
			err = c.ws.WriteMessage(websocket.TextMessage, f.data)
		}
	}
	if c.cork != nil {
		if uerr := c.cork.uncork(); err == nil {
			err = uerr
		}
	}
	c.wrote(n, batch)
	return err == nil
}

func (c *conn) abortNow() {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	c.stopLocked(true, 0, "")
}

// finish writes what is queued and a close frame, then gives the other side
// a moment to answer it (the reader sees the answer and returns), unless the
// connection is being aborted.
func (c *conn) finish() {
	c.qmu.Lock()
	code, reason, abort := c.code, c.reason, c.abort
	c.qmu.Unlock()
	if abort || !c.writeQueued() {
		return
	}
	if code == 0 {
		code = websocket.CloseNormalClosure
	}
	msg := websocket.FormatCloseMessage(code, truncate(reason, 120))
	if c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(c.opts.WriteTimeout)) != nil {
		return
	}
	t := time.NewTimer(c.opts.CloseGrace)
	defer t.Stop()
	select {
	case <-c.readerDone:
	case <-t.C:
	}
}

// truncate cuts s to at most n bytes on a character boundary: a close
// frame's reason must fit in 123 bytes.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n]
}
