package relay

import (
	"sync"
	"sync/atomic"
)

// Frame is an encoded message that the core sends, unchanged, to many
// connections: an event's delivery to every subscription with the same id,
// or its forward to every peer. A transport that can encode a message once
// for all its connections (relay/ws: one websocket.PreparedMessage, the
// WebSocket frame with its header) keeps that encoding in the Frame through
// Encoded, so a fan-out to a thousand connections builds it once. Data must
// not be modified once the frame is sent.
type Frame struct {
	Data []byte

	sends atomic.Int32
	once  sync.Once
	enc   any
}

// NewFrame returns a Frame holding data.
func NewFrame(data []byte) *Frame { return &Frame{Data: data} }

// Shared reports whether the frame was queued to more than one connection
// so far: below that, encoding it for all is not worth it.
func (f *Frame) Shared() bool { return f.sends.Load() > 1 }

// Encoded returns the transport's encoding of the frame, made by encode on
// the first call and shared by later ones (a Frame serves one transport).
func (f *Frame) Encoded(encode func(data []byte) any) any {
	f.once.Do(func() { f.enc = encode(f.Data) })
	return f.enc
}

// FrameSender is implemented by a Conn that can queue a shared Frame
// without copying it; SendShared is Send's counterpart with the same
// semantics (false: not queued; a full queue drops the connection).
type FrameSender interface {
	SendShared(f *Frame) bool
}

// sendShared queues a shared frame, as a FrameSender if the transport is
// one.
func (c *Client) sendShared(f *Frame) bool {
	f.sends.Add(1)
	if fs, ok := c.conn.(FrameSender); ok {
		return fs.SendShared(f)
	}
	return c.conn.Send(f.Data)
}
