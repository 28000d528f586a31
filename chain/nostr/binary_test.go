package nostr

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

func TestBinaryRoundTripVectors(t *testing.T) {
	v := loadVectors(t)
	var events []*Event
	for _, tc := range v.Valid {
		e, err := Parse(tc.Event)
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, e)
	}
	for _, tc := range v.PoW {
		e, err := Parse(tc.Event)
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, e)
	}
	for i, e := range events {
		b := e.AppendBinary(nil)
		// Trailing bytes belong to the next event and are not consumed.
		d, n, err := DecodeBinary(append(b, 0xde, 0xad))
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		if n != len(b) {
			t.Errorf("event %d: consumed %d bytes, encoding is %d", i, n, len(b))
		}
		if d.ID != e.ID {
			t.Errorf("event %d: recomputed id %x, want %x", i, d.ID, e.ID)
		}
		if err := d.Verify(); err != nil {
			t.Errorf("event %d: decoded event does not verify: %v", i, err)
		}
		if !bytes.Equal(d.AppendJSON(nil), e.AppendJSON(nil)) {
			t.Errorf("event %d: decoded event differs:\n%s\n%s", i, d.AppendJSON(nil), e.AppendJSON(nil))
		}
		if !bytes.Equal(d.AppendBinary(nil), b) {
			t.Errorf("event %d: re-encoding differs", i)
		}
	}
}

func TestBinaryLayout(t *testing.T) {
	e := &Event{
		PubKey:    [32]byte{1},
		Sig:       [64]byte{2},
		CreatedAt: 0x0102030405,
		Kind:      300,
		Tags:      [][]string{{"t", "é"}, {}},
		Content:   "hi",
	}
	var want []byte
	want = append(want, e.PubKey[:]...)
	want = append(want, e.Sig[:]...)
	want = append(want, 0x05, 0x04, 0x03, 0x02, 0x01, 0, 0, 0) // created_at LE
	want = append(want, 0xac, 0x02)                            // kind 300 uvarint
	want = append(want, 2)                                     // ntags
	want = append(want, 2, 1, 't', 2, 0xc3, 0xa9)              // ["t","é"]
	want = append(want, 0)                                     // []
	want = append(want, 2, 'h', 'i')                           // content
	if got := e.AppendBinary(nil); !bytes.Equal(got, want) {
		t.Fatalf("\n got %x\nwant %x", got, want)
	}
	d, _, err := DecodeBinary(want)
	if err != nil {
		t.Fatal(err)
	}
	if d.Tags == nil || d.Tags[1] == nil || len(d.Tags[1]) != 0 {
		t.Fatalf("empty tag decoded as %#v", d.Tags)
	}
}

func TestDecodeBinaryTruncated(t *testing.T) {
	e := signedEvent(t)
	b := e.AppendBinary(nil)
	for i := range len(b) {
		if _, _, err := DecodeBinary(b[:i]); !errors.Is(err, ErrMalformed) {
			t.Fatalf("%d of %d bytes: got %v, want ErrMalformed", i, len(b), err)
		}
	}
}

// binEvent builds a binary event from the parts after kind, so tests can
// write lengths and counts no encoder would.
func binEvent(createdAt uint64, rest ...[]byte) []byte {
	b := make([]byte, 96, 200)
	b = binary.LittleEndian.AppendUint64(b, createdAt)
	for _, r := range rest {
		b = append(b, r...)
	}
	return b
}

func uv(v uint64) []byte { return binary.AppendUvarint(nil, v) }

