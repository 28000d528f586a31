package main

import (
	"context"
	"fmt"
	"strconv"
	"syscall/js"
)

// fetchURL GETs url with the browser's fetch, aborted when ctx ends, and
// returns at most max+1 bytes of a 200 response's body (lightnode.Config.Fetch).
func fetchURL(ctx context.Context, url, accept string, max int) ([]byte, error) {
	ctrl := global.Get("AbortController").New()
	stop := context.AfterFunc(ctx, func() { ctrl.Call("abort") })
	defer stop()
	opts := map[string]any{
		"headers": map[string]any{"Accept": accept},
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
	if n := resp.Get("headers").Call("get", "Content-Length"); n.Type() == js.TypeString {
		if v, err := strconv.Atoi(n.String()); err == nil && v > max {
			return nil, fmt.Errorf("%s: %d bytes, limit %d", url, v, max)
		}
	}
	buf, err := await(resp.Call("arrayBuffer"))
	if err != nil {
		return nil, err
	}
	b, err := bytesFromJS(buf)
	if err != nil {
		return nil, err
	}
	if len(b) > max+1 {
		b = b[:max+1]
	}
	return b, nil
}
