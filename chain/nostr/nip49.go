package nostr

import (
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/scrypt"
)

// NIP-49: a secret key encrypted under a password, as an ncryptsec string.
//
// Payload (91 bytes, bech32 under "ncryptsec"): version 0x02, log_n, salt[16],
// nonce[24], key security byte, ciphertext[48]. The key is
// scrypt(password, salt, N=2^log_n, r=8, p=1, 32 bytes); the cipher is
// XChaCha20-Poly1305 with the key security byte as associated data.
//
// Password normalisation: NIP-49 asks for NFKC. This package may import only
// the standard library, btcec and golang.org/x/crypto, and Go's standard
// library has no NFKC, so passwords are used exactly as given, and nothing is
// refused. ASCII passwords (and any password already in NFKC, which is what
// most keyboards produce) are unaffected; a password typed in another
// normalisation form will not match what another client encrypted with.

// Key security bytes (NIP-49): what the encrypting client knew about how the
// key had been handled.
const (
	KeyInsecure byte = 0x00 // known to have been handled insecurely
	KeySecure   byte = 0x01 // known not to have been handled insecurely
	KeyUnknown  byte = 0x02 // the client does not track this
)

// MaxLogN bounds the scrypt cost DecryptKey will pay. scrypt needs
// 2^log_n KiB of memory: 20 is 1 GiB, as much as a browser tab can be asked
// for, so a hostile ncryptsec cannot make a node allocate gigabytes. NIP-49
// suggests 16 (64 MiB); it allows up to 255.
const MaxLogN = 20

// ErrWrongPassword means the ncryptsec did not decrypt: the password is wrong
// or the string was altered (the AEAD cannot tell those apart).
var ErrWrongPassword = errors.New("wrong password or corrupted ncryptsec")

const (
	ncryptsecVersion = 0x02
	ncryptsecLen     = 1 + 1 + 16 + 24 + 1 + 48
)

// EncryptKey encrypts sk under password with scrypt cost logN (1..MaxLogN;
// use 16 or more for a real key) and returns the ncryptsec string.
func EncryptKey(sk [32]byte, password string, logN uint8, keySecurity byte) (string, error) {
	if logN < 1 || logN > MaxLogN {
		return "", fmt.Errorf("ncryptsec: log_n %d out of range [1,%d]", logN, MaxLogN)
	}
	if keySecurity > KeyUnknown {
		return "", fmt.Errorf("ncryptsec: key security byte %#02x is not 0, 1 or 2", keySecurity)
	}
	if err := checkSecret(sk); err != nil {
		return "", fmt.Errorf("ncryptsec: %w", err)
	}
	b := make([]byte, 0, ncryptsecLen)
	b = append(b, ncryptsecVersion, logN)
	var salt [16]byte
	var nonce [chacha20poly1305.NonceSizeX]byte
	if _, err := rand.Read(salt[:]); err != nil {
		return "", err
	}
	if _, err := rand.Read(nonce[:]); err != nil {
		return "", err
	}
	b = append(b, salt[:]...)
	b = append(b, nonce[:]...)
	b = append(b, keySecurity)
	aead, err := ncryptsecCipher(password, salt[:], logN)
	if err != nil {
		return "", err
	}
	b = aead.Seal(b, nonce[:], sk[:], []byte{keySecurity})
	return bech32Encode("ncryptsec", b), nil
}

// DecryptKey decrypts an ncryptsec string with password. It refuses a bad
// encoding or version (ErrBadKey) and a log_n above MaxLogN before running
// scrypt; a wrong password gives ErrWrongPassword.
func DecryptKey(ncryptsec, password string) ([32]byte, error) {
	var sk [32]byte
	b, err := parseNcryptsec(ncryptsec)
	if err != nil {
		return sk, err
	}
	salt, nonce, ad, ct := b[2:18], b[18:42], b[42:43], b[43:]
	aead, err := ncryptsecCipher(password, salt, b[1])
	if err != nil {
		return sk, err
	}
	if _, err := aead.Open(sk[:0], nonce, ct, ad); err != nil {
		return [32]byte{}, ErrWrongPassword
	}
	if err := checkSecret(sk); err != nil {
		return [32]byte{}, fmt.Errorf("ncryptsec: %w", err)
	}
	return sk, nil
}

// parseNcryptsec decodes the payload and checks everything that can be
// checked without the password.
func parseNcryptsec(s string) ([]byte, error) {
	hrp, b, err := bech32Decode(s)
	if err != nil {
		return nil, fmt.Errorf("%w: ncryptsec: %v", ErrBadKey, err)
	}
	if hrp != "ncryptsec" {
		return nil, fmt.Errorf("%w: want prefix ncryptsec, got %q", ErrBadKey, truncate([]byte(hrp), 16))
	}
	if len(b) != ncryptsecLen {
		return nil, fmt.Errorf("%w: ncryptsec: want %d bytes, got %d", ErrBadKey, ncryptsecLen, len(b))
	}
	if b[0] != ncryptsecVersion {
		return nil, fmt.Errorf("%w: ncryptsec: version %#02x, want 0x02", ErrBadKey, b[0])
	}
	if logN := b[1]; logN < 1 || logN > MaxLogN {
		return nil, fmt.Errorf("%w: ncryptsec: log_n %d out of range [1,%d]", ErrBadKey, logN, MaxLogN)
	}
	return b, nil
}

func ncryptsecCipher(password string, salt []byte, logN uint8) (cipher.AEAD, error) {
	key, err := scrypt.Key([]byte(password), salt, 1<<logN, 8, 1, 32)
	if err != nil {
		return nil, fmt.Errorf("ncryptsec: scrypt: %w", err)
	}
	aead, err := chacha20poly1305.NewX(key)
	clear(key)
	if err != nil {
		return nil, fmt.Errorf("ncryptsec: %w", err)
	}
	return aead, nil
}
