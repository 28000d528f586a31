package wallet

import (
	"context"
	"errors"
	"strings"
	"testing"

	"postwork/chain/chaintest"
	"postwork/chain/nostr"
	"postwork/wasm/kv"
)

func load(t *testing.T, db kv.DB, ext Extension) (*Wallet, bool) {
	t.Helper()
	w, created, err := Load(db, ext)
	if err != nil {
		t.Fatal(err)
	}
	return w, created
}

func signed(t *testing.T, w *Wallet) *nostr.Event {
	t.Helper()
	e := &nostr.Event{PubKey: w.PubKey(), CreatedAt: 1700000000, Kind: 1, Tags: [][]string{}, Content: "hi"}
	if err := w.Sign(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	if err := e.Verify(); err != nil {
		t.Fatalf("signed event does not verify: %v", err)
	}
	return e
}

func TestFirstVisitMakesAKeyThatStays(t *testing.T) {
	db := kv.NewMem()
	w, created := load(t, db, nil)
	if !created || w.Kind() != KindLocal || !strings.HasPrefix(w.Npub(), "npub1") {
		t.Fatalf("first load: created=%v kind=%s npub=%s", created, w.Kind(), w.Npub())
	}
	w2, created2 := load(t, db, nil)
	if created2 || w2.Npub() != w.Npub() {
		t.Fatal("a second visit got another key")
	}
	signed(t, w2)
}

func TestNsecRoundTrip(t *testing.T) {
	a, _ := load(t, kv.NewMem(), nil)
	nsec, err := a.ExportNsec()
	if err != nil {
		t.Fatal(err)
	}
	db := kv.NewMem()
	b, _ := load(t, db, nil)
	old := b.Npub()
	if err := b.Import("  "+strings.ToUpper(nsec)+"\n", ""); err != nil {
		t.Fatal(err)
	}
	if b.Npub() != a.Npub() {
		t.Fatal("import of the nsec gave another key")
	}
	if again, _ := load(t, db, nil); again.Npub() != a.Npub() {
		t.Fatal("imported key not stored")
	}
	// The replaced key is kept, not lost.
	entries, _ := db.All(kv.StoreMeta)
	kept := false
	for _, e := range entries {
		if strings.HasPrefix(e.Key, oldKeyPrefix) {
			kept = true
		}
	}
	if !kept {
		t.Fatalf("the replaced key %s was not kept", old)
	}
}

func TestNcryptsecRoundTrip(t *testing.T) {
	a, _ := load(t, kv.NewMem(), nil)
	if _, err := a.ExportNcryptsec("short", 4); !errors.Is(err, ErrShortPass) {
		t.Fatalf("short passphrase: %v", err)
	}
	enc, err := a.ExportNcryptsec("correct horse battery", 4)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := load(t, kv.NewMem(), nil)
	before := b.Npub()
	err = b.Import(enc, "wrong horse battery")
	if !errors.Is(err, nostr.ErrWrongPassword) {
		t.Fatalf("wrong password: %v", err)
	}
	if b.Npub() != before {
		t.Fatal("a failed import changed the key")
	}
	if err := b.Import(enc, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	if b.Npub() != a.Npub() {
		t.Fatal("ncryptsec import gave another key")
	}
}

func TestImportRefusesJunk(t *testing.T) {
	w, _ := load(t, kv.NewMem(), nil)
	for _, s := range []string{"", "npub1xyz", "nsec1qqqq", "ncryptsec1zzzz", "hello"} {
		if err := w.Import(s, "password123"); err == nil {
			t.Errorf("Import(%q) succeeded", s)
		}
	}
}

func TestFailedStoreLosesNothing(t *testing.T) {
	db := kv.NewMem()
	w, _ := load(t, db, nil)
	before := w.Npub()
	db.Fail = errors.New("quota exceeded")
	nsec := nostr.EncodeNsec([32]byte{31: 9})
	if err := w.Import(nsec, ""); err == nil {
		t.Fatal("import reported success though storing failed")
	}
	if w.Npub() != before {
		t.Fatal("the key changed although it was not stored")
	}
}

// fakeExt is a NIP-07 extension holding a key of its own.
type fakeExt struct {
	seed   byte
	tamper func(*nostr.Event)
}

func (f fakeExt) PublicKey(context.Context) ([32]byte, error) {
	return nostr.PublicKey(chaintest.Key(f.seed)), nil
}

func (f fakeExt) SignEvent(_ context.Context, e *nostr.Event) (*nostr.Event, error) {
	c := *e
	if f.tamper != nil {
		f.tamper(&c)
	}
	if err := c.Sign(chaintest.Key(f.seed)); err != nil {
		return nil, err
	}
	return &c, nil
}

func TestExtensionSigns(t *testing.T) {
	db := kv.NewMem()
	w, _ := load(t, db, fakeExt{seed: 3})
	if err := w.UseExtension(context.Background()); err != nil {
		t.Fatal(err)
	}
	if w.Kind() != KindExtension || w.PubKey() != nostr.PublicKey(chaintest.Key(3)) {
		t.Fatal("not switched to the extension's key")
	}
	signed(t, w)
	if _, err := w.ExportNsec(); !errors.Is(err, ErrExtensionKey) {
		t.Fatalf("export with an extension: %v", err)
	}
	// Reload remembers the choice, and without the extension says so.
	w2, _ := load(t, db, nil)
	e := &nostr.Event{PubKey: w2.PubKey(), Kind: 1, Tags: [][]string{}}
	if err := w2.Sign(context.Background(), e); !errors.Is(err, ErrNoExtension) {
		t.Fatalf("signing without the extension: %v", err)
	}
}

func TestExtensionThatSignsSomethingElseIsRefused(t *testing.T) {
	w, _ := load(t, kv.NewMem(), fakeExt{seed: 3, tamper: func(e *nostr.Event) { e.Content = "not what you wrote" }})
	if err := w.UseExtension(context.Background()); err != nil {
		t.Fatal(err)
	}
	e := &nostr.Event{PubKey: w.PubKey(), Kind: 1, Tags: [][]string{}, Content: "what you wrote"}
	if err := w.Sign(context.Background(), e); err == nil {
		t.Fatal("accepted a signature over different content")
	}
}

func TestNoExtension(t *testing.T) {
	w, _ := load(t, kv.NewMem(), nil)
	if err := w.UseExtension(context.Background()); !errors.Is(err, ErrNoExtension) {
		t.Fatalf("UseExtension without one: %v", err)
	}
}
