package nostr

import (
	"encoding/binary"
	"fmt"
	"unicode/utf8"
)

// The binary form of an event in a block body (docs/ARCHITECTURE.md):
//
//	pubkey[32] sig[64] created_at int64 LE kind uvarint
//	ntags uvarint { nitems uvarint { len uvarint bytes } } content_len uvarint content
//
// It carries no id: the decoder recomputes it, so a body cannot hold an id
// that disagrees with its event. Every uvarint must be minimally encoded, so
// an event has exactly one encoding and decode→encode gives the same bytes.

// minBinarySize is the size of an event with no tags and no content.
const minBinarySize = 32 + 64 + 8 + 1 + 1 + 1

// AppendBinary appends the compact binary encoding used in block bodies (no
// id; it is recomputed). It expects an event that passes CheckLimits;
// DecodeBinary refuses the encoding of any other.
func (e *Event) AppendBinary(dst []byte) []byte {
	dst = append(dst, e.PubKey[:]...)
	dst = append(dst, e.Sig[:]...)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(e.CreatedAt))
	dst = binary.AppendUvarint(dst, uint64(e.Kind))
	dst = binary.AppendUvarint(dst, uint64(len(e.Tags)))
	for _, tag := range e.Tags {
		dst = binary.AppendUvarint(dst, uint64(len(tag)))
		for _, item := range tag {
			dst = binary.AppendUvarint(dst, uint64(len(item)))
			dst = append(dst, item...)
		}
	}
	dst = binary.AppendUvarint(dst, uint64(len(e.Content)))
	return append(dst, e.Content...)
}

// DecodeBinary decodes one binary event from the front of b, computes its ID,
// and returns the bytes consumed. Every count and length is checked against
// its limit and against the bytes present before anything is allocated;
// strings must be valid UTF-8 and the event must pass CheckLimits. The
// signature is not checked: call Verify.
func DecodeBinary(b []byte) (*Event, int, error) {
	if len(b) < minBinarySize {
		return nil, 0, malformed("event", fmt.Sprintf("truncated: %d bytes, need at least %d", len(b), minBinarySize))
	}
	e := new(Event)
	copy(e.PubKey[:], b[:32])
	copy(e.Sig[:], b[32:96])
	created := binary.LittleEndian.Uint64(b[96:104])
	if created > MaxCreatedAt {
		return nil, 0, malformed("created_at", fmt.Sprintf("%d out of range [0,%d]", int64(created), int64(MaxCreatedAt)))
	}
	e.CreatedAt = int64(created)
	d := binDecoder{b: b, pos: 104}
	kind, err := d.uvarint("kind", MaxKind, false)
	if err != nil {
		return nil, 0, err
	}
	e.Kind = int(kind)

	// Locate every string first; copy them all out with one allocation after.
	region := d.pos
	var spanBuf [48]span
	spans := spanBuf[:0]
	ntags, err := d.uvarint("tags", MaxTags, true)
	if err != nil {
		return nil, 0, err
	}
	for i := range int(ntags) {
		// Field names are built only on error: this loop is hot.
		nitems, err := d.uvarint("", MaxTagItems, true)
		if err != nil {
			return nil, 0, withField(err, fmt.Sprintf("tags[%d]", i))
		}
		for j := range int(nitems) {
			sp, err := d.str("", MaxTagItemSize)
			if err != nil {
				return nil, 0, withField(err, tagPath(i, j))
			}
			spans = append(spans, span{sp.start - region, sp.end - region})
		}
		spans = append(spans, tagEnd)
	}
	content, err := d.str("content", MaxContentSize)
	if err != nil {
		return nil, 0, err
	}

	s := string(b[region:d.pos])
	e.Content = s[content.start-region : content.end-region]
	e.Tags = buildTags(s, spans)
	if err := e.checkSize(); err != nil {
		return nil, 0, err
	}
	e.ID = e.ComputeID()
	return e, d.pos, nil
}

type binDecoder struct {
	b   []byte
	pos int
}

// uvarint reads a minimally encoded uvarint not above limit. Exceeding the
// limit is ErrTooLarge for counts and ErrMalformed for values.
func (d *binDecoder) uvarint(field string, limit uint64, isSize bool) (uint64, error) {
	v, n := binary.Uvarint(d.b[d.pos:])
	switch {
	case n == 0:
		return 0, malformed(field, "truncated")
	case n < 0:
		return 0, malformed(field, "uvarint overflows 64 bits")
	case n > 1 && d.b[d.pos+n-1] == 0:
		return 0, malformed(field, "uvarint not minimally encoded")
	case v > limit && isSize:
		return 0, tooLarge(field, fmt.Sprintf("%d, limit %d", v, limit))
	case v > limit:
		return 0, malformed(field, fmt.Sprintf("%d out of range [0,%d]", v, limit))
	}
	d.pos += n
	return v, nil
}

// str reads a length-prefixed UTF-8 string of at most limit bytes.
func (d *binDecoder) str(field string, limit uint64) (span, error) {
	n, err := d.uvarint(field, limit, true)
	if err != nil {
		return span{}, err
	}
	if n > uint64(len(d.b)-d.pos) {
		return span{}, malformed(field, fmt.Sprintf("truncated: %d bytes announced, %d left", n, len(d.b)-d.pos))
	}
	sp := span{d.pos, d.pos + int(n)}
	if !utf8.Valid(d.b[sp.start:sp.end]) {
		return span{}, malformed(field, "invalid utf-8")
	}
	d.pos = sp.end
	return sp, nil
}
