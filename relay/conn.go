package relay

import "context"

// Conn is one connection as the core sees it. The transport reads frames
// and calls Client.Handle for each, in order, from one goroutine.
type Conn interface {
	// Send queues a frame and returns at once. It returns false when the
	// frame was not queued: the connection is closed, or its queue is full,
	// in which case the transport closes it (a slow reader is dropped, never
	// waited for).
	Send(frame []byte) bool
	// Close closes the connection, telling the other side why where the
	// transport can (a WebSocket close frame with code and reason). Frames
	// already queued are written first. Calling it again does nothing.
	Close(code int, reason string)
	// RemoteIP is the address policies count and ban by.
	RemoteIP() string
}

// ReadLimiter is implemented by a Conn whose transport can change the
// largest frame it reads. The core raises the limit once the other side
// has introduced itself as a node (HELLO), which may then send blocks.
type ReadLimiter interface {
	SetReadLimit(n int64)
}

// QueueWaiter is implemented by a Conn that can tell when its send queue
// has drained, so a long answer to one connection (a REQ's stored events, a
// sync's blocks) is paced by that connection instead of overflowing it.
type QueueWaiter interface {
	// WaitQueue blocks until a frame of n bytes can be queued without
	// filling the queue past half (or the queue is empty); false if the
	// connection closed or ctx ended first.
	WaitQueue(ctx context.Context, n int) bool
}

// WebSocket close codes (RFC 6455, 7.4.1) the core closes with.
const (
	CloseNormal          = 1000
	CloseGoingAway       = 1001
	ClosePolicyViolation = 1008
	CloseTooBig          = 1009
	CloseTryAgainLater   = 1013
)
