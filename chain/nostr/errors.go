package nostr

import "errors"

// Sentinel errors. Every error this package returns for a bad event wraps
// exactly one of them, so callers (relay OK messages, block validation) can
// tell the classes apart with errors.Is while the message keeps the detail.
var (
	// ErrMalformed: the input is not a well-formed event (syntax, missing or
	// unknown key, wrong type, bad hex, out-of-range number, invalid UTF-8).
	ErrMalformed = errors.New("malformed event")
	// ErrTooLarge: the event exceeds one of the size limits.
	ErrTooLarge = errors.New("event too large")
	// ErrBadID: the id is not the SHA-256 of the canonical serialization.
	ErrBadID = errors.New("id does not match content")
	// ErrBadPubKey: the pubkey is not the x coordinate of a curve point.
	ErrBadPubKey = errors.New("invalid pubkey")
	// ErrBadSig: the signature is not a valid BIP-340 signature of the id.
	ErrBadSig = errors.New("invalid signature")
)

// FieldError names the part of an event that is wrong and why. Field is a
// JSON-style path ("pubkey", "tags[2][0]") or "event" for the input as a whole.
type FieldError struct {
	Field string
	Msg   string
	Err   error // ErrMalformed or ErrTooLarge
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// Unwrap lets errors.Is find the sentinel.
func (e *FieldError) Unwrap() error { return e.Err }

func malformed(field, msg string) error {
	return &FieldError{Field: field, Msg: msg, Err: ErrMalformed}
}

func tooLarge(field, msg string) error {
	return &FieldError{Field: field, Msg: msg, Err: ErrTooLarge}
}

// withField fills in the field of an error raised below the level that knows it.
func withField(err error, field string) error {
	if fe, ok := err.(*FieldError); ok && fe.Field == "" {
		fe.Field = field
	}
	return err
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}
