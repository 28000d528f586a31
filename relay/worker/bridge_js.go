//go:build js && wasm

package main

import (
	"log/slog"
	"syscall/js"

	"postwork/relay/worker/hub"
)

// jsSocket is the shim's wrapper of a WebSocket: send(string) → bool and
// close(code, reason), neither of which throws.
type jsSocket struct{ v js.Value }

func (s jsSocket) Send(frame []byte) bool { return s.v.Call("send", string(frame)).Bool() }

func (s jsSocket) Close(code int, reason string) { s.v.Call("close", code, reason) }

// bind puts the functions the shim calls on binding. Each runs to the end
// on the caller's turn of the event loop: nothing in the relay waits for
// JavaScript (storage is the Durable Object's synchronous SQL), so no
// promise is needed.
func bind(binding js.Value, h *hub.Hub, store *sqlStore, log *slog.Logger) {
	sessions := make(map[string]*hub.Session)
	fn := func(f func(args []js.Value) any) js.Func {
		return js.FuncOf(func(_ js.Value, args []js.Value) any { return f(args) })
	}
	// open(id, ip, socket) → "" or why the connection was refused (the
	// socket is already closed then).
	binding.Set("open", fn(func(a []js.Value) any {
		s, err := h.Open(a[0].String(), a[1].String(), jsSocket{a[2]})
		if err != nil {
			return err.Error()
		}
		sessions[a[0].String()] = s
		return ""
	}))
	// restore(id, ip, socket): a socket that stayed open through
	// hibernation.
	binding.Set("restore", fn(func(a []js.Value) any {
		s, err := h.Restore(a[0].String(), a[1].String(), jsSocket{a[2]})
		if err != nil {
			return err.Error()
		}
		sessions[a[0].String()] = s
		return ""
	}))
	// restored(ids): the restore is over; forget the state of sockets that
	// are gone and ask peers for the headers the chain lost.
	binding.Set("restored", fn(func(a []js.Value) any {
		open := make(map[string]bool, len(sessions))
		for id := range sessions {
			open[id] = true
		}
		if err := store.PruneConns(open); err != nil {
			log.Error("prune connection state", "err", err)
		}
		h.Resync()
		return nil
	}))
	// message(id, text)
	binding.Set("message", fn(func(a []js.Value) any {
		if s := sessions[a[0].String()]; s != nil {
			s.Message([]byte(a[1].String()))
		}
		return nil
	}))
	// closed(id)
	binding.Set("closed", fn(func(a []js.Value) any {
		id := a[0].String()
		if s := sessions[id]; s != nil {
			delete(sessions, id)
			s.Closed()
		}
		return nil
	}))
	// post(idHex) → [status, JSON body]: GET /api/posts/{id}, the answer a
	// light node reads to confirm a post from an older block.
	binding.Set("post", fn(func(a []js.Value) any {
		status, body := h.PostAPI(a[0].String())
		return js.ValueOf([]any{status, string(body)})
	}))
	// info() → the NIP-11 document.
	binding.Set("info", fn(func([]js.Value) any { return string(h.Info()) }))
}
