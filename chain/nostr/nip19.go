package nostr

import (
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2/schnorr"
)

// NIP-19: keys as bech32 strings with the prefixes npub and nsec.

// EncodeNpub returns the npub of an x-only public key.
func EncodeNpub(pub [32]byte) string { return bech32Encode("npub", pub[:]) }

// EncodeNsec returns the nsec of a secret key.
func EncodeNsec(sk [32]byte) string { return bech32Encode("nsec", sk[:]) }

// DecodeNpub decodes an npub. Besides the bech32 checks (case, checksum,
// prefix, length) it checks that the key is a curve point, so a key that
// could never have signed anything is refused when it is typed in.
func DecodeNpub(s string) ([32]byte, error) {
	pub, err := decodeKey32("npub", s)
	if err != nil {
		return pub, err
	}
	if _, err := schnorr.ParsePubKey(pub[:]); err != nil {
		return [32]byte{}, fmt.Errorf("%w: npub: not the x coordinate of a curve point", ErrBadKey)
	}
	return pub, nil
}

// DecodeNsec decodes an nsec, refusing a secret of zero or not below the
// group order.
func DecodeNsec(s string) ([32]byte, error) {
	sk, err := decodeKey32("nsec", s)
	if err != nil {
		return sk, err
	}
	if err := checkSecret(sk); err != nil {
		return [32]byte{}, fmt.Errorf("nsec: %w", err)
	}
	return sk, nil
}

func decodeKey32(hrp, s string) ([32]byte, error) {
	var k [32]byte
	got, data, err := bech32Decode(s)
	if err != nil {
		return k, fmt.Errorf("%w: %s: %v", ErrBadKey, hrp, err)
	}
	if got != hrp {
		return k, fmt.Errorf("%w: want prefix %s, got %q", ErrBadKey, hrp, truncate([]byte(got), 16))
	}
	if len(data) != 32 {
		return k, fmt.Errorf("%w: %s: want 32 bytes, got %d", ErrBadKey, hrp, len(data))
	}
	copy(k[:], data)
	return k, nil
}
