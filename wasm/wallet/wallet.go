// Package wallet holds the light node's key: a secret key kept in the
// browser's storage, or a NIP-07 signer extension that keeps the key to
// itself. It signs posts, exports the key as nsec or ncryptsec (NIP-49) and
// imports either. It does no I/O of its own: storage is a kv.DB and the
// extension an interface the page implements.
package wallet

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/btcsuite/btcd/btcec/v2"

	"postwork/chain/nostr"
	"postwork/wasm/kv"
)

// Kinds of signer.
const (
	KindLocal     = "local"     // the secret key is in the page's storage
	KindExtension = "extension" // a NIP-07 extension signs; the page never sees the key
)

// ExportLogN is the scrypt cost of an exported ncryptsec: 2^16 (64 MiB),
// what NIP-49 suggests, about a second in a browser tab.
const ExportLogN = 16

// MinPasswordLength is the shortest passphrase an export accepts.
const MinPasswordLength = 8

// Errors a user can act on.
var (
	ErrNoExtension  = errors.New("wallet: no nostr signer extension (NIP-07) in this browser")
	ErrExtensionKey = errors.New("wallet: the key is held by the signer extension and cannot be exported")
	ErrShortPass    = fmt.Errorf("wallet: passphrase shorter than %d characters", MinPasswordLength)
)

// Extension is a NIP-07 signer (window.nostr), implemented by the page.
type Extension interface {
	PublicKey(ctx context.Context) ([32]byte, error)
	// SignEvent returns the event signed by the extension; it sets id, pubkey
	// and sig and must keep the rest as given.
	SignEvent(ctx context.Context, e *nostr.Event) (*nostr.Event, error)
}

// storeKey is where the wallet record lives in kv.StoreMeta; keys replaced
// by an import stay under oldKeyPrefix+pubkey so an import never loses one.
const (
	storeKey     = "wallet"
	oldKeyPrefix = "wallet.old."
)

// record is the stored form.
type record struct {
	Kind   string `json:"kind"`
	PubKey string `json:"pubkey"`
	Secret string `json:"secret,omitempty"` // hex; local keys only
}

// Wallet is the page's identity. It is safe for concurrent use: changes
// hold wmu across the storage write; mu guards the fields only briefly, so
// a reader (in the browser, a JavaScript callback that must not block)
// never waits for storage.
type Wallet struct {
	db  kv.DB
	ext Extension // nil when the browser has none

	wmu  sync.Mutex
	mu   sync.Mutex
	kind string
	sk   *btcec.PrivateKey // local only
	pub  [32]byte
}

// Load opens the stored wallet, creating and storing a new local key on the
// first visit (created is then true). ext may be nil.
func Load(db kv.DB, ext Extension) (w *Wallet, created bool, err error) {
	w = &Wallet{db: db, ext: ext}
	raw, err := db.Get(kv.StoreMeta, storeKey)
	if errors.Is(err, kv.ErrNotFound) {
		sk, err := nostr.GenerateKey()
		if err != nil {
			return nil, false, fmt.Errorf("wallet: generate key: %w", err)
		}
		if err := w.setLocal(sk, nil); err != nil {
			return nil, false, err
		}
		return w, true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("wallet: load: %w", err)
	}
	var r record
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, false, fmt.Errorf("wallet: stored record: %w", err)
	}
	pub, err := decodeHex32(r.PubKey)
	if err != nil {
		return nil, false, fmt.Errorf("wallet: stored pubkey: %w", err)
	}
	switch r.Kind {
	case KindLocal:
		b, err := decodeHex32(r.Secret)
		if err != nil {
			return nil, false, fmt.Errorf("wallet: stored secret: %w", err)
		}
		sk, err := nostr.PrivateKeyFromBytes(b)
		if err != nil {
			return nil, false, fmt.Errorf("wallet: stored secret: %w", err)
		}
		if nostr.PublicKey(sk) != pub {
			return nil, false, errors.New("wallet: stored secret does not match stored pubkey")
		}
		w.kind, w.sk, w.pub = KindLocal, sk, pub
	case KindExtension:
		w.kind, w.pub = KindExtension, pub
	default:
		return nil, false, fmt.Errorf("wallet: unknown stored kind %q", r.Kind)
	}
	return w, false, nil
}

func decodeHex32(s string) ([32]byte, error) {
	var out [32]byte
	if len(s) != 64 {
		return out, fmt.Errorf("want 64 hex characters, got %d", len(s))
	}
	_, err := hex.Decode(out[:], []byte(s))
	return out, err
}

// setLocal stores sk as the wallet's key, keeping the key it replaces.
func (w *Wallet) setLocal(sk *btcec.PrivateKey, old []kv.Op) error {
	pub := nostr.PublicKey(sk)
	r := record{Kind: KindLocal, PubKey: hex.EncodeToString(pub[:]), Secret: hex.EncodeToString(sk.Serialize())}
	return w.store(r, old, func() { w.kind, w.sk, w.pub = KindLocal, sk, pub })
}

func (w *Wallet) store(r record, old []kv.Op, apply func()) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if err := w.db.Apply(append(old, kv.Put(kv.StoreMeta, storeKey, raw))); err != nil {
		return fmt.Errorf("wallet: store key: %w", err)
	}
	w.mu.Lock()
	apply()
	w.mu.Unlock()
	return nil
}

