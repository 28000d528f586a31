package nostr

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// BIP-173 test vectors (bitcoin/bips bip-0173.mediawiki).
func TestBech32BIP173(t *testing.T) {
	valid := []string{
		"A12UEL5L",
		"a12uel5l",
		"an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
		"abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
		"11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
		"split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
		"?1ezyfcl",
	}
	for _, s := range valid {
		hrp, words, err := bech32DecodeWords(s)
		if err != nil {
			t.Errorf("%s: %v", s, err)
			continue
		}
		if got := bech32EncodeWords(hrp, words); got != strings.ToLower(s) {
			t.Errorf("%s: re-encodes as %s", s, got)
		}
	}
	invalid := map[string]string{
		"\x201nwldj5":     "invalid character",
		"\x7f1axkwrx":     "invalid character",
		"\x801eym55h":     "invalid character",
		"pzry9x0s0muk":    "missing prefix",
		"1pzry9x0s0muk":   "missing prefix",
		"x1b4n0q5v":       "invalid character 'b'",
		"li1dgmt3":        "too short for a checksum",
		"de1lg7wt\xff":    "invalid character",
		"A1G7SGD8":        "bad checksum",
		"10a06t8":         "missing prefix",
		"1qzzfhee":        "missing prefix",
		"a12UEL5L":        "mixed case",
		"A12uEL5L":        "mixed case",
		"a12uel5m":        "bad checksum",
		"a1" + "qqqqqqqq": "bad checksum",
	}
	for s, want := range invalid {
		if _, _, err := bech32DecodeWords(s); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", s, err, want)
		}
	}
	// 8-bit payload of a BIP-173 vector.
	hrp, data, err := bech32Decode("abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw")
	if err != nil || hrp != "abcdef" || hex.EncodeToString(data) != "00443214c74254b635cf84653a56d7c675be77df" {
		t.Fatalf("got %s %x %v", hrp, data, err)
	}
}

func TestBech32Padding(t *testing.T) {
	// 32 bytes take 52 words with 4 padding bits, which must be zero.
	words := make([]byte, 52)
	if _, _, err := bech32Decode(bech32EncodeWords("npub", words)); err != nil {
		t.Fatalf("zero padding rejected: %v", err)
	}
	words[51] = 1
	if _, _, err := bech32Decode(bech32EncodeWords("npub", words)); err == nil || !strings.Contains(err.Error(), "padding") {
		t.Fatalf("non-zero padding: got %v", err)
	}
	// Three words are one byte and 7 bits: more padding than an encoder
	// makes (at most 4 bits), refused even when zero.
	if _, _, err := bech32Decode(bech32EncodeWords("npub", make([]byte, 3))); err == nil || !strings.Contains(err.Error(), "padding") {
		t.Fatalf("7 padding bits: got %v", err)
	}
}

func TestNpubNsec(t *testing.T) {
	const (
		npub = "npub13yeqy5h5ux60nmm9sjegx4hs9vclcp234te79llx3785nlhjw5rsegxflx"
		nsec = "nsec1rn6yd8q5djsfg7t43dvja3qcym34u04mcyn626yzdgsaw5k340ns08rzvp"
	)
	pub, err := DecodeNpub(strings.ToUpper(npub))
	if err != nil {
		t.Fatalf("all upper-case npub (valid bech32) rejected: %v", err)
	}
	if EncodeNpub(pub) != npub {
		t.Fatal("upper-case npub decoded to a different key")
	}
	cases := []struct {
		name string
		f    func(string) ([32]byte, error)
		in   string
		msg  string
	}{
		{"nsec as npub", DecodeNpub, nsec, "want prefix npub"},
		{"npub as nsec", DecodeNsec, npub, "want prefix nsec"},
		{"mixed case", DecodeNpub, "N" + npub[1:], "mixed case"},
		{"bad checksum", DecodeNpub, npub[:len(npub)-1] + "y", "bad checksum"},
		{"typo", DecodeNsec, strings.Replace(nsec, "rn6", "rn7", 1), "bad checksum"},
		{"short", DecodeNpub, bech32Encode("npub", make([]byte, 31)), "want 32 bytes, got 31"},
		{"long", DecodeNsec, bech32Encode("nsec", make([]byte, 33)), "want 32 bytes, got 33"},
		{"empty", DecodeNpub, "", "missing prefix"},
		{"too long", DecodeNpub, "npub1" + strings.Repeat("q", 300), "limit 200"},
		{"zero secret", DecodeNsec, EncodeNsec([32]byte{}), "secret key is zero"},
		{"secret above order", DecodeNsec, EncodeNsec([32]byte{0: 0xff, 1: 0xff, 2: 0xff, 3: 0xff, 4: 0xff, 5: 0xff,
			6: 0xff, 7: 0xff, 8: 0xff, 9: 0xff, 10: 0xff, 11: 0xff, 12: 0xff, 13: 0xff, 14: 0xff, 15: 0xff, 16: 0xff}),
			"not below the group order"},
		{"not a curve point", DecodeNpub, EncodeNpub(offCurveX(t)), "not the x coordinate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k, err := tc.f(tc.in)
			if !errors.Is(err, ErrBadKey) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("got %v, want ErrBadKey saying %q", err, tc.msg)
			}
			if k != [32]byte{} {
				t.Fatalf("returned key %x with the error", k)
			}
		})
	}
}

func offCurveX(t *testing.T) [32]byte {
	t.Helper()
	e := Event{}
	for x := byte(1); ; x++ {
		e.PubKey[31] = x
		if err := e.checkSig(); errors.Is(err, ErrBadPubKey) {
			return e.PubKey
		}
	}
}

func TestNpubRoundTripGenerated(t *testing.T) {
	for range 20 {
		sk, err := GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		pub := PublicKey(sk)
		got, err := DecodeNpub(EncodeNpub(pub))
		if err != nil || got != pub {
			t.Fatalf("npub round trip: %x %v, want %x", got, err, pub)
		}
		sec := sk.Key.Bytes()
		gotSec, err := DecodeNsec(EncodeNsec(sec))
		if err != nil || !bytes.Equal(gotSec[:], sec[:]) {
			t.Fatalf("nsec round trip: %v", err)
		}
	}
}
