// Package ui holds the pages a postwork node serves, as templ components, and
// the static files they use (one stylesheet, one small script), embedded in
// the binary so the pages work on a network with no internet.
//
// Components take plain view values (BlockView, PostView, ...) built by the
// HTTP handlers in relay/web: they format and lay out, they never fetch. Every
// string that reaches a page through a view is escaped by templ; no component
// uses templ.Raw, so a post or profile crafted to inject markup renders as
// text. Links to other pages are built from ids the handlers have already
// validated (hex hashes, npubs, heights).
//
// The pages are complete without JavaScript. Parts marked data-live (recent
// blocks on /explorer, the pending posts on /mempool) are replaced by
// fragments from the server-sent event stream /events when live.js runs.
package ui
