package nostr

import (
	"bytes"
	"fmt"
)

// Parse strictly parses one event from its NIP-01 JSON object. It accepts
// exactly one object (surrounding JSON whitespace allowed, nothing else) with
// exactly the keys id, pubkey, created_at, kind, tags, content and sig, each
// once and in any order. id and pubkey are 64 and sig 128 lower-case hex
// characters; created_at (≤ MaxCreatedAt) and kind (≤ MaxKind) are plain
// non-negative integers (no sign, fraction, exponent or leading zero); tags is
// an array of arrays of strings; strings are valid UTF-8 with valid escapes
// (surrogate pairs joined, lone surrogates refused). The input may be at most
// MaxEventSize bytes and the event must pass CheckLimits.
//
// encoding/json is not used because it accepts duplicate keys, matches keys
// case-insensitively, replaces invalid UTF-8 and reads floats: each of those
// lets two nodes disagree about what an event says.
//
// The id is kept as given; Verify checks it. Errors are *FieldError values
// wrapping ErrMalformed or ErrTooLarge.
func Parse(data []byte) (*Event, error) {
	if len(data) > MaxEventSize {
		return nil, tooLarge("event", fmt.Sprintf("%d bytes of json, limit %d", len(data), MaxEventSize))
	}
	// Every tag item is a quoted string and every tag opens a bracket, so
	// this sizes the span list once (bytes.Count is vectorised); the limits
	// cap it whatever the content holds.
	maxSpans := min(bytes.Count(data, []byte{'"'})/2+bytes.Count(data, []byte{'['}), MaxTags*(MaxTagItems+1))
	p := parser{
		data:  data,
		arena: make([]byte, 0, len(data)),
		spans: make([]span, 0, maxSpans),
	}
	e := new(Event)
	if err := p.parseObject(e); err != nil {
		return nil, err
	}
	s := string(p.arena)
	e.Content = s[p.content.start:p.content.end]
	e.Tags = buildTags(s, p.spans)
	if err := e.checkSize(); err != nil {
		return nil, err
	}
	return e, nil
}

// UnmarshalJSON parses with Parse, so an Event inside a larger JSON message
// decoded by encoding/json gets the same strict checks.
func (e *Event) UnmarshalJSON(data []byte) error {
	ev, err := Parse(data)
	if err != nil {
		return err
	}
	*e = *ev
	return nil
}

// span locates one decoded string in the parser's arena; tagEnd marks the
// end of a tag in a list of spans.
type span struct{ start, end int }

var tagEnd = span{-1, -1}

// buildTags slices every tag item out of s, which holds all decoded strings,
// so an event costs a few allocations however many tags it has. spans lists
// the items of each tag followed by tagEnd. Each tag's capacity is capped so
// appending to one cannot overwrite the next.
func buildTags(s string, spans []span) [][]string {
	ntags := 0
	for _, sp := range spans {
		if sp == tagEnd {
			ntags++
		}
	}
	items := make([]string, len(spans)-ntags)
	tags := make([][]string, ntags)
	t, k, first := 0, 0, 0
	for _, sp := range spans {
		if sp == tagEnd {
			tags[t] = items[first:k:k]
			t++
			first = k
			continue
		}
		items[k] = s[sp.start:sp.end]
		k++
	}
	return tags
}

type parser struct {
	data    []byte
	pos     int
	arena   []byte // decoded content and tag strings, back to back
	content span
	spans   []span // tag items in arena, each tag followed by tagEnd
}

// Keys of the event object, as bits of a seen-set.
const (
	keyID = iota
	keyPubKey
	keyCreatedAt
	keyKind
	keyTags
	keyContent
	keySig
	numKeys
)

var keyNames = [numKeys]string{"id", "pubkey", "created_at", "kind", "tags", "content", "sig"}

func lookupKey(k []byte) int {
	for i, name := range keyNames {
		if string(k) == name {
			return i
		}
	}
	return -1
}

