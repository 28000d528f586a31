package wire

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"unicode/utf8"
)

// The JSON helpers below read values that encoding/json has already
// tokenised out of a frame whose size is bounded. They are strict where
// encoding/json is lenient: objects refuse duplicate keys and keys match
// exactly, integers are plain decimals (no sign, fraction, exponent or
// leading zero), and lists are counted against their limit as they are read.

// eachItem calls fn for each element of the JSON array raw, refusing more
// than max elements before decoding the one that would exceed it.
func eachItem(raw json.RawMessage, max int, fn func(i int, v json.RawMessage) error) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return errors.New("not a json array")
	}
	for i := 0; dec.More(); i++ {
		if i >= max {
			return fmt.Errorf("more than %d elements", max)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("element %d: %v", i, err)
		}
		if err := fn(i, v); err != nil {
			return err
		}
	}
	return end(dec, raw)
}

// end reads the closing delimiter and checks that only whitespace follows.
func end(dec *json.Decoder, raw []byte) error {
	if _, err := dec.Token(); err != nil {
		return err
	}
	if rest := raw[dec.InputOffset():]; skipSpace(rest, 0) != len(rest) {
		return errors.New("data after the end")
	}
	return nil
}

// eachField calls fn for each key and value of the JSON object raw. A key may
// appear once; more than max keys are refused.
func eachField(raw json.RawMessage, max int, fn func(key string, v json.RawMessage) error) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return errors.New("not a json object")
	}
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		if seen[key] {
			return fmt.Errorf("key %q appears twice", key)
		}
		if len(seen) >= max {
			return fmt.Errorf("more than %d keys", max)
		}
		seen[key] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("%q: %v", key, err)
		}
		if err := fn(key, v); err != nil {
			return fmt.Errorf("%q: %w", key, err)
		}
	}
	return end(dec, raw)
}

// splitArray returns the elements of the frame's top-level array, at most
// max of them, and checks that nothing follows the array.
func splitArray(frame []byte, max int) ([]json.RawMessage, error) {
	var items []json.RawMessage
	err := eachItem(frame, max, func(_ int, v json.RawMessage) error {
		items = append(items, v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return items, nil
}

// jsonString decodes a JSON string of at most max bytes (as decoded).
func jsonString(raw json.RawMessage, max int) (string, error) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", errors.New("not a string")
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", err
	}
	if len(s) > max {
		return "", fmt.Errorf("string of %d bytes, limit %d", len(s), max)
	}
	if !utf8.ValidString(s) {
		return "", errors.New("string is not valid utf-8")
	}
	return s, nil
}

// jsonInt decodes a plain non-negative decimal integer no larger than max.
func jsonInt(raw json.RawMessage, max int64) (int64, error) {
	if len(raw) == 0 || len(raw) > 19 {
		return 0, errors.New("not a non-negative integer below 2^63")
	}
	if len(raw) > 1 && raw[0] == '0' {
		return 0, errors.New("integer with a leading zero")
	}
	var n int64
	for _, c := range raw {
		if c < '0' || c > '9' {
			return 0, errors.New("not a plain non-negative integer")
		}
		n = n*10 + int64(c-'0')
	}
	if n > max {
		return 0, fmt.Errorf("%d is more than %d", n, max)
	}
	return n, nil
}

// jsonBool decodes true or false.
func jsonBool(raw json.RawMessage) (bool, error) {
	switch string(raw) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, errors.New("not a boolean")
}

// jsonHex32 decodes 64 lower-case hex characters.
func jsonHex32(raw json.RawMessage) ([32]byte, error) {
	var out [32]byte
	if len(raw) != 66 || raw[0] != '"' || raw[65] != '"' || !isLowerHex(raw[1:65]) {
		return out, errors.New("want 64 lower-case hex characters")
	}
	hex.Decode(out[:], raw[1:65])
	return out, nil
}

// jsonBase64 decodes a standard, padded base64 string into at most max bytes;
// the length is checked before decoding.
func jsonBase64(raw json.RawMessage, max int) ([]byte, error) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil, errors.New("not a base64 string")
	}
	s := raw[1 : len(raw)-1]
	if n := base64.StdEncoding.DecodedLen(len(s)); n > max+2 {
		return nil, fmt.Errorf("%d bytes of base64, limit %d bytes decoded", len(s), max)
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
	n, err := base64.StdEncoding.Strict().Decode(out, s)
	if err != nil {
		return nil, fmt.Errorf("bad base64: %v", err)
	}
	if n > max {
		return nil, fmt.Errorf("%d bytes, limit %d", n, max)
	}
	return out[:n], nil
}

// jsonWork decodes cumulative work: lower-case hex, no leading zeros, at most
// maxWorkHex digits.
func jsonWork(raw json.RawMessage) (*big.Int, error) {
	s, err := jsonString(raw, maxWorkHex)
	if err != nil {
		return nil, err
	}
	if s == "" || len(s) > 1 && s[0] == '0' || !isLowerHex([]byte(s)) {
		return nil, errors.New("want lower-case hex without leading zeros")
	}
	w, _ := new(big.Int).SetString(s, 16)
	return w, nil
}

// maxWorkHex bounds the hex digits of cumulative work: 2^64 blocks of the
// most work a target allows fit in 320 bits.
const maxWorkHex = 80

func isLowerHex(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// appendString appends s as a JSON string with NIP-01's escaping: \" \\ \n
// \r \t \b \f, other control characters as \u00XX, everything else as is.
// Invalid UTF-8 becomes U+FFFD, so the output is always valid JSON.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				dst = append(dst, "\ufffd"...)
			} else {
				dst = append(dst, s[i:i+size]...)
			}
			i += size
			continue
		}
		switch c {
		case '"':
			dst = append(dst, '\\', '"')
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		default:
			if c < 0x20 {
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
			} else {
				dst = append(dst, c)
			}
		}
		i++
	}
	return append(dst, '"')
}

const hexDigits = "0123456789abcdef"

func appendHex32(dst []byte, b [32]byte) []byte {
	dst = append(dst, '"')
	dst = hex.AppendEncode(dst, b[:])
	return append(dst, '"')
}

func appendBase64(dst []byte, b []byte) []byte {
	dst = append(dst, '"')
	dst = base64.StdEncoding.AppendEncode(dst, b)
	return append(dst, '"')
}

func appendWork(dst []byte, w *big.Int) []byte {
	dst = append(dst, '"')
	if w == nil {
		w = new(big.Int)
	}
	dst = w.Append(dst, 16)
	return append(dst, '"')
}

func appendHashList[H ~[32]byte](dst []byte, hashes []H) []byte {
	dst = append(dst, '[')
	for i, h := range hashes {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendHex32(dst, [32]byte(h))
	}
	return append(dst, ']')
}
