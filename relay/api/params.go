package api

import (
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"postwork/chain"
	"postwork/chain/nostr"
)

// maxParam bounds any path or query value before it is parsed: the longest
// valid one is a 64-character hex id or a 63-character npub.
const maxParam = 100

// quote shows a client's value in an error: quoted, invalid UTF-8 replaced,
// non-graphic characters escaped, cut to about 80 characters.
func quote(s string) string {
	return strconv.QuoteToGraphic(clip(strings.ToValidUTF8(s, "\uFFFD"), 80))
}

// clip cuts s to at most n runes, marking the cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// query reads a request's query parameters: each at most once, each
// bounded, none unknown, so a misspelt parameter is an error rather than a
// filter silently ignored.
type query struct {
	vals url.Values
}

func parseQuery(raw string, known ...string) (*query, *failure) {
	vals, err := url.ParseQuery(raw)
	if err != nil {
		return nil, badRequest("malformed query string: %v", err)
	}
	for k, v := range vals {
		ok := false
		for _, name := range known {
			ok = ok || k == name
		}
		if !ok {
			return nil, badRequest("unknown parameter %s; this route takes %s", quote(k), strings.Join(known, ", "))
		}
		if len(v) > 1 {
			return nil, badRequest("parameter %s given %d times", k, len(v))
		}
		if len(v[0]) > maxParam {
			return nil, badRequest("parameter %s is longer than %d bytes", k, maxParam)
		}
	}
	return &query{vals: vals}, nil
}

// uint returns the parameter as an integer in [min, max], or def if absent.
func (q *query) uint(name string, def, min, max uint64) (uint64, *failure) {
	s, ok := q.vals[name]
	if !ok {
		return def, nil
	}
	n, good := parseUint(s[0])
	if !good {
		return 0, badRequest("%s=%s is not a non-negative decimal integer", name, quote(s[0]))
	}
	if n < min || n > max {
		return 0, badRequest("%s=%d is out of range [%d, %d]", name, n, min, max)
	}
	return n, nil
}

func (q *query) has(name string) bool { _, ok := q.vals[name]; return ok }

func (q *query) get(name string) string { return q.vals.Get(name) }

// parseUint parses decimal digits only (no sign, no space), no leading zero
// but for 0 itself, within uint64.
func parseUint(s string) (uint64, bool) {
	if s == "" || len(s) > 20 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil
}

// parseHex32 parses 64 hexadecimal characters, either case.
func parseHex32(s string) ([32]byte, bool) {
	var out [32]byte
	if len(s) != 64 {
		return out, false
	}
	_, err := hex.Decode(out[:], []byte(s))
	return out, err == nil
}

// parseID parses a post id or block hash: 64 hex characters.
func parseID(what, s string) ([32]byte, *failure) {
	id, ok := parseHex32(s)
	if !ok {
		return id, badRequest("%s %s is not 64 hexadecimal characters", what, quote(s))
	}
	return id, nil
}

// parseKey parses a public key given as an npub or 64 hex characters.
func parseKey(s string) ([32]byte, *failure) {
	if len(s) > maxParam {
		return [32]byte{}, badRequest("key is longer than %d bytes", maxParam)
	}
	if k, ok := parseHex32(s); ok {
		return k, nil
	}
	if strings.HasPrefix(strings.ToLower(s), "npub1") {
		k, err := nostr.DecodeNpub(s)
		if err != nil {
			return k, badRequest("key %s is not a valid npub: %v", quote(s), err)
		}
		return k, nil
	}
	return [32]byte{}, badRequest("key %s is neither an npub nor 64 hexadecimal characters", quote(s))
}

// blockRef is a height on the best chain or a block hash.
type blockRef struct {
	height uint64
	hash   chain.Hash
	isHash bool
}

func parseBlockRef(s string) (blockRef, *failure) {
	if len(s) <= 20 {
		if h, ok := parseUint(s); ok {
			return blockRef{height: h}, nil
		}
	}
	if h, ok := parseHex32(s); ok {
		return blockRef{hash: h, isHash: true}, nil
	}
	return blockRef{}, badRequest("block %s is neither a height nor a 64-character hash", quote(s))
}

// hexString is 32 bytes as lower-case hex.
func hexString(b [32]byte) string { return hex.EncodeToString(b[:]) }

func bitsString(bits uint32) string { return fmt.Sprintf("%08x", bits) }
