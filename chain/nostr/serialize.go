package nostr

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// The escaping here is exactly what JSON.stringify does to a well-formed
// string, which is what nostr-tools hashes: `"` and `\` and the control
// characters below 0x20 are escaped (the seven with short forms as \b \t \n \f
// \r \" \\, the rest as \u00xx in lower-case hex); nothing else is, not `/`,
// not 0x7f, not U+2028/U+2029, not any other non-ASCII character. NIP-01 asks
// for the same. Any other escaping would give a different id.

// escapedLen[c] is the number of bytes byte c takes inside a JSON string.
var escapedLen = func() (t [256]uint8) {
	for c := range t {
		switch {
		case c == '"' || c == '\\' || c == '\b' || c == '\t' || c == '\n' || c == '\f' || c == '\r':
			t[c] = 2
		case c < 0x20:
			t[c] = 6
		default:
			t[c] = 1
		}
	}
	return t
}()

const lowerHex = "0123456789abcdef"

// appendString appends s as a JSON string with the canonical escaping.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if escapedLen[c] == 1 {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"':
			dst = append(dst, '\\', '"')
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\r':
			dst = append(dst, '\\', 'r')
		default:
			dst = append(dst, '\\', 'u', '0', '0', lowerHex[c>>4], lowerHex[c&0xf])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// stringLen is len(appendString(nil, s)).
func stringLen(s string) int {
	n := 2
	for i := 0; i < len(s); i++ {
		n += int(escapedLen[s[i]])
	}
	return n
}

func appendTag(dst []byte, tag []string) []byte {
	dst = append(dst, '[')
	for j, item := range tag {
		if j > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, item)
	}
	return append(dst, ']')
}

func appendTags(dst []byte, tags [][]string) []byte {
	dst = append(dst, '[')
	for i, tag := range tags {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendTag(dst, tag)
	}
	return append(dst, ']')
}

// tagsLen is len(appendTags(nil, tags)).
func tagsLen(tags [][]string) int {
	n := 2 + max(len(tags)-1, 0) // brackets and commas
	for _, tag := range tags {
		n += 2 + max(len(tag)-1, 0)
		for _, item := range tag {
			n += stringLen(item)
		}
	}
	return n
}

// decimalLen is len(strconv.AppendInt(nil, v, 10)).
func decimalLen(v int64) int {
	n := 1
	if v < 0 {
		n++
		if v == -1<<63 {
			return 20
		}
		v = -v
	}
	for v >= 10 {
		v /= 10
		n++
	}
	return n
}

// appendSerialized appends [0,pubkey,created_at,kind,tags,content].
func (e *Event) appendSerialized(dst []byte) []byte {
	dst = append(dst, `[0,"`...)
	dst = hex.AppendEncode(dst, e.PubKey[:])
	dst = append(dst, `",`...)
	dst = strconv.AppendInt(dst, e.CreatedAt, 10)
	dst = append(dst, ',')
	dst = strconv.AppendInt(dst, int64(e.Kind), 10)
	dst = append(dst, ',')
	dst = appendTags(dst, e.Tags)
	dst = append(dst, ',')
	dst = appendString(dst, e.Content)
	return append(dst, ']')
}

// serializedLen is len(e.Serialize()).
func (e *Event) serializedLen() int {
	return len(`[0,"`) + 64 + len(`",`) + decimalLen(e.CreatedAt) + 1 +
		decimalLen(int64(e.Kind)) + 1 + tagsLen(e.Tags) + 1 + stringLen(e.Content) + 1
}

// Serialize returns the canonical serialization
// [0,pubkey,created_at,kind,tags,content] whose SHA-256 is the id, byte for
// byte what nostr-tools produces.
func (e *Event) Serialize() []byte {
	return e.appendSerialized(make([]byte, 0, e.serializedLen()))
}

// ComputeID returns SHA-256 of Serialize().
func (e *Event) ComputeID() [32]byte {
	// Most events fit the stack buffer, so hashing them does not allocate.
	var buf [1024]byte
	return sha256.Sum256(e.appendSerialized(buf[:0]))
}

// AppendJSON appends the NIP-01 JSON object with keys in the order id, pubkey,
// created_at, kind, tags, content, sig, no whitespace, the canonical string
// escaping, and tags [] (never null).
func (e *Event) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"id":"`...)
	dst = hex.AppendEncode(dst, e.ID[:])
	dst = append(dst, `","pubkey":"`...)
	dst = hex.AppendEncode(dst, e.PubKey[:])
	dst = append(dst, `","created_at":`...)
	dst = strconv.AppendInt(dst, e.CreatedAt, 10)
	dst = append(dst, `,"kind":`...)
	dst = strconv.AppendInt(dst, int64(e.Kind), 10)
	dst = append(dst, `,"tags":`...)
	dst = appendTags(dst, e.Tags)
	dst = append(dst, `,"content":`...)
	dst = appendString(dst, e.Content)
	dst = append(dst, `,"sig":"`...)
	dst = hex.AppendEncode(dst, e.Sig[:])
	return append(dst, `"}`...)
}

// jsonLen is len(e.AppendJSON(nil)), the size MaxEventSize limits.
func (e *Event) jsonLen() int {
	return len(`{"id":"`) + 64 + len(`","pubkey":"`) + 64 + len(`","created_at":`) +
		decimalLen(e.CreatedAt) + len(`,"kind":`) + decimalLen(int64(e.Kind)) +
		len(`,"tags":`) + tagsLen(e.Tags) + len(`,"content":`) + stringLen(e.Content) +
		len(`,"sig":"`) + 128 + len(`"}`)
}

// MarshalJSON returns AppendJSON(nil). encoding/json, when it calls this,
// re-escapes some characters of the result (U+2028/2029 always; <, > and &
// unless the encoder has SetEscapeHTML(false)): the event is the same, but
// use AppendJSON directly where the exact bytes matter.
func (e *Event) MarshalJSON() ([]byte, error) {
	return e.AppendJSON(make([]byte, 0, e.jsonLen())), nil
}
