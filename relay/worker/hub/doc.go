// Package hub is the relay that runs inside a Cloudflare Durable Object
// (relay/worker): the relay core with a Backend that needs no SQLite, no
// goroutines and no network of its own.
//
// It takes posts with the same checks as a full node (signature and limits
// in the core, then the node's minimum NIP-13 work and future-time bound),
// keeps the most recent ones in memory and, through a Store, in the Durable
// Object's storage, and answers REQ from them. For the chain it is a
// validating hub: it follows the best header chain of the full nodes and
// light nodes connected to it (every header checked with chain.ProcessHeader:
// proof of work, difficulty, linkage, time), answers HELLO and GETHEADERS
// from it, keeps the bodies of recent blocks (checked with
// chain.CheckBlockSanity) to answer GETBLOCKS, and announces a new tip to
// every other peer with TIP, as a full node does. It confirms no posts and
// mines nothing: the full nodes it connects do.
//
// Session adapts one WebSocket of any transport to the core: the worker's
// JavaScript shim calls Open, Message and Closed for each socket the
// Durable Object holds, and Restore after the object woke from
// hibernation with its sockets still open.
//
// Everything here is pure Go and runs natively in tests; nothing starts a
// goroutine.
package hub
