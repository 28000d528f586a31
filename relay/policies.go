package relay

import (
	"context"
	"fmt"
	"sync"

	"postwork/chain/wire"
)

// Policy constructors. Each returns a hook to append to one of the Relay's
// slices, e.g.
//
//	r.RejectConnection = append(r.RejectConnection, relay.ConnectionsPerIP(16))
//	r.RejectMessage = append(r.RejectMessage, relay.MessageRate(clients, peers))

// ConnectionsPerIP refuses a connection from an IP that already has max open.
func ConnectionsPerIP(max int) func(c *Client) (bool, string) {
	return func(c *Client) (bool, string) {
		if n := c.relay.ConnectionsFrom(c.ip); n > max {
			return true, fmt.Sprintf("%s: too many connections from your address (limit %d)", wire.PrefixRateLimited, max)
		}
		return false, ""
	}
}

// MessageSize refuses a frame over max bytes from a connection that is not
// a peer; peers may send up to wire.MaxFrameSize (blocks). Transports
// should also set their read limit to max, so such a frame is never read
// whole.
func MessageSize(max int) func(ctx context.Context, c *Client, frame []byte) (bool, string) {
	return func(_ context.Context, c *Client, frame []byte) (bool, string) {
		if len(frame) > max && !c.IsPeer() {
			return true, fmt.Sprintf("%s: message of %d bytes, limit %d", wire.PrefixInvalid, len(frame), max)
		}
		return false, ""
	}
}

// rateKey names one rate-limit policy's bucket on a Client.
type rateKey struct{}

// counted reports whether a message costs a token: requests do, answers to
// what this node asked (OK, EOSE, CLOSED, NOTICE, HEADERS, BLOCK, NOTFOUND)
// do not, so a peer serving a sync is not throttled by the data it sends.
func counted(m wire.Message) bool {
	switch m.(type) {
	case *wire.MsgOK, *wire.MsgEOSE, *wire.MsgClosed, *wire.MsgNotice,
		*wire.MsgHeaders, *wire.MsgBlock, *wire.MsgNotFound:
		return false
	}
	return true
}

// MessageRate limits each connection with a token bucket: client for
// connections that are not peers, peer for nodes (which forward the posts
// of many users). A refused EVENT is answered OK false and a refused REQ
// CLOSED, with "rate-limited:".
func MessageRate(client, peer Rate) func(ctx context.Context, c *Client, m wire.Message) (bool, string) {
	key := new(rateKey)
	return func(_ context.Context, c *Client, m wire.Message) (bool, string) {
		if !counted(m) {
			return false, ""
		}
		rate := client
		if c.IsPeer() {
			rate = peer
		}
		now := c.relay.opts.Now()
		c.mu.Lock()
		if c.buckets == nil {
			c.buckets = make(map[*rateKey]*bucket)
		}
		b := c.buckets[key]
		if b == nil {
			b = new(bucket)
			c.buckets[key] = b
		}
		ok := b.take(rate, now)
		c.mu.Unlock()
		if !ok {
			return true, fmt.Sprintf("%s: slow down: more than %g messages a second", wire.PrefixRateLimited, rate.PerSecond)
		}
		return false, ""
	}
}

// IPMessageRate limits the connections of one IP together with a token
// bucket, so opening more connections does not buy more messages. Peers
// are not counted: nodes and clients may share an address.
func IPMessageRate(rate Rate) func(ctx context.Context, c *Client, m wire.Message) (bool, string) {
	var mu sync.Mutex
	buckets := make(map[string]*bucket)
	return func(_ context.Context, c *Client, m wire.Message) (bool, string) {
		if !counted(m) || c.IsPeer() {
			return false, ""
		}
		now := c.relay.opts.Now()
		mu.Lock()
		b := buckets[c.ip]
		if b == nil {
			if len(buckets) >= 4096 {
				for ip, b := range buckets {
					if b.full(rate, now) {
						delete(buckets, ip)
					}
				}
			}
			b = new(bucket)
			buckets[c.ip] = b
		}
		ok := b.take(rate, now)
		mu.Unlock()
		if !ok {
			return true, fmt.Sprintf("%s: slow down: your address sent more than %g messages a second", wire.PrefixRateLimited, rate.PerSecond)
		}
		return false, ""
	}
}

// MaxSubscriptions refuses a REQ that would open more than max
// subscriptions on one connection (replacing an open one is fine).
func MaxSubscriptions(max int) func(ctx context.Context, c *Client, req *wire.MsgReq) (bool, string) {
	return func(_ context.Context, c *Client, req *wire.MsgReq) (bool, string) {
		c.mu.Lock()
		_, open := c.subs[req.SubID]
		n := len(c.subs)
		c.mu.Unlock()
		if !open && n >= max {
			return true, fmt.Sprintf("%s: too many open subscriptions (limit %d); CLOSE one first", wire.PrefixRateLimited, max)
		}
		return false, ""
	}
}

// MaxFilters refuses a REQ with more than max filters.
func MaxFilters(max int) func(ctx context.Context, c *Client, req *wire.MsgReq) (bool, string) {
	return func(_ context.Context, c *Client, req *wire.MsgReq) (bool, string) {
		if len(req.Filters) > max {
			return true, fmt.Sprintf("%s: %d filters, limit %d", wire.PrefixInvalid, len(req.Filters), max)
		}
		return false, ""
	}
}
