package nostr

import (
	"fmt"
	"strings"
)

// Bech32 as in BIP-173 (not bech32m), which NIP-19 and NIP-49 use. Only the
// parts Nostr needs: 8-bit payloads, one checksum variant.

const bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

// maxBech32Len bounds the strings we decode. BIP-173's 90 characters are too
// few for ncryptsec (162); nothing we decode is longer than that.
const maxBech32Len = 200

var bech32Values = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := range len(bech32Charset) {
		t[bech32Charset[i]] = int8(i)
	}
	return t
}()

// polymodStep feeds one 5-bit value into the BIP-173 checksum state.
func polymodStep(chk uint32, v byte) uint32 {
	top := chk >> 25
	chk = (chk&0x1ffffff)<<5 ^ uint32(v)
	for i, g := range [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3} {
		if (top>>i)&1 == 1 {
			chk ^= g
		}
	}
	return chk
}

// bech32Checksum returns the checksum state over the expanded hrp and words.
func bech32Checksum(hrp string, words []byte) uint32 {
	chk := uint32(1)
	for i := 0; i < len(hrp); i++ {
		chk = polymodStep(chk, hrp[i]>>5)
	}
	chk = polymodStep(chk, 0)
	for i := 0; i < len(hrp); i++ {
		chk = polymodStep(chk, hrp[i]&31)
	}
	for _, w := range words {
		chk = polymodStep(chk, w)
	}
	return chk
}

// bech32Encode encodes data (8-bit bytes) under a lower-case hrp.
func bech32Encode(hrp string, data []byte) string {
	words := make([]byte, 0, (len(data)*8+4)/5+6)
	var acc uint32
	bits := 0
	for _, b := range data {
		acc = acc<<8 | uint32(b)
		bits += 8
		for bits >= 5 {
			bits -= 5
			words = append(words, byte(acc>>bits)&31)
		}
	}
	if bits > 0 {
		words = append(words, byte(acc<<(5-bits))&31)
	}
	return bech32EncodeWords(hrp, words)
}

// bech32EncodeWords encodes 5-bit words under a lower-case hrp.
func bech32EncodeWords(hrp string, words []byte) string {
	chk := bech32Checksum(hrp, words)
	for range 6 {
		chk = polymodStep(chk, 0)
	}
	chk ^= 1
	var sb strings.Builder
	sb.Grow(len(hrp) + 1 + len(words) + 6)
	sb.WriteString(hrp)
	sb.WriteByte('1')
	for _, w := range words {
		sb.WriteByte(bech32Charset[w])
	}
	for i := range 6 {
		sb.WriteByte(bech32Charset[(chk>>(5*(5-i)))&31])
	}
	return sb.String()
}

// bech32Decode decodes a bech32 string into its lower-case hrp and 8-bit
// data, refusing non-zero padding bits.
func bech32Decode(s string) (string, []byte, error) {
	hrp, words, err := bech32DecodeWords(s)
	if err != nil {
		return "", nil, err
	}
	data := make([]byte, 0, len(words)*5/8)
	var acc uint32
	bits := 0
	for _, w := range words {
		acc = acc<<5 | uint32(w)
		bits += 5
		if bits >= 8 {
			bits -= 8
			data = append(data, byte(acc>>bits))
		}
	}
	if bits >= 5 || acc&(1<<bits-1) != 0 {
		return "", nil, fmt.Errorf("invalid padding")
	}
	return hrp, data, nil
}

// bech32DecodeWords decodes a bech32 string into its lower-case hrp and
// 5-bit words (checksum removed). It refuses strings over maxBech32Len before
// allocating, mixed case, characters outside the charset and a bad checksum.
func bech32DecodeWords(s string) (string, []byte, error) {
	if len(s) > maxBech32Len {
		return "", nil, fmt.Errorf("%d characters, limit %d", len(s), maxBech32Len)
	}
	lower, upper := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 33 || c > 126 {
			return "", nil, fmt.Errorf("invalid character %q at %d", c, i)
		}
		lower = lower || c >= 'a' && c <= 'z'
		upper = upper || c >= 'A' && c <= 'Z'
	}
	if lower && upper {
		return "", nil, fmt.Errorf("mixed case")
	}
	s = strings.ToLower(s)
	sep := strings.LastIndexByte(s, '1')
	if sep < 1 {
		return "", nil, fmt.Errorf("missing prefix")
	}
	if len(s)-sep-1 < 6 {
		return "", nil, fmt.Errorf("too short for a checksum")
	}
	hrp, rest := s[:sep], s[sep+1:]
	words := make([]byte, len(rest))
	for i := 0; i < len(rest); i++ {
		v := bech32Values[rest[i]]
		if v < 0 {
			return "", nil, fmt.Errorf("invalid character %q at %d", rest[i], sep+1+i)
		}
		words[i] = byte(v)
	}
	if bech32Checksum(hrp, words) != 1 {
		return "", nil, fmt.Errorf("bad checksum")
	}
	return hrp, words[:len(words)-6], nil
}
