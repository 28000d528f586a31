package outbox

import (
	"errors"
	"testing"

	"postwork/chain/chaintest"
	"postwork/chain/nostr"
	"postwork/wasm/kv"
)

func open(t *testing.T, db kv.DB) *Outbox {
	t.Helper()
	o, skipped, err := Open(db)
	if err != nil || skipped != 0 {
		t.Fatalf("open: %v, %d skipped", err, skipped)
	}
	return o
}

func ids(evs []*nostr.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Content)
	}
	return out
}

func TestPostsWaitAcrossReloadsInOrder(t *testing.T) {
	db := kv.NewMem()
	o := open(t, db)
	for i, c := range []string{"first", "second", "third"} {
		if err := o.Add(chaintest.Post(t, 1, c, 100), int64(10+i)); err != nil {
			t.Fatal(err)
		}
	}
	got := ids(open(t, db).Waiting())
	if len(got) != 3 || got[0] != "first" || got[2] != "third" {
		t.Fatalf("after reload waiting %v, want first, second, third", got)
	}
}

func TestAnswers(t *testing.T) {
	db := kv.NewMem()
	o := open(t, db)
	posts := map[string]*nostr.Event{}
	for _, c := range []string{"ok", "dup", "slow", "weak", "trouble"} {
		posts[c] = chaintest.Post(t, 2, c, 100)
		if err := o.Add(posts[c], 1); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		post     string
		accepted bool
		reason   string
		want     Outcome
	}{
		{"ok", true, "", Accepted},
		{"dup", false, "duplicate: already have it", Accepted},
		{"slow", false, "rate-limited: slow down", Retry},
		{"trouble", false, "error: database locked", Retry},
		{"weak", false, "pow: difficulty 4 is less than 8", Rejected},
	}
	for _, c := range cases {
		got, err := o.Answer(posts[c.post].ID, c.accepted, c.reason)
		if err != nil || got != c.want {
			t.Errorf("%s: outcome %v, %v; want %v", c.post, got, err, c.want)
		}
	}
	if got, _ := o.Answer([32]byte{1}, true, ""); got != Unknown {
		t.Errorf("unknown id: %v", got)
	}
	reloaded := open(t, db)
	if got := ids(reloaded.Waiting()); len(got) != 2 {
		t.Fatalf("waiting after answers %v, want slow and trouble", got)
	}
	var weak *Item
	for _, it := range reloaded.Items() {
		if it.Event.ID == posts["weak"].ID {
			weak = &it
		}
	}
	if weak == nil || weak.State != StateRejected || weak.Reason != "pow: difficulty 4 is less than 8" {
		t.Fatalf("rejected post not kept with its reason: %+v", weak)
	}
	if err := reloaded.Remove(posts["weak"].ID); err != nil {
		t.Fatal(err)
	}
	if err := reloaded.Remove(posts["weak"].ID); !errors.Is(err, ErrNotInOutbox) {
		t.Fatalf("second remove: %v", err)
	}
}

func TestRefusesInvalidAndLosesNothingOnStorageFailure(t *testing.T) {
	db := kv.NewMem()
	o := open(t, db)
	bad := chaintest.Post(t, 1, "tampered", 100)
	bad.Content = "changed after signing"
	if err := o.Add(bad, 1); err == nil {
		t.Fatal("outbox took an event that does not verify")
	}
	db.Fail = errors.New("quota exceeded")
	good := chaintest.Post(t, 1, "good", 100)
	if err := o.Add(good, 1); err == nil {
		t.Fatal("Add reported success though storing failed")
	}
	if len(o.Items()) != 0 {
		t.Fatal("a post that was not stored is listed as waiting")
	}
	db.Fail = nil
	if err := o.Add(good, 1); err != nil {
		t.Fatal(err)
	}
	// A failed removal keeps the post waiting.
	db.Fail = errors.New("quota exceeded")
	if _, err := o.Answer(good.ID, true, ""); err == nil {
		t.Fatal("Answer reported success though storing failed")
	}
	if len(o.Waiting()) != 1 {
		t.Fatal("post dropped from memory though its removal was not stored")
	}
}

func TestStoredGarbageIsSkipped(t *testing.T) {
	db := kv.NewMem()
	db.Apply([]kv.Op{kv.Put(kv.StoreOutbox, "x", []byte("{not json")), kv.Put(kv.StoreOutbox, "y", []byte(`{"event":{"id":"00"}}`))})
	o, skipped, err := Open(db)
	if err != nil || skipped != 2 || len(o.Items()) != 0 {
		t.Fatalf("open: %v, skipped %d, items %d", err, skipped, len(o.Items()))
	}
}
