package main

import (
	"context"
	"fmt"
	"syscall/js"

	"postwork/wasm/lightnode"
)

// fetchInfo GETs a relay's NIP-11 document with the browser's fetch,
// aborted when ctx ends, and returns at most lightnode.MaxInfoSize+1 bytes.
func fetchInfo(ctx context.Context, url string) ([]byte, error) {
	ctrl := global.Get("AbortController").New()
	stop := context.AfterFunc(ctx, func() { ctrl.Call("abort") })
	defer stop()
	opts := map[string]any{
		"headers": map[string]any{"Accept": "application/nostr+json"},
		"cache":   "no-store",
		"signal":  ctrl.Get("signal"),
	}
	p, err := catch(func() js.Value { return global.Call("fetch", url, js.ValueOf(opts)) })
	if err != nil {
		return nil, err
	}
	resp, err := await(p)
	if err != nil {
		return nil, err
	}
	if !resp.Get("ok").Bool() {
		return nil, fmt.Errorf("%s: %d %s", url, resp.Get("status").Int(), resp.Get("statusText").String())
	}
	if n := resp.Get("headers").Call("get", "Content-Length"); n.Type() == js.TypeString && len(n.String()) > 7 {
		return nil, fmt.Errorf("%s: document too large", url)
	}
	buf, err := await(resp.Call("arrayBuffer"))
	if err != nil {
		return nil, err
	}
	b, err := bytesFromJS(buf)
	if err != nil {
		return nil, err
	}
	if len(b) > lightnode.MaxInfoSize+1 {
		b = b[:lightnode.MaxInfoSize+1]
	}
	return b, nil
}
