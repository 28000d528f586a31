package ws

import (
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// conn adapts one gorilla connection to relay.Conn.
type conn struct {
	ws   *websocket.Conn
	ip   string
	opts *Options

	send chan []byte   // frames for the writer; bounded
	quit chan struct{} // closed by Close or abort: the writer ends

	once   sync.Once
	mu     sync.Mutex
	code   int
	reason string
	abort  bool // close without draining the queue or a close handshake

	readerDone chan struct{} // closed when the reader returns
	writerDone chan struct{} // closed when the writer returns
}

func newConn(ws *websocket.Conn, ip string, opts *Options) *conn {
	return &conn{
		ws: ws, ip: ip, opts: opts,
		send:       make(chan []byte, opts.SendQueue),
		quit:       make(chan struct{}),
		readerDone: make(chan struct{}),
		writerDone: make(chan struct{}),
	}
}

// Send queues a frame without waiting. A full queue means the other side
// reads slower than the relay writes: the connection is dropped.
func (c *conn) Send(frame []byte) bool {
	select {
	case <-c.quit:
		return false
	default:
	}
	select {
	case c.send <- frame:
		return true
	default:
		c.stop(true, websocket.CloseTryAgainLater, "slow consumer: send queue full")
		return false
	}
}

// Close ends the connection after the queued frames, with a close frame.
func (c *conn) Close(code int, reason string) { c.stop(false, code, reason) }

func (c *conn) stop(abort bool, code int, reason string) {
	c.once.Do(func() {
		c.mu.Lock()
		c.code, c.reason, c.abort = code, reason, abort
		c.mu.Unlock()
		close(c.quit)
	})
}

func (c *conn) RemoteIP() string { return c.ip }

// SetReadLimit is called by the core on the reader goroutine (while it
// handles a HELLO), so it does not race with reads.
func (c *conn) SetReadLimit(n int64) { c.ws.SetReadLimit(n) }

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
		case frame := <-c.send:
			if err := c.write(frame); err != nil {
				c.stop(true, 0, "")
				return
			}
		case <-ping.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.opts.WriteTimeout)); err != nil {
				c.stop(true, 0, "")
				return
			}
		case <-c.quit:
			c.finish()
			return
		}
	}
}

func (c *conn) write(frame []byte) error {
	c.ws.SetWriteDeadline(time.Now().Add(c.opts.WriteTimeout))
	return c.ws.WriteMessage(websocket.TextMessage, frame)
}

// finish writes what is queued and a close frame, then gives the other side
// a moment to answer it (the reader sees the answer and returns), unless the
// connection is being aborted.
func (c *conn) finish() {
	c.mu.Lock()
	code, reason, abort := c.code, c.reason, c.abort
	c.mu.Unlock()
	if abort {
		return
	}
	for {
		select {
		case frame := <-c.send:
			if c.write(frame) != nil {
				return
			}
			continue
		default:
		}
		break
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