// keepOld returns the op that files the current local key away.
func (w *Wallet) keepOld() []kv.Op {
	w.mu.Lock()
	kind, sk, pub := w.kind, w.sk, w.pub
	w.mu.Unlock()
	if kind != KindLocal || sk == nil {
		return nil
	}
	r := record{Kind: KindLocal, PubKey: hex.EncodeToString(pub[:]), Secret: hex.EncodeToString(sk.Serialize())}
	raw, _ := json.Marshal(r)
	return []kv.Op{kv.Put(kv.StoreMeta, oldKeyPrefix+r.PubKey, raw)}
}

// Kind is KindLocal or KindExtension.
func (w *Wallet) Kind() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.kind
}

// PubKey is the x-only public key posts are signed with.
func (w *Wallet) PubKey() [32]byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.pub
}

// Npub is PubKey as NIP-19.
func (w *Wallet) Npub() string { return nostr.EncodeNpub(w.PubKey()) }

// Sign sets e's pubkey, id and sig. e.PubKey must already be the wallet's
// (NIP-13 work commits to it). With an extension, the returned signature is
// verified before it is accepted: an extension that signed something else,
// or with another key, is refused.
func (w *Wallet) Sign(ctx context.Context, e *nostr.Event) error {
	w.mu.Lock()
	kind, sk, pub, ext := w.kind, w.sk, w.pub, w.ext
	w.mu.Unlock()
	if e.PubKey != pub {
		return errors.New("wallet: event pubkey is not the wallet's")
	}
	if kind == KindLocal {
		return e.Sign(sk)
	}
	if ext == nil {
		return ErrNoExtension
	}
	signed, err := ext.SignEvent(ctx, e)
	if err != nil {
		return fmt.Errorf("wallet: signer extension: %w", err)
	}
	if signed.PubKey != pub || signed.CreatedAt != e.CreatedAt || signed.Kind != e.Kind || signed.Content != e.Content || !slices.EqualFunc(signed.Tags, e.Tags, slices.Equal[[]string]) {
		return errors.New("wallet: signer extension signed a different event")
	}
	if err := signed.Verify(); err != nil {
		return fmt.Errorf("wallet: signer extension: %w", err)
	}
	e.ID, e.Sig = signed.ID, signed.Sig
	return nil
}

// ExportNsec returns the secret key as nsec. The page shows a warning first:
// anyone who sees it can post as this key.
func (w *Wallet) ExportNsec() (string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.kind != KindLocal {
		return "", ErrExtensionKey
	}
	var b [32]byte
	copy(b[:], w.sk.Serialize())
	return nostr.EncodeNsec(b), nil
}

// ExportNcryptsec returns the secret key encrypted under password (NIP-49).
func (w *Wallet) ExportNcryptsec(password string, logN uint8) (string, error) {
	if len([]rune(password)) < MinPasswordLength {
		return "", ErrShortPass
	}
	w.mu.Lock()
	kind, sk := w.kind, w.sk
	w.mu.Unlock()
	if kind != KindLocal {
		return "", ErrExtensionKey
	}
	var b [32]byte
	copy(b[:], sk.Serialize())
	// The key has been stored unencrypted in the browser: NIP-49 asks us to
	// say it was handled insecurely.
	return nostr.EncryptKey(b, password, logN, nostr.KeyInsecure)
}

// Import replaces the key with an nsec, or an ncryptsec and its password.
// The replaced local key is kept in storage; nothing changes on an error.
func (w *Wallet) Import(s, password string) error {
	s = strings.TrimSpace(s)
	var b [32]byte
	var err error
	// bech32 strings may be all upper case (QR codes); the decoders take both.
	switch lower := strings.ToLower(s); {
	case strings.HasPrefix(lower, "nsec1"):
		b, err = nostr.DecodeNsec(s)
	case strings.HasPrefix(lower, "ncryptsec1"):
		b, err = nostr.DecryptKey(s, password)
	default:
		return errors.New("wallet: import expects an nsec1… or ncryptsec1… string")
	}
	if err != nil {
		return fmt.Errorf("wallet: import: %w", err)
	}
	sk, err := nostr.PrivateKeyFromBytes(b)
	if err != nil {
		return fmt.Errorf("wallet: import: %w", err)
	}
	w.wmu.Lock()
	defer w.wmu.Unlock()
	return w.setLocal(sk, w.keepOld())
}

// UseExtension switches to the browser's NIP-07 signer. The local key, if
// any, is kept in storage.
func (w *Wallet) UseExtension(ctx context.Context) error {
	if w.ext == nil {
		return ErrNoExtension
	}
	pub, err := w.ext.PublicKey(ctx)
	if err != nil {
		return fmt.Errorf("wallet: signer extension: %w", err)
	}
	w.wmu.Lock()
	defer w.wmu.Unlock()
	r := record{Kind: KindExtension, PubKey: hex.EncodeToString(pub[:])}
	return w.store(r, w.keepOld(), func() { w.kind, w.sk, w.pub = KindExtension, nil, pub })
}
