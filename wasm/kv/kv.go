// Package kv is the small storage interface the light node writes through:
// named stores of byte values under string keys, and batches of writes that
// commit together. The browser implements it over IndexedDB (one object
// store per name, one readwrite transaction per batch); Mem serves native
// tests and pages that cannot open IndexedDB.
package kv

import (
	"errors"
	"sort"
	"sync"
)

// ErrNotFound is returned by Get for a key the store does not hold.
var ErrNotFound = errors.New("kv: not found")

// Stores are the object stores the light node uses. The browser creates
// exactly these when it opens the database.
var Stores = []string{StoreMeta, StoreHeaders, StorePosts, StoreOutbox}

// Names of the stores.
const (
	StoreMeta    = "meta"    // wallet, settings, chain tip
	StoreHeaders = "headers" // header hash (hex) → 96-byte header
	StorePosts   = "posts"   // event id (hex) → feed record
	StoreOutbox  = "outbox"  // event id (hex) → signed event waiting for OK
)

// Op is one write of a batch: a put, or a delete when Delete is set.
type Op struct {
	Store  string
	Key    string
	Value  []byte
	Delete bool
}

// Put returns the op that stores value under key.
func Put(store, key string, value []byte) Op { return Op{Store: store, Key: key, Value: value} }

// Del returns the op that deletes key.
func Del(store, key string) Op { return Op{Store: store, Key: key, Delete: true} }

// Entry is a key and its value.
type Entry struct {
	Key   string
	Value []byte
}

// DB is what the light node needs from storage. Apply is atomic: after a
// crash either every op of a batch is stored or none is.
type DB interface {
	Get(store, key string) ([]byte, error)
	// All returns every entry of a store in key order.
	All(store string) ([]Entry, error)
	Apply(ops []Op) error
}

// Mem is a DB in memory.
type Mem struct {
	mu     sync.Mutex
	stores map[string]map[string][]byte
	// Fail, when set, makes Apply fail with it: tests use it to check that
	// a failed write loses nothing the caller still holds.
	Fail error
}

// NewMem returns an empty in-memory DB.
func NewMem() *Mem { return &Mem{stores: make(map[string]map[string][]byte)} }

func (m *Mem) Get(store, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.stores[store][key]
	if !ok {
		return nil, ErrNotFound
	}
	return append([]byte(nil), v...), nil
}

func (m *Mem) All(store string) ([]Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Entry, 0, len(m.stores[store]))
	for k, v := range m.stores[store] {
		out = append(out, Entry{Key: k, Value: append([]byte(nil), v...)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

func (m *Mem) Apply(ops []Op) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Fail != nil {
		return m.Fail
	}
	for _, op := range ops {
		s := m.stores[op.Store]
		if s == nil {
			s = make(map[string][]byte)
			m.stores[op.Store] = s
		}
		if op.Delete {
			delete(s, op.Key)
		} else {
			s[op.Key] = append([]byte(nil), op.Value...)
		}
	}
	return nil
}
