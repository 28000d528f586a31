// Package wire is the relay protocol: NIP-01 framing (one JSON array per
// WebSocket message, a verb first) carrying the Nostr verbs (EVENT, REQ,
// CLOSE, OK, EOSE, CLOSED, NOTICE) and postwork's chain verbs (HELLO, TIP,
// GETHEADERS, HEADERS, GETBLOCKS, BLOCK, NOTFOUND), so Nostr clients, browsers
// and full nodes all speak over one socket.
//
// Each message type lives in its own file with its maximum size. Parse is
// bounded: it refuses a frame over the limit of its verb before decoding it,
// and every list is counted against its limit while it is read. Events are
// parsed by nostr.Parse (strict); blocks by chain.DecodeBlock. Parse checks
// form only: signatures, proof of work and chain rules are the caller's.
//
// The package does no I/O and builds for GOOS=js GOARCH=wasm, so the browser
// light node speaks the same protocol with the same code.
package wire
