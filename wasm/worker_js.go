package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"syscall/js"

	"postwork/chain/nostr"
)

// runWorker serves wasm/js/worker.js: it installs globalThis.postworkWorker,
// whose functions run one slice of work synchronously and return, so the
// worker's event loop can take a cancel message between slices.
func runWorker() {
	api := map[string]any{
		"pow":  js.FuncOf(powSlice),
		"mine": js.FuncOf(mineSlice),
	}
	global.Set("postworkWorker", js.ValueOf(api))
	if ready := global.Get("postworkWorkerReady"); ready.Type() == js.TypeFunction {
		ready.Invoke()
	}
}

// powTemplate is an unsigned event as the page sends it for NIP-13 work.
type powTemplate struct {
	PubKey    string     `json:"pubkey"`
	CreatedAt int64      `json:"created_at"`
	Kind      int        `json:"kind"`
	Tags      [][]string `json:"tags"`
	Content   string     `json:"content"`
}

// powSlice(template JSON, bits, start nonce as a decimal string, count)
// tries count nonces from start and returns {found, tags, id} or
// {found:false, next}. count should be a multiple of 4096, the interval at
// which nostr.MinePoW looks up from its loop.
func powSlice(_ js.Value, args []js.Value) (result any) {
	defer func() {
		if r := recover(); r != nil {
			result = map[string]any{"error": fmt.Sprint("internal error: ", r)}
		}
	}()
	res, err := doPowSlice(arg(args, 0).String(), arg(args, 1).Int(), arg(args, 2).String(), uint64(arg(args, 3).Int()))
	if err != nil {
		return map[string]any{"error": err.Error()}
	}
	return res
}

func doPowSlice(tmpl string, bits int, startStr string, count uint64) (map[string]any, error) {
	var t powTemplate
	if err := json.Unmarshal([]byte(tmpl), &t); err != nil {
		return nil, fmt.Errorf("pow: template: %w", err)
	}
	start, err := strconv.ParseUint(startStr, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("pow: start nonce: %w", err)
	}
	e := &nostr.Event{CreatedAt: t.CreatedAt, Kind: t.Kind, Tags: t.Tags, Content: t.Content}
	if e.Tags == nil {
		e.Tags = [][]string{}
	}
	if _, err := hex.Decode(e.PubKey[:], []byte(t.PubKey)); err != nil || len(t.PubKey) != 64 {
		return nil, errors.New("pow: template pubkey is not 64 hex characters")
	}
	setNonce(e, start, bits)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err = nostr.MinePoW(ctx, e, bits, func(tries uint64) {
		if tries >= count {
			cancel()
		}
	})
	switch {
	case err == nil:
		return map[string]any{"found": true, "id": hex.EncodeToString(e.ID[:]), "tags": tagsToJS(e.Tags)}, nil
	case errors.Is(err, context.Canceled):
		return map[string]any{"found": false, "next": strconv.FormatUint(start+count, 10)}, nil
	}
	return nil, err
}

// setNonce makes the nonce tag start the search at n.
func setNonce(e *nostr.Event, n uint64, bits int) {
	for i, tag := range e.Tags {
		if len(tag) > 0 && tag[0] == "nonce" {
			e.Tags[i] = []string{"nonce", strconv.FormatUint(n, 10), strconv.Itoa(bits)}
			return
		}
	}
	e.Tags = append(e.Tags, []string{"nonce", strconv.FormatUint(n, 10), strconv.Itoa(bits)})
}

func tagsToJS(tags [][]string) []any {
	out := make([]any, len(tags))
	for i, t := range tags {
		items := make([]any, len(t))
		for j, s := range t {
			items[j] = s
		}
		out[i] = items
	}
	return out
}
