// Package chromium holds the browser check of the pages relay/web serves:
// its test starts a real full node (relay/node over a SQLite store, read
// through relay/web/nodesource) with posts and blocks, serves the pages beside the node's WebSocket on
// loopback, and loads each page in Debian's Chromium through playwright-core
// (testdata/pages.mjs). It fails on console errors, failed requests, an
// unexpected status, a page wider than a phone, or a live part that never
// updates, and writes a screenshot of each page to build/screenshots/.
//
// It is its own package so that relay/web's unit tests do not depend on
// the node.
package chromium
