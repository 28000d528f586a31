// Package web serves the pages of a postwork node: the explorer (/explorer,
// /block/{ref}, /post/{id}, /author/{npub}, /mempool), the node's own pages
// (/peers, /status), a search that redirects to the right one (/search), the
// live updates those pages subscribe to (/events, server-sent events) and the
// stylesheet and script they load (/ui/...).
//
// Handlers fetch, then render: each asks a Source for chain data, turns it
// into the plain view values of package ui, and renders a ui component into a
// buffer, so a failure halfway gives a clean error page rather than half a
// page. Client mistakes get a 400 page (malformed parameter) or a 404 page
// (nothing with that id) that says what was wrong; only the node's own
// failures give a 500.
//
// The handlers own no goroutines: a live stream runs on its request's
// goroutine and ends when the client leaves, when its lifetime is up (the
// browser reconnects), or when Close is called.
package web
