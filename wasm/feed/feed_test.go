package feed

import (
	"strings"
	"testing"
	"unicode/utf8"

	"postwork/chain"
	"postwork/chain/chaintest"
	"postwork/chain/nostr"
	"postwork/wasm/kv"
)

func open(t *testing.T, db kv.DB, max int) *Feed {
	t.Helper()
	f, err := Open(db, max)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func profileEvent(t *testing.T, seed byte, content string, at int64) *nostr.Event {
	t.Helper()
	e := &nostr.Event{Kind: KindProfile, CreatedAt: at, Content: content, Tags: [][]string{}}
	if err := e.Sign(chaintest.Key(seed)); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestNewestFirstAndConfirmation(t *testing.T) {
	db := kv.NewMem()
	f := open(t, db, 0)
	old := chaintest.Post(t, 1, "old", 100)
	mid := chaintest.Post(t, 2, "mid", 200)
	young := chaintest.Post(t, 3, "young", 300)
	for _, e := range []*nostr.Event{mid, old, young} {
		if !f.Seen(e) {
			t.Fatalf("Seen(%s) changed nothing", e.Content)
		}
	}
	if f.Seen(mid) {
		t.Fatal("seeing a post twice changed the feed")
	}
	block := chain.Hash{7}
	if !f.Confirm(mid, block, 42) || f.Confirm(mid, block, 42) {
		t.Fatal("Confirm should change the feed once")
	}
	ps := f.Posts()
	if len(ps) != 3 || ps[0].Event.Content != "young" || ps[2].Event.Content != "old" {
		t.Fatalf("order %v", ps)
	}
	if !ps[1].Confirmed || ps[1].Block != block || ps[1].Height != 42 {
		t.Fatalf("mid not confirmed: %+v", ps[1])
	}
	if err := f.Flush(); err != nil {
		t.Fatal(err)
	}
	re := open(t, db, 0).Posts()
	if len(re) != 3 || !re[1].Confirmed || re[1].Block != block {
		t.Fatalf("reloaded feed %+v", re)
	}
	if !f.Unconfirm(block) || f.Posts()[1].Confirmed {
		t.Fatal("Unconfirm left the post confirmed")
	}
}

func TestBoundedAndPruned(t *testing.T) {
	db := kv.NewMem()
	f := open(t, db, 3)
	for i := range 6 {
		f.Seen(chaintest.Post(t, byte(i+1), "p", int64(100+i)))
	}
	ps := f.Posts()
	if len(ps) != 3 || ps[2].Event.CreatedAt != 103 {
		t.Fatalf("kept %d posts, oldest %d; want the 3 newest", len(ps), ps[len(ps)-1].Event.CreatedAt)
	}
	if f.Seen(chaintest.Post(t, 9, "ancient", 1)) {
		t.Fatal("a post older than all kept ones was added to a full feed")
	}
	f.Flush()
	entries, _ := db.All(kv.StorePosts)
	if len(entries) != 3 {
		t.Fatalf("storage holds %d posts, want 3", len(entries))
	}
}

func TestProfilesNameAuthors(t *testing.T) {
	db := kv.NewMem()
	f := open(t, db, 0)
	pub := nostr.PublicKey(chaintest.Key(5))
	f.Seen(profileEvent(t, 5, `{"name":"alice"}`, 100))
	f.Seen(profileEvent(t, 5, `{"name":"alice2","display_name":"Alice Liddell"}`, 200))
	f.Seen(profileEvent(t, 5, `{"name":"stale"}`, 150))
	if got := f.Name(pub); got != "Alice Liddell" {
		t.Fatalf("name %q, want the newest profile's display name", got)
	}
	f.Flush()
	if got := open(t, db, 0).Name(pub); got != "Alice Liddell" {
		t.Fatalf("name after reload %q", got)
	}
	if len(f.Posts()) != 0 {
		t.Fatal("profiles listed as posts")
	}
	if other := nostr.PublicKey(chaintest.Key(6)); f.Name(other) != "" {
		t.Fatal("name for an author without a profile")
	}
	if s := ShortNpub(pub); !strings.HasPrefix(s, "npub1") || len(s) > 20 {
		t.Fatalf("short npub %q", s)
	}
}

func TestStoredForgeriesAreDropped(t *testing.T) {
	db := kv.NewMem()
	f := open(t, db, 0)
	e := chaintest.Post(t, 1, "real", 100)
	f.Seen(e)
	f.Flush()
	// Someone edits the stored post.
	entries, _ := db.All(kv.StorePosts)
	forged := strings.Replace(string(entries[0].Value), "real", "fake", 1)
	db.Apply([]kv.Op{kv.Put(kv.StorePosts, entries[0].Key, []byte(forged)), kv.Put(kv.StorePosts, "junk", []byte("{"))})
	if ps := open(t, db, 0).Posts(); len(ps) != 0 {
		t.Fatalf("a forged stored post was shown: %v", ps[0].Event.Content)
	}
}

func TestProfileName(t *testing.T) {
	cases := map[string]string{
		`{"name":"bob"}`:                              "bob",
		`{"name":"bob","display_name":"  "}`:          "bob",
		`{"display_name":"a\u0000b\u200bc\n\n d"}`:    "abc d",
		`{"name":"<script>alert(1)</script>"}`:        "<script>alert(1)</script>",
		`not json`:                                    "",
		`{"name":5}`:                                  "",
		`{"name":"` + strings.Repeat("x", 100) + `"}`: strings.Repeat("x", MaxNameLength) + "…",
	}
	for in, want := range cases {
		if got := ProfileName(in); got != want {
			t.Errorf("ProfileName(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzProfileName(f *testing.F) {
	f.Add(`{"name":"bob"}`)
	f.Add(`{"display_name":"\u202eevil","name":"x"}`)
	f.Add(`{"name":"` + strings.Repeat("é", 60) + `"}`)
	f.Fuzz(func(t *testing.T, content string) {
		name := ProfileName(content)
		if !utf8.ValidString(name) {
			t.Fatalf("invalid UTF-8 name %q", name)
		}
		if n := utf8.RuneCountInString(name); n > MaxNameLength+1 {
			t.Fatalf("name of %d characters", n)
		}
		if strings.ContainsAny(name, "\x00\n\r\t") {
			t.Fatalf("control characters in %q", name)
		}
	})
}
