package nostr

import (
	"fmt"
	"unicode/utf8"
)

// The scanning primitives under Parse: strings, numbers, hex and syntax
// errors. They read p.data at p.pos and never recurse, so nesting depth
// cannot exhaust the stack.

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
