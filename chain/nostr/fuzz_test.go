package nostr

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// wrapsSentinel reports whether a decoder error is one callers can classify.
func wrapsSentinel(err error) bool {
	return errors.Is(err, ErrMalformed) || errors.Is(err, ErrTooLarge)
}

func sameEvent(a, b *Event) bool {
	return a.ID == b.ID && a.PubKey == b.PubKey && a.Sig == b.Sig && a.CreatedAt == b.CreatedAt &&
		a.Kind == b.Kind && a.Content == b.Content && tagsEqual(a.Tags, b.Tags)
}

func FuzzParse(f *testing.F) {
	v := loadVectors(f)
	for _, tc := range v.Valid {
		f.Add([]byte(tc.Event))
	}
	for _, tc := range v.Invalid {
		f.Add([]byte(tc.Event))
	}
	for _, tc := range v.PoW {
		f.Add([]byte(tc.Event))
	}
	for _, s := range []string{
		obj(baseKV()...),
		with("content", `"\ud83e\uddf1 \u00e9 \/ \b\f\n\r\t \u0000"`),
		with("content", `"\ud83e"`),
		with("content", "\"\xff\""),
		with("tags", `[["a","b"],[],[""]]`),
		with("tags", `[[["x"]]]`),
		with("kind", "01"),
		with("kind", "1e3"),
		with("created_at", "1.5"),
		with("created_at", "-1"),
		with("id", strings.ToUpper(tID)),
		obj(append(baseKV(), "id", tID)...),
		obj(append(baseKV(), "x", "1")...),
		obj(baseKV()...) + " x",
		"", "{}", "[]", "{", `{"id"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := Parse(data)
		if err != nil {
			if e != nil {
				t.Fatal("event returned with an error")
			}
			if !wrapsSentinel(err) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			return
		}
		if err := e.CheckLimits(); err != nil {
			t.Fatalf("Parse accepted an event CheckLimits refuses: %v", err)
		}
		js := e.AppendJSON(nil)
		if len(js) != e.jsonLen() {
			t.Fatalf("jsonLen %d, AppendJSON wrote %d", e.jsonLen(), len(js))
		}
		if len(e.Serialize()) != e.serializedLen() {
			t.Fatal("serializedLen disagrees with Serialize")
		}
		// parse → MarshalJSON → parse gives the same event and the same bytes.
		again, err := Parse(js)
		if err != nil {
			t.Fatalf("Parse(AppendJSON) failed: %v\n%s", err, js)
		}
		if !sameEvent(e, again) {
			t.Fatalf("round trip changed the event\n%+v\n%+v", e, again)
		}
		if !bytes.Equal(again.AppendJSON(nil), js) {
			t.Fatal("AppendJSON is not stable across a round trip")
		}
		// The binary form carries the same event.
		bin := e.AppendBinary(nil)
		d, n, err := DecodeBinary(bin)
		if err != nil {
			t.Fatalf("DecodeBinary(AppendBinary) failed: %v", err)
		}
		if n != len(bin) || d.ID != e.ComputeID() {
			t.Fatalf("binary round trip: consumed %d of %d, id %x vs %x", n, len(bin), d.ID, e.ComputeID())
		}
		d.ID = e.ID
		if !sameEvent(e, d) {
			t.Fatal("binary round trip changed the event")
		}
		// encoding/json is laxer but must read anything we accept the same way.
		var std struct {
			CreatedAt int64      `json:"created_at"`
			Kind      int        `json:"kind"`
			Tags      [][]string `json:"tags"`
			Content   string     `json:"content"`
		}
		if err := json.Unmarshal(data, &std); err != nil {
			t.Fatalf("encoding/json rejects what Parse accepted: %v", err)
		}
		if std.CreatedAt != e.CreatedAt || std.Kind != e.Kind || std.Content != e.Content || !tagsEqual(std.Tags, e.Tags) {
			t.Fatalf("encoding/json reads a different event: %+v", std)
		}
	})
}

func FuzzDecodeBinary(f *testing.F) {
	v := loadVectors(f)
	for _, tc := range v.Valid {
		e, err := Parse(tc.Event)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(e.AppendBinary(nil))
	}
	f.Add(binEvent(1, uv(1), uv(0), uv(0)))
	f.Add(binEvent(1, uv(1), uv(1), uv(2), uv(1), []byte("t"), uv(2), []byte("é"), uv(2), []byte("hi")))
	f.Add(binEvent(1, []byte{0x81, 0x00}, uv(0), uv(0)))
	f.Add(binEvent(1<<63, uv(1), uv(0), uv(0)))
	f.Add(binEvent(1, uv(1), uv(1<<62)))
	f.Add(binEvent(1, uv(1), uv(0), uv(2), []byte{0xc3, 0x28}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		e, n, err := DecodeBinary(data)
		if err != nil {
			if e != nil || n != 0 {
				t.Fatal("event or length returned with an error")
			}
			if !wrapsSentinel(err) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			return
		}
		// decode → encode gives the same bytes: one event, one encoding.
		if enc := e.AppendBinary(nil); !bytes.Equal(enc, data[:n]) {
			t.Fatalf("re-encoding differs\n got %x\nwant %x", enc, data[:n])
		}
		if err := e.CheckLimits(); err != nil {
			t.Fatalf("decoded an event CheckLimits refuses: %v", err)
		}
		if e.ID != e.ComputeID() {
			t.Fatal("id not recomputed")
		}
		// Whatever the binary decoder accepts, the JSON decoder accepts too.
		p, err := Parse(e.AppendJSON(nil))
		if err != nil {
			t.Fatalf("Parse refuses a binary-decoded event: %v", err)
		}
		if !sameEvent(e, p) {
			t.Fatal("JSON round trip changed the event")
		}
	})
}

func FuzzBech32(f *testing.F) {
	v := loadVectors(f)
	for _, k := range v.Keys {
		f.Add(k.Npub)
		f.Add(k.Nsec)
		f.Add(k.Ncryptsec)
	}
	for _, s := range []string{
		"A12UEL5L", "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw", "?1ezyfcl",
		"pzry9x0s0muk", "li1dgmt3", "A1G7SGD8", "a12UEL5L", "", "1", "npub1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		hrp, data, err := bech32Decode(s)
		if err == nil {
			if got := bech32Encode(hrp, data); got != strings.ToLower(s) {
				t.Fatalf("re-encodes as %s", got)
			}
		}
		if k, err := DecodeNpub(s); err == nil {
			if EncodeNpub(k) != strings.ToLower(s) {
				t.Fatal("npub does not round-trip")
			}
		} else if !errors.Is(err, ErrBadKey) {
			t.Fatalf("npub error %v is not ErrBadKey", err)
		}
		if k, err := DecodeNsec(s); err == nil {
			if EncodeNsec(k) != strings.ToLower(s) {
				t.Fatal("nsec does not round-trip")
			}
		} else if !errors.Is(err, ErrBadKey) {
			t.Fatalf("nsec error %v is not ErrBadKey", err)
		}
		// Everything DecryptKey checks before scrypt; a payload that passes
		// has a log_n DecryptKey can afford.
		if b, err := parseNcryptsec(s); err == nil {
			if len(b) != ncryptsecLen || b[1] > MaxLogN || b[1] < 1 {
				t.Fatalf("accepted payload %x", b)
			}
		} else if !errors.Is(err, ErrBadKey) {
			t.Fatalf("ncryptsec error %v is not ErrBadKey", err)
		}
	})
}
