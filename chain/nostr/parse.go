package nostr

import (
	"bytes"
	"fmt"
	"unicode/utf8"
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

// readHex reads a string of exactly 2*len(out) lower-case hex characters.
// Upper case is refused: the id and keys have one spelling, so relays and
// clients that compare them as strings agree.
func (p *parser) readHex(out []byte) error {
	if err := p.wantString(); err != nil {
		return err
	}
	var buf [128]byte
	s, err := p.readString(buf[:0])
	if err != nil {
		return err
	}
	if len(s) != 2*len(out) {
		return malformed("", fmt.Sprintf("want %d hex characters, got %d", 2*len(out), len(s)))
	}
	for k, c := range s {
		if hexValue[c] > 0xf {
			if c >= 'A' && c <= 'F' {
				return malformed("", "upper-case hex")
			}
			return malformed("", fmt.Sprintf("not hex: %q at %d", c, k))
		}
	}
	for i := range out {
		out[i] = hexValue[s[2*i]]<<4 | hexValue[s[2*i+1]]
	}
	return nil
}

// hexValue maps lower-case hex digits to their value and everything else to 0xff.
var hexValue = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for i := range 16 {
		t[lowerHex[i]] = byte(i)
	}
	return t
}()

// readUint reads a JSON number that must be a plain integer in [0, limit].
func (p *parser) readUint(limit uint64) (uint64, error) {
	d := p.data
	if p.pos >= len(d) {
		return 0, p.unexpected("")
	}
	switch c := d[p.pos]; {
	case c == '-':
		return 0, malformed("", "negative")
	case c < '0' || c > '9':
		return 0, malformed("", "want an integer, got "+p.describe())
	case c == '0' && p.pos+1 < len(d) && d[p.pos+1] >= '0' && d[p.pos+1] <= '9':
		return 0, malformed("", "leading zero")
	}
	var v uint64
	for ; p.pos < len(d) && d[p.pos] >= '0' && d[p.pos] <= '9'; p.pos++ {
		v = v*10 + uint64(d[p.pos]-'0')
		if v > limit {
			return 0, malformed("", fmt.Sprintf("out of range, limit %d", limit))
		}
	}
	if p.pos < len(d) {
		switch d[p.pos] {
		case '.':
			return 0, malformed("", "not an integer (fraction)")
		case 'e', 'E':
			return 0, malformed("", "not an integer (exponent)")
		case ' ', '\t', '\n', '\r', ',', '}':
		default:
			return 0, malformed("", fmt.Sprintf("unexpected %q after the number", d[p.pos]))
		}
	}
	return v, nil
}

// strSafe marks the bytes that stand for themselves inside a JSON string and
// need no further check: printable ASCII other than `"` and `\`.
var strSafe = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// readString reads the JSON string starting at the opening quote at p.pos and
// appends its decoded UTF-8 bytes to dst.
func (p *parser) readString(dst []byte) ([]byte, error) {
	d := p.data
	i := p.pos + 1
	start := i
	for {
		for i < len(d) && strSafe[d[i]] {
			i++
		}
		if i >= len(d) {
			p.pos = i
			return dst, malformed("", "unterminated string")
		}
		switch c := d[i]; {
		case c == '"':
			p.pos = i + 1
			return append(dst, d[start:i]...), nil
		case c == '\\':
			var n int
			var err error
			if dst, n, err = unescape(append(dst, d[start:i]...), d[i:]); err != nil {
				p.pos = i
				return dst, err
			}
			i += n
			start = i
		case c < 0x20:
			p.pos = i
			return dst, malformed("", fmt.Sprintf("unescaped control character 0x%02x in string", c))
		default:
			r, size := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && size <= 1 {
				p.pos = i
				return dst, malformed("", fmt.Sprintf("invalid utf-8 at byte %d", i))
			}
			i += size
		}
	}
}

// unescape decodes the escape sequence at the start of s (s[0] == '\\'),
// appends it to dst, and returns its length in s.
func unescape(dst, s []byte) ([]byte, int, error) {
	if len(s) < 2 {
		return dst, 0, malformed("", "unterminated string")
	}
	switch s[1] {
	case '"', '\\', '/':
		return append(dst, s[1]), 2, nil
	case 'b':
		return append(dst, '\b'), 2, nil
	case 'f':
		return append(dst, '\f'), 2, nil
	case 'n':
		return append(dst, '\n'), 2, nil
	case 'r':
		return append(dst, '\r'), 2, nil
	case 't':
		return append(dst, '\t'), 2, nil
	case 'u':
	default:
		return dst, 0, malformed("", fmt.Sprintf("invalid escape %q", truncate(s[:2], 2)))
	}
	r, ok := hex4(s[2:])
	if !ok {
		return dst, 0, malformed("", "invalid \\u escape")
	}
	switch {
	case r >= 0xdc00 && r < 0xe000:
		return dst, 0, malformed("", fmt.Sprintf("lone surrogate \\u%04x", r))
	case r >= 0xd800 && r < 0xdc00:
		// A high surrogate must be followed by an escaped low one.
		if len(s) < 12 || s[6] != '\\' || s[7] != 'u' {
			return dst, 0, malformed("", fmt.Sprintf("lone surrogate \\u%04x", r))
		}
		lo, ok := hex4(s[8:])
		if !ok {
			return dst, 0, malformed("", "invalid \\u escape")
		}
		if lo < 0xdc00 || lo >= 0xe000 {
			return dst, 0, malformed("", fmt.Sprintf("lone surrogate \\u%04x", r))
		}
		return utf8.AppendRune(dst, 0x10000+(r-0xd800)<<10+(lo-0xdc00)), 12, nil
	}
	return utf8.AppendRune(dst, r), 6, nil
}

// hex4 reads four hex digits of either case, as JSON allows in \u escapes.
func hex4(s []byte) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range s[:4] {
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	return r, true
}

func (p *parser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) expect(c byte, field string) error {
	if p.pos >= len(p.data) || p.data[p.pos] != c {
		return p.unexpected(field)
	}
	p.pos++
	return nil
}

func (p *parser) wantString() error {
	if p.pos >= len(p.data) || p.data[p.pos] != '"' {
		return malformed("", "want a string, got "+p.describe())
	}
	return nil
}

// unexpected reports a syntax error at p.pos.
func (p *parser) unexpected(field string) error {
	if p.pos >= len(p.data) {
		return malformed(field, "unexpected end of input")
	}
	return malformed(field, fmt.Sprintf("unexpected %q at byte %d", p.data[p.pos], p.pos))
}

// describe names the kind of JSON value starting at p.pos, for errors.
func (p *parser) describe() string {
	if p.pos >= len(p.data) {
		return "end of input"
	}
	switch c := p.data[p.pos]; c {
	case '"':
		return "a string"
	case '[':
		return "an array"
	case '{':
		return "an object"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return "a number"
	default:
		return fmt.Sprintf("%q", c)
	}
}

// withField fills in the field of an error raised below the level that knows it.
func withField(err error, field string) error {
	if fe, ok := err.(*FieldError); ok && fe.Field == "" {
		fe.Field = field
	}
	return err
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}
