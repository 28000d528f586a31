package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall/js"

	"postwork/chain/wire"
	"postwork/wasm/lightnode"
)

// maxQueued bounds the bytes of frames received but not yet read: a relay
// that sends faster than the node verifies is disconnected, not buffered
// without end.
const maxQueued = 64 << 20

// maxSendBuffer bounds what the browser may hold unsent for us.
const maxSendBuffer = 16 << 20

// wsConn is a lightnode.Conn over a browser WebSocket.
type wsConn struct {
	ws    js.Value
	funcs []js.Func

	mu     sync.Mutex
	queue  [][]byte
	queued int
	ready  chan struct{} // signalled when queue gains a frame
	closed chan struct{}
	err    error
	once   sync.Once
}

// dialWS opens a WebSocket and waits until it is open.
func dialWS(ctx context.Context, url string) (lightnode.Conn, error) {
	ws, err := catch(func() js.Value { return global.Get("WebSocket").New(url) })
	if err != nil {
		return nil, err
	}
	ws.Set("binaryType", "arraybuffer")
	c := &wsConn{ws: ws, ready: make(chan struct{}, 1), closed: make(chan struct{})}
	open := make(chan struct{})
	var openOnce sync.Once
	on := func(name string, f func(js.Value)) {
		fn := js.FuncOf(func(_ js.Value, args []js.Value) any {
			// A panic here would end the whole program: fail the
			// connection instead.
			defer func() {
				if r := recover(); r != nil {
					c.fail(fmt.Errorf("internal error in %s: %v", name, r))
				}
			}()
			f(arg(args, 0))
			return nil
		})
		c.funcs = append(c.funcs, fn)
		ws.Set(name, fn)
	}
	on("onopen", func(js.Value) { openOnce.Do(func() { close(open) }) })
	on("onmessage", c.onMessage)
	on("onerror", func(js.Value) {
		// The browser tells no more than this; onclose follows.
		c.fail(errors.New("websocket error"))
	})
	on("onclose", func(ev js.Value) {
		reason := ev.Get("reason").String()
		if reason == "" {
			reason = "no reason given"
		}
		c.fail(fmt.Errorf("closed by the relay (code %d, %s)", ev.Get("code").Int(), reason))
	})
	select {
	case <-open:
		return c, nil
	case <-c.closed:
		c.Close()
		return nil, c.err
	case <-ctx.Done():
		c.Close()
		return nil, ctx.Err()
	}
}

func (c *wsConn) onMessage(ev js.Value) {
	data := ev.Get("data")
	var frame []byte
	switch {
	case data.Type() == js.TypeString:
		// The browser has no read limit; check once the text is here.
		frame = []byte(data.String())
		if len(frame) > wire.MaxFrameSize {
			c.fail(fmt.Errorf("the relay sent a frame over %d bytes", wire.MaxFrameSize))
			return
		}
	default:
		if n := data.Get("byteLength"); n.Type() == js.TypeNumber && n.Int() > wire.MaxFrameSize {
			c.fail(fmt.Errorf("the relay sent a frame over %d bytes", wire.MaxFrameSize))
			return
		}
		b, err := bytesFromJS(data)
		if err != nil {
			return // a Blob: binaryType is arraybuffer, so this cannot happen
		}
		frame = b
	}
	c.mu.Lock()
	if c.queued+len(frame) > maxQueued {
		c.mu.Unlock()
		c.fail(errors.New("the relay sent more than the page could read"))
		return
	}
	c.queue = append(c.queue, frame)
	c.queued += len(frame)
	c.mu.Unlock()
	select {
	case c.ready <- struct{}{}:
	default:
	}
}

// fail records the first error and closes the connection.
func (c *wsConn) fail(err error) {
	c.once.Do(func() {
		c.mu.Lock()
		c.err = err
		c.mu.Unlock()
		close(c.closed)
	})
}

func (c *wsConn) Read(ctx context.Context) ([]byte, error) {
	for {
		c.mu.Lock()
		if len(c.queue) > 0 {
			f := c.queue[0]
			c.queue[0] = nil
			c.queue = c.queue[1:]
			c.queued -= len(f)
			c.mu.Unlock()
			return f, nil
		}
		c.mu.Unlock()
		select {
		case <-c.ready:
		case <-c.closed:
			return nil, c.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (c *wsConn) Write(_ context.Context, frame []byte) error {
	select {
	case <-c.closed:
		return c.err
	default:
	}
	if c.ws.Get("bufferedAmount").Int() > maxSendBuffer {
		c.fail(errors.New("the relay is not reading what the page sends"))
		return c.err
	}
	_, err := catch(func() js.Value { return c.ws.Call("send", string(frame)) })
	return err
}

// Close closes the socket and releases the callbacks after detaching them,
// so the browser can never call a released function.
func (c *wsConn) Close() error {
	c.fail(errors.New("closed"))
	c.mu.Lock()
	funcs := c.funcs
	c.funcs = nil
	c.mu.Unlock()
	if funcs == nil {
		return nil
	}
	for _, name := range []string{"onopen", "onmessage", "onerror", "onclose"} {
		c.ws.Set(name, js.Null())
	}
	catch(func() js.Value { return c.ws.Call("close", 1000) })
	for _, f := range funcs {
		f.Release()
	}
	return nil
}
