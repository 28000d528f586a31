package nostr

import (
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
)

// Sign sets PubKey (x-only, from sk), ID and Sig. CreatedAt, Kind, Tags and
// Content are signed as the caller set them. The nonce uses BIP-340 auxiliary
// randomness from crypto/rand, so signing the same event twice gives two
// different valid signatures. An event that fails CheckLimits is not signed.
//
// To add NIP-13 work, set PubKey first (PublicKey(sk)), run MinePoW, then
// Sign: the id commits to the pubkey, and Sign keeps the mined nonce tag.
func (e *Event) Sign(sk *btcec.PrivateKey) error {
	if sk == nil {
		return errors.New("sign: nil private key")
	}
	e.PubKey = PublicKey(sk)
	if err := e.CheckLimits(); err != nil {
		return err
	}
	e.ID = e.ComputeID()
	var aux [32]byte
	if _, err := rand.Read(aux[:]); err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	// Without FastSign, schnorr.Sign verifies what it made, which catches a
	// faulty computation before a bad signature leaves the machine.
	sig, err := schnorr.Sign(sk, e.ID[:], schnorr.CustomNonce(aux))
	if err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	copy(e.Sig[:], sig.Serialize())
	return nil
}

// Verify checks, in this order, CheckLimits (ErrTooLarge, ErrMalformed), that
// ID is the hash of the event (ErrBadID), that PubKey is a curve point
// (ErrBadPubKey) and that Sig is a valid BIP-340 signature of ID by PubKey
// (ErrBadSig). It is safe to call from several goroutines at once.
func (e *Event) Verify() error {
	if err := e.CheckLimits(); err != nil {
		return err
	}
	if err := e.CheckID(); err != nil {
		return err
	}
	return e.checkSig()
}

// CheckID reports ErrBadID if ID is not the SHA-256 of the canonical
// serialization. It is the cheap part of Verify (a hash, no curve arithmetic).
func (e *Event) CheckID() error {
	if id := e.ComputeID(); id != e.ID {
		return fmt.Errorf("%w: event says %x, content hashes to %x", ErrBadID, e.ID, id)
	}
	return nil
}

func (e *Event) checkSig() error {
	pub, err := parsePubKey(e.PubKey)
	if err != nil {
		return fmt.Errorf("%w: %x is not the x coordinate of a curve point", ErrBadPubKey, e.PubKey)
	}
	// BIP-340 fails a signature whose r is not below the field prime or whose
	// s is not below the group order. btcec checks r but reduces s modulo the
	// order, which would accept a second encoding of every signature.
	var r btcec.FieldVal
	if r.SetByteSlice(e.Sig[:32]) {
		return fmt.Errorf("%w: r is not below the field prime", ErrBadSig)
	}
	var s btcec.ModNScalar
	if s.SetByteSlice(e.Sig[32:]) {
		return fmt.Errorf("%w: s is not below the group order", ErrBadSig)
	}
	if !schnorr.NewSignature(&r, &s).Verify(e.ID[:], pub) {
		return fmt.Errorf("%w: does not verify against pubkey %x", ErrBadSig, e.PubKey)
	}
	return nil
}
