package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"syscall/js"
	"time"

	"postwork/chain/nostr"
	"postwork/wasm/kv"
	"postwork/wasm/lightnode"
	"postwork/wasm/outbox"
	"postwork/wasm/wallet"
)

// host is globalThis.postworkHost, set by wasm/js/app.js: the relay URL,
// the state callback and the proof-of-work pool.
var host js.Value

// runPage starts the light node in the page and installs globalThis.postwork.
func runPage() {
	// Header sync allocates a few kilobytes a header, and a GC cycle in
	// wasm stops the one thread for the whole heap: at the default GOGC=100
	// a 5000-header sync spent two thirds of its time collecting (3.8k
	// headers/s against 13k/s at 400). The memory limit keeps the larger
	// headroom from growing a tab without bound.
	debug.SetGCPercent(400)
	debug.SetMemoryLimit(256 << 20)
	host = global.Get("postworkHost")
	if host.Type() != js.TypeObject {
		global.Get("console").Call("error", "postwork: globalThis.postworkHost is missing; load the page through wasm/js/app.js")
		return
	}
	go startPage()
}

func startPage() {
	fail := func(err error) { host.Call("fatal", err.Error()) }
	var settings kv.DB
	var storageNote string
	db, err := openIDB("postwork")
	if err != nil {
		// Private windows and some embedded browsers refuse storage; the
		// page still works, it just forgets everything on reload.
		storageNote = fmt.Sprintf("storage unavailable (%v): nothing will be kept after this tab closes", err)
		settings = kv.NewMem()
	} else {
		settings = db
	}
	ext := nip07{}
	w, _, err := wallet.Load(settings, ext)
	if err != nil {
		fail(err)
		return
	}
	ob, skipped, err := outbox.Open(settings)
	if err != nil {
		fail(err)
		return
	}
	chainDB := func(network string) (kv.DB, error) {
		if storageNote != "" {
			return kv.NewMem(), nil
		}
		return openIDB("postwork-" + network)
	}
	redraw := make(chan struct{}, 1)
	n := lightnode.New(lightnode.Config{
		Relay:    host.Get("relay").String(),
		Dial:     dialWS,
		Fetch:    fetchURL,
		Wallet:   w,
		Outbox:   ob,
		Settings: settings,
		ChainDB:  chainDB,
		Changed: func() {
			select {
			case redraw <- struct{}{}:
			default:
			}
		},
	})
	if err := n.OpenStored(); err != nil {
		fail(err)
		return
	}
	p := &page{node: n, wallet: w, outbox: ob, note: storageNote}
	if skipped > 0 {
		p.note = strings.TrimPrefix(p.note+fmt.Sprintf("; %d stored posts could not be read and were skipped", skipped), "; ")
	}
	p.install()
	p.pushState()
	// The redraw loop and the node run as long as the page.
	go func() {
		for range redraw {
			p.pushState()
			time.Sleep(50 * time.Millisecond) // at most 20 redraws a second
		}
	}()
	go n.Run(context.Background())
}

// page holds what the exported functions work on.
type page struct {
	node   *lightnode.Node
	wallet *wallet.Wallet
	outbox *outbox.Outbox
	note   string
}

// pageState is lightnode.State plus what only the page knows.
type pageState struct {
	lightnode.State
	Storage string `json:"storage,omitempty"`
}

func (p *page) pushState() {
	raw, err := json.Marshal(pageState{State: p.node.State(), Storage: p.note})
	if err != nil {
		return
	}
	catch(func() js.Value { return host.Call("state", string(raw)) })
}

// install sets globalThis.postwork. Its functions live as long as the page,
// so they are never released.
func (p *page) install() {
	fn := func(f func(args []js.Value) (any, error)) js.Func {
		return js.FuncOf(func(_ js.Value, args []js.Value) any {
			return promise(func() (any, error) { return f(args) })
		})
	}
	api := map[string]any{
		"post": fn(func(args []js.Value) (any, error) {
			var at int64 // set by another tab, so its call can be sent again (wasm/js/tabs.js)
			if a := arg(args, 2); a.Type() == js.TypeNumber {
				at = int64(a.Float())
			}
			if arg(args, 0).Type() != js.TypeString {
				return nil, errors.New("the post's text must be a string")
			}
			return p.post(arg(args, 0).String(), arg(args, 1).Int(), at)
		}),
		"exportNsec": fn(func([]js.Value) (any, error) { return p.wallet.ExportNsec() }),
		"exportNcryptsec": fn(func(args []js.Value) (any, error) {
			return p.wallet.ExportNcryptsec(arg(args, 0).String(), wallet.ExportLogN)
		}),
		"importKey": fn(func(args []js.Value) (any, error) {
			pass := ""
			if a := arg(args, 1); a.Type() == js.TypeString {
				pass = a.String()
			}
			if err := p.wallet.Import(arg(args, 0).String(), pass); err != nil {
				return nil, err
			}
			p.node.Changed()
			return p.wallet.Npub(), nil
		}),
		"useExtension": fn(func([]js.Value) (any, error) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := p.wallet.UseExtension(ctx); err != nil {
				return nil, err
			}
			p.node.Changed()
			return p.wallet.Npub(), nil
		}),
		"removePost": fn(func(args []js.Value) (any, error) {
			var id [32]byte
			if s := arg(args, 0).String(); len(s) != 64 {
				return nil, errors.New("post id must be 64 hex characters")
			} else if _, err := hex.Decode(id[:], []byte(s)); err != nil {
				return nil, fmt.Errorf("post id: %w", err)
			}
			if err := p.outbox.Remove(id); err != nil {
				return nil, err
			}
			p.node.Changed()
			return nil, nil
		}),
		"setRelay": js.FuncOf(func(_ js.Value, args []js.Value) any {
			p.node.SetRelay(arg(args, 0).String())
			return nil
		}),
		"state": js.FuncOf(func(js.Value, []js.Value) any {
			raw, _ := json.Marshal(pageState{State: p.node.State(), Storage: p.note})
			return string(raw)
		}),
	}
	p.installMining(api, fn)
	global.Set("postwork", js.ValueOf(api))
	if ready := host.Get("ready"); ready.Type() == js.TypeFunction {
		ready.Invoke()
	}
}

