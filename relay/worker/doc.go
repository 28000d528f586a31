//go:build js && wasm

// Command worker is the postwork relay as a Cloudflare Worker: the relay
// core (package relay) with relay/worker/hub's backend, running in one
// long-lived Go instance inside a Durable Object. The Durable Object is a
// few lines of JavaScript (shim.mjs) that accepts WebSockets with the
// hibernation API and calls this program through the functions main puts
// on the runtime context's binding object (syumai/workers' wasm_exec.js
// passes that context to Go): open, restore, message, closed, info.
//
// Build with `make worker` (plain Go, GOOS=js GOARCH=wasm); run locally
// with wrangler dev, deploy with wrangler deploy (docs/worker.md).
package main
