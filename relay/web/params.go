package web

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"postwork/chain"
	"postwork/chain/nostr"
)

// maxParam bounds any path or query value before it is parsed: the longest
// valid one is a 64-character hex id or a 63-character npub.
const maxParam = 200

// Errors of the parsers. Each is wrapped with the value at fault (quoted,
// clipped) so it can be shown to the user as it is.
var (
	errEmpty    = errors.New("empty")
	errTooLong  = errors.New("too long")
	errNotHex   = errors.New("not 64 hexadecimal characters")
	errNotRef   = errors.New("neither a block height nor a 64-character block hash")
	errNotKey   = errors.New("neither an npub nor a 64-character public key")
	errBadNpub  = errors.New("not a valid npub")
	errNotQuery = errors.New("not a block height, a block hash, a post id or an npub")
)

// quote shows a user's value in a message: quoted, invalid UTF-8 replaced,
// characters that are not graphic escaped, cut to about 80 characters.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	n := 0
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		q := strconv.QuoteToGraphic(string(r))
		q = q[1 : len(q)-1]
		if n += utf8.RuneCountInString(q); n > 80 {
			b.WriteString("…")
			break
		}
		b.WriteString(q)
	}
	b.WriteByte('"')
	return b.String()
}

func paramError(s string, err error) error { return fmt.Errorf("%s: %w", quote(s), err) }

// parseHex32 parses 64 hexadecimal characters, either case.
func parseHex32(s string) ([32]byte, error) {
	var out [32]byte
	if len(s) != 64 {
		return out, errNotHex
	}
	if _, err := hex.Decode(out[:], []byte(s)); err != nil {
		return out, errNotHex
	}
	return out, nil
}

// parseHeight parses a block height: decimal digits only (no sign, no
// space), no leading zero but for 0 itself, within uint64.
func parseHeight(s string) (uint64, bool) {
	if s == "" || len(s) > 20 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	h, err := strconv.ParseUint(s, 10, 64)
	return h, err == nil
}

// blockRef is what /block/{ref} names: a height on the best chain, or a
// hash.
type blockRef struct {
	height uint64
	hash   chain.Hash
	isHash bool
}

func parseBlockRef(s string) (blockRef, error) {
	if s == "" {
		return blockRef{}, errEmpty
	}
	if len(s) > maxParam {
		return blockRef{}, paramError(s[:maxParam], errTooLong)
	}
	if h, ok := parseHeight(s); ok {
		return blockRef{height: h}, nil
	}
	if b, err := parseHex32(s); err == nil {
		return blockRef{hash: chain.Hash(b), isHash: true}, nil
	}
	return blockRef{}, paramError(s, errNotRef)
}

func parseID(s string) ([32]byte, error) {
	if s == "" {
		return [32]byte{}, errEmpty
	}
	if len(s) > maxParam {
		return [32]byte{}, paramError(s[:maxParam], errTooLong)
	}
	id, err := parseHex32(s)
	if err != nil {
		return id, paramError(s, err)
	}
	return id, nil
}

// parseNpub decodes an npub, also in upper case (bech32 allows one case or
// the other) and with the nostr: prefix of NIP-21.
func parseNpub(s string) ([32]byte, error) {
	s = strings.TrimPrefix(s, "nostr:")
	if s == strings.ToUpper(s) {
		s = strings.ToLower(s)
	}
	return nostr.DecodeNpub(s)
}

// parseAuthor parses /author/{key}: an npub, or 64 hex characters (then
// canonical is false and the handler redirects to the npub form).
func parseAuthor(s string) (pub [32]byte, canonical bool, err error) {
	if s == "" {
		return pub, false, errEmpty
	}
	if len(s) > maxParam {
		return pub, false, paramError(s[:maxParam], errTooLong)
	}
	if b, err := parseHex32(s); err == nil {
		return b, false, nil
	}
	if looksLikeNpub(s) {
		pub, err := parseNpub(s)
		if err != nil {
			return pub, false, paramError(s, errBadNpub)
		}
		return pub, s == nostr.EncodeNpub(pub), nil
	}
	return pub, false, paramError(s, errNotKey)
}

func looksLikeNpub(s string) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimPrefix(s, "nostr:")), "npub1")
}

// queryKind is what a search box entry looks like.
type queryKind int

const (
	queryHeight queryKind = iota + 1
	queryHex              // a block hash, a post id or a public key
	queryNpub
)

// searchQuery is a parsed search box entry.
type searchQuery struct {
	kind   queryKind
	height uint64
	hex    [32]byte
}

// parseQuery classifies a search box entry. Surrounding space is ignored.
func parseQuery(q string) (searchQuery, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return searchQuery{}, errEmpty
	}
	if len(q) > maxParam {
		return searchQuery{}, paramError(q[:maxParam], errTooLong)
	}
	if h, ok := parseHeight(q); ok {
		return searchQuery{kind: queryHeight, height: h}, nil
	}
	if b, err := parseHex32(q); err == nil {
		return searchQuery{kind: queryHex, hex: b}, nil
	}
	if looksLikeNpub(q) {
		pub, err := parseNpub(q)
		if err != nil {
			return searchQuery{}, paramError(q, errBadNpub)
		}
		return searchQuery{kind: queryNpub, hex: pub}, nil
	}
	return searchQuery{}, paramError(q, errNotQuery)
}
