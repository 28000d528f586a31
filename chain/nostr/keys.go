package nostr

import (
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
)

// ErrBadKey is wrapped by every error about a key or its encoding: a bad
// npub, nsec or ncryptsec string, or a secret key out of range.
var ErrBadKey = errors.New("invalid key")

// GenerateKey returns a new secret key from crypto/rand.
func GenerateKey() (*btcec.PrivateKey, error) {
	return btcec.NewPrivateKey()
}

// PublicKey returns the x-only (BIP-340) public key of sk, the form Nostr
// uses for pubkey and npub.
func PublicKey(sk *btcec.PrivateKey) [32]byte {
	var pk [32]byte
	copy(pk[:], schnorr.SerializePubKey(sk.PubKey()))
	return pk
}

// PrivateKeyFromBytes returns the secret key with the given 32 big-endian
// bytes. Zero and values not below the group order are refused rather than
// reduced, so one byte string never names two keys.
func PrivateKeyFromBytes(b [32]byte) (*btcec.PrivateKey, error) {
	if err := checkSecret(b); err != nil {
		return nil, err
	}
	sk, _ := btcec.PrivKeyFromBytes(b[:])
	return sk, nil
}

func checkSecret(b [32]byte) error {
	var s btcec.ModNScalar
	if overflow := s.SetByteSlice(b[:]); overflow || s.IsZero() {
		return fmt.Errorf("%w: secret key is zero or not below the group order", ErrBadKey)
	}
	return nil
}
