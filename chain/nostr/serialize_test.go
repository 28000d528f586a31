package nostr

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"testing"
)

func TestSerializeEscaping(t *testing.T) {
	// Expected forms follow JSON.stringify, which nostr-tools hashes.
	cases := []struct{ content, want string }{
		{"plain", `"plain"`},
		{`quote " backslash \ slash /`, `"quote \" backslash \\ slash /"`},
		{"\b\t\n\f\r", `"\b\t\n\f\r"`},
		{"\x00\x01\x0b\x0e\x1a\x1f", `"\u0000\u0001\u000b\u000e\u001a\u001f"`},
		{"\x7f del stays raw", "\"\x7f del stays raw\""},
		{"\u2028\u2029 stay raw", "\"\u2028\u2029 stay raw\""},
		{"é 区块链 🧱", `"é 区块链 🧱"`},
		{"<script>&amp;</script>", `"<script>&amp;</script>"`},
		{"", `""`},
	}
	for _, tc := range cases {
		e := Event{CreatedAt: 5, Kind: 1, Content: tc.content, Tags: [][]string{{"t", tc.content}}}
		want := `[0,"0000000000000000000000000000000000000000000000000000000000000000",5,1,[["t",` +
			tc.want + `]],` + tc.want + `]`
		if got := string(e.Serialize()); got != want {
			t.Errorf("content %q:\n got %s\nwant %s", tc.content, got, want)
		}
	}
}

func TestSerializeShape(t *testing.T) {
	e := Event{
		PubKey:    [32]byte{0xab, 31: 0x01},
		CreatedAt: 1763700000,
		Kind:      30023,
		Tags:      [][]string{{"d", "x"}, {}, {"p", "y", ""}},
		Content:   "c",
	}
	want := `[0,"ab00000000000000000000000000000000000000000000000000000000000001",1763700000,30023,[["d","x"],[],["p","y",""]],"c"]`
	if got := string(e.Serialize()); got != want {
		t.Fatalf("\n got %s\nwant %s", got, want)
	}
	if e.ComputeID() != sha256.Sum256([]byte(want)) {
		t.Fatal("ComputeID is not SHA-256 of the serialization")
	}
}

func TestAppendJSONShape(t *testing.T) {
	e := Event{ID: [32]byte{1}, PubKey: [32]byte{2}, CreatedAt: 7, Kind: 1, Content: "a\"b", Sig: [64]byte{3}}
	want := `{"id":"01` + strings.Repeat("0", 62) + `","pubkey":"02` + strings.Repeat("0", 62) +
		`","created_at":7,"kind":1,"tags":[],"content":"a\"b","sig":"03` + strings.Repeat("0", 126) + `"}`
	got, err := e.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("\n got %s\nwant %s", got, want)
	}
	prefix := []byte("prefix:")
	if out := e.AppendJSON(prefix); !bytes.Equal(out, append([]byte("prefix:"), want...)) {
		t.Fatalf("AppendJSON did not append: %s", out)
	}
}

// TestLengthsMatch: the size arithmetic behind CheckLimits and buffer sizing
// agrees with the bytes written.
func TestLengthsMatch(t *testing.T) {
	events := []Event{
		{},
		{CreatedAt: MaxCreatedAt, Kind: MaxKind, Tags: [][]string{{}, {""}, {"a", "b\n\x01"}}, Content: "\"\\\x00é"},
		{CreatedAt: -5, Kind: -1},
	}
	for _, tc := range loadVectors(t).Valid {
		e, err := Parse(tc.Event)
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, *e)
	}
	for i, e := range events {
		if got, want := e.jsonLen(), len(e.AppendJSON(nil)); got != want {
			t.Errorf("event %d: jsonLen %d, AppendJSON wrote %d", i, got, want)
		}
		if got, want := e.serializedLen(), len(e.appendSerialized(nil)); got != want {
			t.Errorf("event %d: serializedLen %d, wrote %d", i, got, want)
		}
	}
	for _, v := range []int64{0, 9, 10, -1, -10, 1 << 62, -1 << 63, 1<<63 - 1} {
		e := Event{CreatedAt: v}
		if got, want := decimalLen(v), len(e.appendSerialized(nil))-len(`[0,"`)-64-len(`",`)-len(`,0,[],""]`); got != want {
			t.Errorf("decimalLen(%d) = %d, want %d", v, got, want)
		}
	}
}

func TestComputeIDLargeEvent(t *testing.T) {
	// Larger than ComputeID's stack buffer: the hash must still be right.
	e := Event{Content: strings.Repeat("z", 5000)}
	if e.ComputeID() != sha256.Sum256(e.Serialize()) {
		t.Fatal("ComputeID differs from SHA-256 of Serialize")
	}
}