func TestDecodeBinaryRejects(t *testing.T) {
	ok := binEvent(1, uv(1), uv(0), uv(0))
	if _, _, err := DecodeBinary(ok); err != nil {
		t.Fatalf("minimal event rejected: %v", err)
	}
	cases := []struct {
		name  string
		input []byte
		want  error
		msg   string
	}{
		{"negative created_at", binEvent(1<<63, uv(1), uv(0), uv(0)), ErrMalformed, "created_at: -9223372036854775808 out of range"},
		{"created_at above 2^53-1", binEvent(1<<53, uv(1), uv(0), uv(0)), ErrMalformed, "created_at"},
		{"kind too big", binEvent(1, uv(MaxKind+1), uv(0), uv(0)), ErrMalformed, "kind: 65536 out of range"},
		{"non-minimal kind", binEvent(1, []byte{0x81, 0x00}, uv(0), uv(0)), ErrMalformed, "kind: uvarint not minimally encoded"},
		{"non-minimal zero", binEvent(1, uv(1), []byte{0x80, 0x00}, uv(0)), ErrMalformed, "tags: uvarint not minimally encoded"},
		{"uvarint overflow", binEvent(1, bytes.Repeat([]byte{0xff}, 10), []byte{1}), ErrMalformed, "kind: uvarint overflows"},
		{"too many tags", binEvent(1, uv(1), uv(MaxTags+1), uv(0)), ErrTooLarge, "tags: 101, limit 100"},
		{"huge tag count", binEvent(1, uv(1), uv(1<<62)), ErrTooLarge, "tags: 4611686018427387904, limit 100"},
		{"too many items", binEvent(1, uv(1), uv(1), uv(MaxTagItems+1)), ErrTooLarge, "tags[0]: 17, limit 16"},
		{"item too large", binEvent(1, uv(1), uv(1), uv(1), uv(MaxTagItemSize+1)), ErrTooLarge, "tags[0][0]: 1025, limit 1024"},
		{"item past end", binEvent(1, uv(1), uv(1), uv(1), uv(10), []byte("abc")), ErrMalformed, "tags[0][0]: truncated: 10 bytes announced, 3 left"},
		{"item invalid utf-8", binEvent(1, uv(1), uv(1), uv(1), uv(1), []byte{0xff}, uv(0)), ErrMalformed, "tags[0][0]: invalid utf-8"},
		{"content too large", binEvent(1, uv(1), uv(0), uv(MaxContentSize+1)), ErrTooLarge, "content: 32769, limit 32768"},
		{"content past end", binEvent(1, uv(1), uv(0), uv(5), []byte("ab")), ErrMalformed, "content: truncated"},
		{"content invalid utf-8", binEvent(1, uv(1), uv(0), uv(2), []byte{0xc3, 0x28}), ErrMalformed, "content: invalid utf-8"},
		{"content surrogate", binEvent(1, uv(1), uv(0), uv(3), []byte{0xed, 0xa0, 0x80}), ErrMalformed, "content: invalid utf-8"},
		// Content within its limit whose escaped JSON is over MaxEventSize.
		{"canonical json too large", binEvent(1, uv(1), uv(0), uv(MaxContentSize), bytes.Repeat([]byte{0x01}, MaxContentSize)), ErrTooLarge, "event: canonical json is"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, n, err := DecodeBinary(tc.input)
			if err == nil {
				t.Fatalf("accepted (%d bytes): %+v", n, e)
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("error %q does not wrap %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not say %q", err, tc.msg)
			}
		})
	}
}

// TestDecodeBinaryAgreesWithParse: the two decoders accept the same events;
// an event at every limit survives JSON → binary → JSON.
func TestDecodeBinaryAgreesWithParse(t *testing.T) {
	tags := make([][]string, MaxTags)
	for i := range tags {
		tags[i] = []string{"t", strings.Repeat("é", 100)}
	}
	tags[0] = make([]string, MaxTagItems)
	e := &Event{CreatedAt: MaxCreatedAt, Kind: MaxKind, Tags: tags, Content: strings.Repeat("\n", 5000)}
	if err := e.Sign(testKey(t)); err != nil {
		t.Fatal(err)
	}
	p, err := Parse(e.AppendJSON(nil))
	if err != nil {
		t.Fatal(err)
	}
	d, _, err := DecodeBinary(p.AppendBinary(nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Verify(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(d.AppendJSON(nil), e.AppendJSON(nil)) {
		t.Fatal("event changed through JSON and binary")
	}
}
