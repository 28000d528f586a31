// Package api serves a full node's JSON API and the endpoints of the Python
// tutorials postwork grew from, over a Node interface it defines (relay/node
// implements it).
//
// JSON API, under /api/ (docs/api.md has the shapes and examples):
//
//	GET  /api/tip                 the best chain's tip
//	GET  /api/blocks?from=&limit= headers of the best chain, ascending
//	GET  /api/blocks/{ref}        a block by height or hash: header, coinbase, posts
//	GET  /api/posts?author=&kind=&until=&limit=   posts, newest first
//	GET  /api/posts/{id}          a post, its status, block and Merkle proof
//	POST /api/posts               submit a signed event (202, 200 if known)
//	GET  /api/mempool?limit=      pending posts, best first
//	GET  /api/peers               connected nodes
//	GET  /api/balance/{key}       mining rewards of an npub or hex key
//	GET  /healthz                 liveness
//
// Tutorial endpoints, with the shapes their clients expect:
//
//	GET  /chain, POST /new_transaction, GET /pending_tx, GET /mine,
//	POST /register_node, POST /register_with
//
// Every request body and query value is bounded before it is parsed; a
// client mistake is a 4xx with a JSON body {"error": "..."} that says what
// was wrong; only the node's own failures give a 5xx, whose cause goes to
// the log. Post content is data: it leaves as a JSON string (HTML-escaped,
// with X-Content-Type-Options: nosniff), never as markup.
//
// The handlers own no goroutines; each request runs on its own, and the
// ones that wait (mining, proof of work, register_with) stop when the
// client goes away.
package api