// post composes, works, signs and publishes a text post; it returns its id.
// The NIP-13 work runs in Web Workers through postworkHost.pow, which the
// user can cancel (the promise then rejects).
//
// A non-zero createdAt makes the call idempotent: if this key already has a
// text post of that time and content (the call reached a tab that closed
// after filing it), that post's id is returned and nothing is posted again.
func (p *page) post(text string, bits int, createdAt int64) (any, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, errors.New("the post is empty")
	}
	if createdAt != 0 {
		for _, v := range p.node.State().Posts {
			if v.Mine && v.CreatedAt == createdAt && v.Content == text {
				return v.ID, nil
			}
		}
	} else {
		createdAt = time.Now().Unix()
	}
	if min := p.node.MinBits(); bits < min {
		bits = min
	}
	if bits > 40 {
		return nil, fmt.Errorf("%d bits of work would take this browser days; at most 40", bits)
	}
	e := &nostr.Event{
		PubKey:    p.wallet.PubKey(),
		CreatedAt: createdAt,
		Kind:      1,
		Tags:      [][]string{},
		Content:   text,
	}
	if err := e.CheckLimits(); err != nil {
		return nil, fmt.Errorf("the post is too long: %w", err)
	}
	tmpl, _ := json.Marshal(map[string]any{
		"pubkey": hex.EncodeToString(e.PubKey[:]), "created_at": e.CreatedAt,
		"kind": e.Kind, "tags": e.Tags, "content": e.Content,
	})
	res, err := await(host.Call("pow", string(tmpl), bits))
	if err != nil {
		return nil, err
	}
	var tags [][]string
	if err := json.Unmarshal([]byte(js.Global().Get("JSON").Call("stringify", res.Get("tags")).String()), &tags); err != nil {
		return nil, fmt.Errorf("proof of work: %w", err)
	}
	e.Tags = tags
	e.ID = e.ComputeID()
	if got := nostr.LeadingZeroBits(e.ID); got < bits {
		return nil, fmt.Errorf("proof of work: the worker's result has %d bits, want %d", got, bits)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := p.wallet.Sign(ctx, e); err != nil {
		return nil, err
	}
	if err := p.node.Publish(e); err != nil {
		return nil, err
	}
	return hex.EncodeToString(e.ID[:]), nil
}

// nip07 is the browser's signer extension, looked up at each use because
// extensions may inject window.nostr after the page loaded.
type nip07 struct{}

func (nip07) signer() (js.Value, error) {
	n := global.Get("nostr")
	if n.Type() != js.TypeObject {
		return js.Undefined(), wallet.ErrNoExtension
	}
	return n, nil
}

func (x nip07) PublicKey(ctx context.Context) ([32]byte, error) {
	var pub [32]byte
	n, err := x.signer()
	if err != nil {
		return pub, err
	}
	p, err := catch(func() js.Value { return n.Call("getPublicKey") })
	if err != nil {
		return pub, err
	}
	v, err := await(p)
	if err != nil {
		return pub, err
	}
	if v.Type() != js.TypeString || len(v.String()) != 64 {
		return pub, errors.New("getPublicKey did not return 64 hex characters")
	}
	if _, err := hex.Decode(pub[:], []byte(v.String())); err != nil {
		return pub, fmt.Errorf("getPublicKey: %w", err)
	}
	return pub, nil
}

func (x nip07) SignEvent(ctx context.Context, e *nostr.Event) (*nostr.Event, error) {
	n, err := x.signer()
	if err != nil {
		return nil, err
	}
	tmpl, _ := json.Marshal(map[string]any{
		"pubkey": hex.EncodeToString(e.PubKey[:]), "created_at": e.CreatedAt,
		"kind": e.Kind, "tags": e.Tags, "content": e.Content,
	})
	obj, err := catch(func() js.Value { return global.Get("JSON").Call("parse", string(tmpl)) })
	if err != nil {
		return nil, err
	}
	p, err := catch(func() js.Value { return n.Call("signEvent", obj) })
	if err != nil {
		return nil, err
	}
	v, err := await(p)
	if err != nil {
		return nil, err
	}
	raw, err := catch(func() js.Value { return global.Get("JSON").Call("stringify", v) })
	if err != nil || raw.Type() != js.TypeString {
		return nil, errors.New("signEvent returned no event")
	}
	return nostr.Parse([]byte(raw.String()))
}
