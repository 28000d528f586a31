// Package relay is the relay core: the part of a postwork relay that knows
// the protocol but no transport. A transport (relay/ws for gorilla
// WebSockets, later a Cloudflare Durable Object) reads frames and hands
// them to Client.Handle, and gives the core a Conn to write to. The core
// owns per-connection state (subscriptions, rate limits, whether the other
// side is a node), dedupe of recently seen events, delivery of new events to
// matching subscriptions, forwarding to every peer but the one an event
// came from, and a decaying ban score per IP for invalid data.
//
// What needs a chain or a store goes through a Backend. Policy is a set of
// exported hook slices in the style of khatru (RejectConnection,
// RejectMessage, RejectEvent, RejectReq, OnConnect, OnDisconnect), filled
// with the constructors in policies.go or with any function of that type.
//
// The package imports neither net nor net/http. Every call runs on its
// caller's goroutine but one: a new EVENT is verified and submitted on a
// goroutine of its own, up to Options.EventWindow per connection, which
// exits once the event is answered (Client.Drain waits for them; a window
// of 1 keeps everything on the caller's goroutine, in order).
package relay
