// Command wasm is the browser light node, built with GOOS=js GOARCH=wasm
// into build/postwork.wasm. The same binary runs in two places: in the page
// (the node: wallet, relay connection, header sync, feed) and in Web Workers
// (proof-of-work jobs), chosen by whether a document exists. The page script
// wasm/js/app.js sets globalThis.postworkHost before starting it.
package main

func main() {
	if global.Get("document").IsUndefined() {
		runWorker()
	} else {
		runPage()
	}
	select {} // callbacks keep running; the page or worker ends the program
}
