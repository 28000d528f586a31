package main

import (
	"errors"
	"fmt"
	"syscall/js"

	"postwork/wasm/kv"
)

// idb is a kv.DB over one IndexedDB database: one object store per kv store
// name, values as Uint8Array, each Apply one readwrite transaction.
type idb struct {
	db js.Value
}

// idbVersion is bumped when kv.Stores changes; the upgrade creates missing
// stores.
const idbVersion = 1

// openIDB opens (creating on first use) the database name.
func openIDB(name string) (*idb, error) {
	factory := global.Get("indexedDB")
	if factory.IsUndefined() || factory.IsNull() {
		return nil, errors.New("indexeddb: not available in this browser")
	}
	req, err := catch(func() js.Value { return factory.Call("open", name, idbVersion) })
	if err != nil {
		return nil, fmt.Errorf("indexeddb: open %s: %w", name, err)
	}
	upgrade := js.FuncOf(func(js.Value, []js.Value) any {
		db := req.Get("result")
		names := db.Get("objectStoreNames")
		for _, s := range kv.Stores {
			if !names.Call("contains", s).Bool() {
				db.Call("createObjectStore", s)
			}
		}
		return nil
	})
	defer upgrade.Release()
	req.Set("onupgradeneeded", upgrade)
	v, err := awaitRequest(req)
	req.Set("onupgradeneeded", js.Null())
	if err != nil {
		return nil, fmt.Errorf("indexeddb: open %s: %w", name, err)
	}
	return &idb{db: v}, nil
}

// awaitRequest waits for an IDBRequest (or IDBOpenDBRequest) to succeed or
// fail.
func awaitRequest(req js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	ch := make(chan result, 1)
	ok := js.FuncOf(func(js.Value, []js.Value) any {
		ch <- result{v: req.Get("result")}
		return nil
	})
	fail := js.FuncOf(func(_ js.Value, args []js.Value) any {
		// Handled here: keep the error from reaching the transaction and
		// the console as uncaught.
		if e := arg(args, 0); e.Type() == js.TypeObject {
			e.Call("preventDefault")
		}
		ch <- result{err: domError(req.Get("error"))}
		return nil
	})
	req.Set("onsuccess", ok)
	req.Set("onerror", fail)
	r := <-ch
	req.Set("onsuccess", js.Null())
	req.Set("onerror", js.Null())
	ok.Release()
	fail.Release()
	return r.v, r.err
}

func domError(v js.Value) error {
	if v.IsNull() || v.IsUndefined() {
		return errors.New("unknown error")
	}
	return jsError(v)
}

func (d *idb) Get(store, key string) ([]byte, error) {
	req, err := catch(func() js.Value {
		return d.db.Call("transaction", store, "readonly").Call("objectStore", store).Call("get", key)
	})
	if err != nil {
		return nil, fmt.Errorf("indexeddb: get %s/%s: %w", store, key, err)
	}
	v, err := awaitRequest(req)
	if err != nil {
		return nil, fmt.Errorf("indexeddb: get %s/%s: %w", store, key, err)
	}
	if v.IsUndefined() {
		return nil, kv.ErrNotFound
	}
	return bytesFromJS(v)
}

func (d *idb) All(store string) ([]kv.Entry, error) {
	var keysReq, valsReq js.Value
	_, err := catch(func() js.Value {
		os := d.db.Call("transaction", store, "readonly").Call("objectStore", store)
		keysReq = os.Call("getAllKeys")
		valsReq = os.Call("getAll")
		return js.Undefined()
	})
	if err != nil {
		return nil, fmt.Errorf("indexeddb: read %s: %w", store, err)
	}
	keys, err := awaitRequest(keysReq)
	if err != nil {
		return nil, fmt.Errorf("indexeddb: read %s: %w", store, err)
	}
	vals, err := awaitRequest(valsReq)
	if err != nil {
		return nil, fmt.Errorf("indexeddb: read %s: %w", store, err)
	}
	n := keys.Length()
	if vals.Length() != n {
		return nil, fmt.Errorf("indexeddb: read %s: %d keys but %d values", store, n, vals.Length())
	}
	out := make([]kv.Entry, 0, n)
	for i := 0; i < n; i++ {
		k := keys.Index(i)
		if k.Type() != js.TypeString {
			continue
		}
		b, err := bytesFromJS(vals.Index(i))
		if err != nil {
			continue
		}
		out = append(out, kv.Entry{Key: k.String(), Value: b})
	}
	return out, nil
}

// durable are the stores whose writes ask for strict durability: losing
// the key or a post is worse than a slower write.
var durable = map[string]bool{kv.StoreMeta: true, kv.StoreOutbox: true}

func (d *idb) Apply(ops []kv.Op) error {
	if len(ops) == 0 {
		return nil
	}
	var names []any
	seen := map[string]bool{}
	strict := false
	for _, op := range ops {
		if !seen[op.Store] {
			seen[op.Store] = true
			names = append(names, op.Store)
			strict = strict || durable[op.Store]
		}
	}
	durability := "relaxed"
	if strict {
		durability = "strict"
	}
	type result struct{ err error }
	ch := make(chan result, 1)
	var tx js.Value
	done := js.FuncOf(func(js.Value, []js.Value) any {
		ch <- result{}
		return nil
	})
	fail := js.FuncOf(func(js.Value, []js.Value) any {
		ch <- result{err: domError(tx.Get("error"))}
		return nil
	})
	defer done.Release()
	defer fail.Release()
	_, err := catch(func() js.Value {
		tx = d.db.Call("transaction", names, "readwrite", map[string]any{"durability": durability})
		tx.Set("oncomplete", done)
		tx.Set("onabort", fail)
		for _, op := range ops {
			os := tx.Call("objectStore", op.Store)
			if op.Delete {
				os.Call("delete", op.Key)
			} else {
				os.Call("put", bytesToJS(op.Value), op.Key)
			}
		}
		return js.Undefined()
	})
	if err != nil {
		if tx.Type() == js.TypeObject {
			tx.Set("oncomplete", js.Null())
			tx.Set("onabort", js.Null())
			catch(func() js.Value { tx.Call("abort"); return js.Undefined() })
		}
		return fmt.Errorf("indexeddb: write %d ops: %w", len(ops), err)
	}
	r := <-ch
	tx.Set("oncomplete", js.Null())
	tx.Set("onabort", js.Null())
	if r.err != nil {
		return fmt.Errorf("indexeddb: write %d ops: %w", len(ops), r.err)
	}
	return nil
}
