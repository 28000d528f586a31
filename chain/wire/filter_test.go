package wire

import (
	"encoding/hex"
	"testing"
)

func TestFilterMatch(t *testing.T) {
	ev := signed(t, 7, "tagged", 1000, []string{"t", "postwork"}, []string{"p", "abc", "relay"}, []string{"e"})
	other := signed(t, 8, "plain", 2000)
	q := func(s string) string { return `"` + s + `"` }
	id, pk := hex.EncodeToString(ev.ID[:]), hex.EncodeToString(ev.PubKey[:])
	tests := []struct {
		filter     string
		ev, others bool // matches ev, matches other
	}{
		{`{}`, true, true},
		{`{"ids":[` + q(id) + `]}`, true, false},
		{`{"ids":[]}`, false, false}, // an empty list matches nothing
		{`{"#t":[]}`, false, false},
		{`{"authors":[` + q(pk) + `]}`, true, false},
		{`{"kinds":[1]}`, true, true},
		{`{"kinds":[0,7]}`, false, false},
		{`{"#t":["postwork"]}`, true, false},
		{`{"#t":["other","postwork"]}`, true, false},
		{`{"#T":["postwork"]}`, false, false}, // tag names are case-sensitive
		{`{"#p":["abc"]}`, true, false},
		{`{"#p":["relay"]}`, false, false}, // only the first value counts
		{`{"#e":[""]}`, false, false},      // a tag without value matches nothing
		{`{"since":1000}`, true, true},
		{`{"since":1001}`, false, true},
		{`{"until":1000}`, true, false},
		{`{"until":1999}`, true, false},
		{`{"since":500,"until":1500,"kinds":[1],"#t":["postwork"]}`, true, false},
		{`{"limit":0}`, true, true}, // limit does not filter
	}
	for _, tt := range tests {
		f, err := ParseFilter([]byte(tt.filter))
		if err != nil {
			t.Errorf("%s: %v", tt.filter, err)
			continue
		}
		if got := f.Match(ev); got != tt.ev {
			t.Errorf("%s matches the tagged event: %v, want %v", tt.filter, got, tt.ev)
		}
		if got := f.Match(other); got != tt.others {
			t.Errorf("%s matches the plain event: %v, want %v", tt.filter, got, tt.others)
		}
	}
}

func TestFilterLimitZeroIsSet(t *testing.T) {
	f, err := ParseFilter([]byte(`{"limit":0}`))
	if err != nil || !f.HasLimit || f.Limit != 0 {
		t.Errorf("limit 0 read as %+v, %v", f, err)
	}
	f, _ = ParseFilter([]byte(`{}`))
	if f.HasLimit {
		t.Error("absent limit read as set")
	}
}

func BenchmarkFilterMatch(b *testing.B) {
	ev := signed(b, 7, "tagged", 1000, []string{"t", "postwork"})
	f, _ := ParseFilter([]byte(`{"kinds":[1],"#t":["postwork"],"since":10}`))
	for b.Loop() {
		if !f.Match(ev) {
			b.Fatal("no match")
		}
	}
}

func BenchmarkParseEvent(b *testing.B) {
	ev := signed(b, 7, "a post of ordinary length, a sentence or two of text, with a tag", 1000, []string{"t", "postwork"})
	frame := Encode(&MsgEvent{Event: ev})
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		if _, err := Parse(frame); err != nil {
			b.Fatal(err)
		}
	}
}