func (p *parser) parseObject(e *Event) error {
	p.skipSpace()
	if err := p.expect('{', "event"); err != nil {
		return err
	}
	seen := 0
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
	} else {
		for {
			p.skipSpace()
			if p.pos >= len(p.data) || p.data[p.pos] != '"' {
				return p.unexpected("event")
			}
			var keyBuf [16]byte
			key, err := p.readString(keyBuf[:0])
			if err != nil {
				return withField(err, "event")
			}
			k := lookupKey(key)
			if k < 0 {
				return malformed("event", fmt.Sprintf("unknown key %q", truncate(key, 32)))
			}
			if seen&(1<<k) != 0 {
				return malformed(keyNames[k], "duplicate key")
			}
			seen |= 1 << k
			p.skipSpace()
			if err := p.expect(':', keyNames[k]); err != nil {
				return err
			}
			p.skipSpace()
			if err := p.parseValue(k, e); err != nil {
				return withField(err, keyNames[k])
			}
			p.skipSpace()
			if p.pos >= len(p.data) {
				return p.unexpected("event")
			}
			c := p.data[p.pos]
			p.pos++
			if c == '}' {
				break
			}
			if c != ',' {
				p.pos--
				return p.unexpected("event")
			}
		}
	}
	for k := range numKeys {
		if seen&(1<<k) == 0 {
			return malformed(keyNames[k], "missing")
		}
	}
	p.skipSpace()
	if p.pos != len(p.data) {
		return malformed("event", fmt.Sprintf("trailing data after the object at byte %d", p.pos))
	}
	return nil
}

func (p *parser) parseValue(k int, e *Event) error {
	switch k {
	case keyID:
		return p.readHex(e.ID[:])
	case keyPubKey:
		return p.readHex(e.PubKey[:])
	case keySig:
		return p.readHex(e.Sig[:])
	case keyCreatedAt:
		v, err := p.readUint(MaxCreatedAt)
		e.CreatedAt = int64(v)
		return err
	case keyKind:
		v, err := p.readUint(MaxKind)
		e.Kind = int(v)
		return err
	case keyContent:
		if err := p.wantString(); err != nil {
			return err
		}
		start := len(p.arena)
		var err error
		if p.arena, err = p.readString(p.arena); err != nil {
			return err
		}
		if n := len(p.arena) - start; n > MaxContentSize {
			return tooLarge("", fmt.Sprintf("%d bytes, limit %d", n, MaxContentSize))
		}
		p.content = span{start, len(p.arena)}
		return nil
	default:
		return p.readTags()
	}
}

func (p *parser) readTags() error {
	if p.pos >= len(p.data) || p.data[p.pos] != '[' {
		return malformed("", "want an array of arrays of strings, got "+p.describe())
	}
	p.pos++
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return nil
	}
	for i := 0; ; i++ {
		if i == MaxTags {
			return tooLarge("", fmt.Sprintf("more than %d tags", MaxTags))
		}
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != '[' {
			return malformed(fmt.Sprintf("tags[%d]", i), "want an array of strings, got "+p.describe())
		}
		p.pos++
		if err := p.readTag(i); err != nil {
			return err
		}
		p.spans = append(p.spans, tagEnd)
		p.skipSpace()
		if p.pos >= len(p.data) {
			return p.unexpected("tags")
		}
		c := p.data[p.pos]
		p.pos++
		if c == ']' {
			return nil
		}
		if c != ',' {
			p.pos--
			return p.unexpected("tags")
		}
	}
}

// readTag reads the items of tag i after its opening bracket.
func (p *parser) readTag(i int) error {
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return nil
	}
	for j := 0; ; j++ {
		if j == MaxTagItems {
			return tooLarge(fmt.Sprintf("tags[%d]", i), fmt.Sprintf("more than %d items", MaxTagItems))
		}
		p.skipSpace()
		if err := p.wantString(); err != nil {
			return withField(err, tagPath(i, j))
		}
		start := len(p.arena)
		var err error
		if p.arena, err = p.readString(p.arena); err != nil {
			return withField(err, tagPath(i, j))
		}
		if n := len(p.arena) - start; n > MaxTagItemSize {
			return tooLarge(tagPath(i, j), fmt.Sprintf("%d bytes, limit %d", n, MaxTagItemSize))
		}
		p.spans = append(p.spans, span{start, len(p.arena)})
		p.skipSpace()
		if p.pos >= len(p.data) {
			return p.unexpected(fmt.Sprintf("tags[%d]", i))
		}
		c := p.data[p.pos]
		p.pos++
		if c == ']' {
			return nil
		}
		if c != ',' {
			p.pos--
			return p.unexpected(fmt.Sprintf("tags[%d]", i))
		}
	}
}
