package ws

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"
)

// corkConn is a net.Conn whose writes can be held back and sent together:
// the writer corks it, writes every queued WebSocket frame through gorilla,
// and uncorks it, so a connection that fell a few frames behind catches up
// with one system call instead of one per frame. Frames larger than
// corkDirect are written straight through (after what is held), and what is
// held never exceeds corkMax. Writes by others (gorilla answering a ping or a
// close from the reader) are held while corked too and go out in order.
type corkConn struct {
	net.Conn

	mu       sync.Mutex
	corked   bool
	buf      *[]byte // from corkPool while it holds bytes; nil otherwise
	deadline time.Time
}

const (
	corkMax    = 64 << 10
	corkDirect = 16 << 10
)

// corkPool lends buffers to corked connections: an idle connection holds
// none.
var corkPool = sync.Pool{New: func() any { b := make([]byte, 0, corkMax); return &b }}

func (c *corkConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.corked && len(p) <= corkDirect {
		if c.buf != nil && len(*c.buf)+len(p) > corkMax {
			if err := c.flushLocked(); err != nil {
				return 0, err
			}
		}
		if c.buf == nil {
			c.buf = corkPool.Get().(*[]byte)
		}
		*c.buf = append(*c.buf, p...)
		return len(p), nil
	}
	if err := c.flushLocked(); err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
}

// SetWriteDeadline skips the runtime's timer update when the deadline does
// not change: gorilla sets it before every frame, the writer once a batch.
func (c *corkConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.Equal(c.deadline) {
		return nil
	}
	c.deadline = t
	return c.Conn.SetWriteDeadline(t)
}

// cork holds writes until uncork.
func (c *corkConn) cork() {
	c.mu.Lock()
	c.corked = true
	c.mu.Unlock()
}

// uncork writes what was held, in one write, and stops holding.
func (c *corkConn) uncork() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.corked = false
	return c.flushLocked()
}

func (c *corkConn) flushLocked() error {
	if c.buf == nil {
		return nil
	}
	b := c.buf
	c.buf = nil
	_, err := c.Conn.Write(*b)
	*b = (*b)[:0]
	corkPool.Put(b)
	return err
}

// corkWriter hands gorilla's upgrader a corkConn when it hijacks the
// request's connection.
type corkWriter struct {
	http.ResponseWriter
	conn *corkConn
}

func (w *corkWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("ws: response does not implement http.Hijacker")
	}
	nc, brw, err := h.Hijack()
	if err != nil {
		return nil, nil, err
	}
	w.conn = &corkConn{Conn: nc}
	return w.conn, brw, nil
}
