package main

import (
	"errors"
	"fmt"
	"syscall/js"
)

// This file and the other _js.go files are the only ones that touch
// syscall/js. Rules kept throughout: a JS exception becomes a Go error
// (catch), every js.Func is released once JS can no longer call it, and no
// callback blocks (JS waits for it); work that waits runs in a goroutine.
// Blocking includes taking a mutex that some goroutine holds while it
// awaits JavaScript: the callback would wait for JS, JS for the callback,
// and the runtime reports a deadlock. So no lock in wasm/... is held across
// storage or network I/O (see outbox and wallet).

var (
	global      = js.Global()
	uint8Array  = global.Get("Uint8Array")
	promiseCtor = global.Get("Promise")
)

// jsError turns a thrown or rejected JS value into a Go error.
func jsError(v js.Value) error {
	if v.Type() == js.TypeObject && v.Get("message").Type() == js.TypeString {
		name := v.Get("name")
		if name.Type() == js.TypeString && name.String() != "Error" {
			return fmt.Errorf("%s: %s", name.String(), v.Get("message").String())
		}
		return errors.New(v.Get("message").String())
	}
	if v.Type() == js.TypeString {
		return errors.New(v.String())
	}
	return fmt.Errorf("javascript error: %s", v.Type())
}

// catch runs f and turns a JS exception it raises into an error.
func catch(f func() js.Value) (v js.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			if je, ok := r.(js.Error); ok {
				err = jsError(je.Value)
				return
			}
			err = fmt.Errorf("%v", r)
		}
	}()
	return f(), nil
}

// await waits for a promise on the calling goroutine, which must not be a
// JS callback.
func await(p js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	ch := make(chan result, 1)
	then := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- result{v: arg(args, 0)}
		return nil
	})
	fail := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- result{err: jsError(arg(args, 0))}
		return nil
	})
	defer then.Release()
	defer fail.Release()
	if _, err := catch(func() js.Value { return p.Call("then", then, fail) }); err != nil {
		return js.Undefined(), err
	}
	r := <-ch
	return r.v, r.err
}

func arg(args []js.Value, i int) js.Value {
	if i < len(args) {
		return args[i]
	}
	return js.Undefined()
}

// bytesToJS copies b into a new Uint8Array.
func bytesToJS(b []byte) js.Value {
	a := uint8Array.New(len(b))
	js.CopyBytesToJS(a, b)
	return a
}

// bytesFromJS copies a Uint8Array or ArrayBuffer into Go.
func bytesFromJS(v js.Value) ([]byte, error) {
	if v.InstanceOf(global.Get("ArrayBuffer")) {
		v = uint8Array.New(v)
	}
	if !v.InstanceOf(uint8Array) {
		return nil, fmt.Errorf("want bytes, got %s", v.Type())
	}
	b := make([]byte, v.Get("length").Int())
	js.CopyBytesToGo(b, v)
	return b, nil
}

// promise returns a JS promise settled by f, which runs on its own
// goroutine (so it may await); a panic in f rejects the promise instead of
// killing the program.
func promise(f func() (any, error)) js.Value {
	var executor js.Func
	executor = js.FuncOf(func(_ js.Value, args []js.Value) any {
		resolve, reject := args[0], args[1]
		go func() {
			var v any
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						err = fmt.Errorf("internal error: %v", r)
					}
				}()
				v, err = f()
			}()
			if err != nil {
				reject.Invoke(global.Get("Error").New(err.Error()))
				return
			}
			resolve.Invoke(v)
		}()
		return nil
	})
	p := promiseCtor.New(executor)
	// The executor runs synchronously inside the constructor: done with it.
	executor.Release()
	return p
}
