// Package ws serves the relay core over gorilla/websocket: an http.Handler
// that upgrades requests (mount it at /ws) and dials out to other nodes,
// with the NIP-11 relay information document beside it.
//
// Each connection has exactly one reader goroutine (the handler's, or one
// started by Dial), which hands frames to the core in order, and one writer
// goroutine draining a bounded send queue, all that has queued in one
// system call where it fits (corkConn). Frames the core sends to many
// connections (relay.Frame) are prepared once as a websocket.PreparedMessage.
// A connection whose queue is full is dropped, never waited for; reads have
// a size limit and a deadline that pongs extend; writes have deadlines.
// Shutdown stops reading, lets the frames already being handled finish and
// their answers go out, and closes every connection with a close frame.
// Behind a reverse proxy, Options.TrustedProxies says whose X-Forwarded-For
// to believe.
package ws
