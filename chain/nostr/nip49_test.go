package nostr

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// TestDecryptKeyNIP49Vector is the test vector printed in NIP-49 itself.
func TestDecryptKeyNIP49Vector(t *testing.T) {
	const (
		ncryptsec = "ncryptsec1qgg9947rlpvqu76pj5ecreduf9jxhselq2nae2kghhvd5g7dgjtcxfqtd67p9m0w57lspw8gsq6yphnm8623nsl8xn9j4jdzz84zm3frztj3z7s35vpzmqf6ksu8r89qk5z2zxfmu5gv8th8wclt0h4p"
		want      = "3501454135014541350145413501453fefb02227e449e57cf4d3a3ce05378683"
	)
	sk, err := DecryptKey(ncryptsec, "nostr")
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(sk[:]) != want {
		t.Fatalf("got %x, want %s", sk, want)
	}
}

// lowLogN keeps round trips fast (scrypt with N=16 takes microseconds).
const lowLogN = 4

func TestEncryptKeyRoundTrip(t *testing.T) {
	sk := mustHex32(t, testSecHex)
	seen := map[string]bool{}
	for _, ksb := range []byte{KeyInsecure, KeySecure, KeyUnknown} {
		for _, password := range []string{"", "correct horse", "pässwörd 🧱"} {
			enc, err := EncryptKey(sk, password, lowLogN, ksb)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(enc, "ncryptsec1") {
				t.Fatalf("%q does not start with ncryptsec1", enc)
			}
			if seen[enc] {
				t.Fatal("two encryptions gave the same string: salt or nonce not random")
			}
			seen[enc] = true
			b, err := parseNcryptsec(enc)
			if err != nil {
				t.Fatal(err)
			}
			if b[1] != lowLogN || b[42] != ksb {
				t.Fatalf("payload has log_n %d and key security %d, want %d and %d", b[1], b[42], lowLogN, ksb)
			}
			got, err := DecryptKey(enc, password)
			if err != nil {
				t.Fatalf("password %q: %v", password, err)
			}
			if got != sk {
				t.Fatalf("decrypted %x, want %x", got, sk)
			}
			if _, err := DecryptKey(enc, password+"x"); !errors.Is(err, ErrWrongPassword) {
				t.Fatalf("wrong password: got %v, want ErrWrongPassword", err)
			}
		}
	}
}

// reencode rewrites the payload of a valid ncryptsec.
func reencode(t *testing.T, enc string, edit func(b []byte) []byte) string {
	t.Helper()
	_, b, err := bech32Decode(enc)
	if err != nil {
		t.Fatal(err)
	}
	return bech32Encode("ncryptsec", edit(b))
}

func TestDecryptKeyRejects(t *testing.T) {
	sk := mustHex32(t, testSecHex)
	enc, err := EncryptKey(sk, "pw", lowLogN, KeyUnknown)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		in   string
		want error
		msg  string
	}{
		// The key security byte is authenticated: changing it breaks the tag.
		{"key security byte changed", reencode(t, enc, func(b []byte) []byte { b[42] = KeySecure; return b }), ErrWrongPassword, ""},
		{"ciphertext changed", reencode(t, enc, func(b []byte) []byte { b[50] ^= 1; return b }), ErrWrongPassword, ""},
		{"salt changed", reencode(t, enc, func(b []byte) []byte { b[2] ^= 1; return b }), ErrWrongPassword, ""},
		{"version 1", reencode(t, enc, func(b []byte) []byte { b[0] = 1; return b }), ErrBadKey, "version 0x01"},
		// If log_n were not checked first this would ask scrypt for 1 TiB.
		{"log_n 30", reencode(t, enc, func(b []byte) []byte { b[1] = 30; return b }), ErrBadKey, "log_n 30 out of range"},
		{"log_n 255", reencode(t, enc, func(b []byte) []byte { b[1] = 255; return b }), ErrBadKey, "log_n 255 out of range"},
		{"log_n 0", reencode(t, enc, func(b []byte) []byte { b[1] = 0; return b }), ErrBadKey, "log_n 0 out of range"},
		{"short payload", reencode(t, enc, func(b []byte) []byte { return b[:90] }), ErrBadKey, "want 91 bytes, got 90"},
		{"long payload", reencode(t, enc, func(b []byte) []byte { return append(b, 0) }), ErrBadKey, "want 91 bytes, got 92"},
		{"nsec given", EncodeNsec(sk), ErrBadKey, "want prefix ncryptsec"},
		{"bad checksum", flipLastChar(enc), ErrBadKey, "bad checksum"},
		{"mixed case", strings.ToUpper(enc[:12]) + enc[12:], ErrBadKey, "mixed case"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecryptKey(tc.in, "pw")
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("got %v, want %v saying %q", err, tc.want, tc.msg)
			}
			if got != [32]byte{} {
				t.Fatalf("returned key %x with the error", got)
			}
		})
	}
}

func TestEncryptKeyRejects(t *testing.T) {
	sk := mustHex32(t, testSecHex)
	for _, logN := range []uint8{0, MaxLogN + 1, 255} {
		if _, err := EncryptKey(sk, "pw", logN, KeyUnknown); err == nil {
			t.Errorf("log_n %d accepted", logN)
		}
	}
	if _, err := EncryptKey(sk, "pw", lowLogN, 3); err == nil {
		t.Error("key security byte 3 accepted")
	}
	if _, err := EncryptKey([32]byte{}, "pw", lowLogN, KeyUnknown); !errors.Is(err, ErrBadKey) {
		t.Errorf("zero key: got %v, want ErrBadKey", err)
	}
}

// flipLastChar changes the last character to another valid bech32 one.
func flipLastChar(s string) string {
	c := byte('q')
	if s[len(s)-1] == 'q' {
		c = 'p'
	}
	return s[:len(s)-1] + string(c)
}
