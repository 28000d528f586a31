package nostr

import (
	"context"
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"math"
	"strconv"
)

// ErrNonceExhausted means MinePoW tried every nonce up to 2^64-1 from its
// starting point without reaching the difficulty.
var ErrNonceExhausted = errors.New("nonce space exhausted")

// minerCheckEvery is how many tries pass between progress reports and
// context checks: often enough to stop within milliseconds, rarely enough to
// cost nothing.
const minerCheckEvery = 1 << 12

// MinePoW searches for a nonce that gives e's id at least bits leading zero
// bits (NIP-13), then sets the nonce tag to ["nonce", n, bits] and sets e.ID.
// An existing nonce tag is updated where it stands (other tags are kept);
// otherwise one is appended. The search starts at the nonce the tag already
// holds, if it is a decimal number, else at 0, so workers can split the
// nonce space by presetting the tag. PubKey must be set (the id commits to
// it), and the caller signs afterwards.
//
// It runs in the calling goroutine and reports the number of tries so far to
// progress (if not nil) every few thousand tries, then checks ctx. In wasm,
// where nothing preempts the loop, a deadline cannot fire by itself: cancel
// ctx from progress. On any error e is left unchanged.
func MinePoW(ctx context.Context, e *Event, bits int, progress func(tries uint64)) error {
	if bits < 0 || bits > 256 {
		return fmt.Errorf("mine: difficulty %d out of range [0,256]", bits)
	}
	if e.PubKey == [32]byte{} {
		return errors.New("mine: pubkey not set (the id commits to it)")
	}
	m, start, err := newPowMiner(e, bits)
	if err != nil {
		return err
	}
	var tries uint64
	for n := start; ; n++ {
		id := m.hash(n)
		tries++
		if LeadingZeroBits(id) >= bits {
			m.tags[m.at][1] = strconv.FormatUint(n, 10)
			e.Tags = m.tags
			e.ID = id
			return nil
		}
		if n == math.MaxUint64 {
			return ErrNonceExhausted
		}
		if tries%minerCheckEvery == 0 {
			if progress != nil {
				progress(tries)
			}
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("mine: %w", err)
			}
		}
	}
}

// powMiner hashes an event for one nonce after another. The serialization is
// prefix ‖ nonce digits ‖ suffix; the SHA-256 state after the prefix is saved
// once, so each try hashes only the digits and what follows them.
type powMiner struct {
	tags   [][]string // the event's tags with the nonce tag in place
	at     int        // index of the nonce tag
	state  []byte     // SHA-256 state after the prefix
	h      hash.Hash
	reset  encoding.BinaryUnmarshaler // h, to restore state
	suffix []byte
	digits []byte
	sum    [32]byte
}

func newPowMiner(e *Event, bits int) (*powMiner, uint64, error) {
	m := &powMiner{tags: make([][]string, len(e.Tags), len(e.Tags)+1), at: -1}
	copy(m.tags, e.Tags)
	var start uint64
	target := strconv.Itoa(bits)
	for i, tag := range m.tags {
		if len(tag) > 0 && tag[0] == "nonce" {
			m.at = i
			nt := make([]string, max(len(tag), 3))
			copy(nt, tag)
			if len(tag) >= 2 {
				start, _ = parseDecimal(tag[1], math.MaxUint64)
			}
			nt[2] = target
			m.tags[i] = nt
			break
		}
	}
	if m.at < 0 {
		m.at = len(m.tags)
		m.tags = append(m.tags, []string{"nonce", "0", target})
	}

	// The event must fit the limits with the longest nonce it could get.
	trial := *e
	trial.Tags = m.tags
	m.tags[m.at][1] = strconv.FormatUint(math.MaxUint64, 10)
	if err := trial.CheckLimits(); err != nil {
		return nil, 0, fmt.Errorf("mine: %w", err)
	}

	prefix := make([]byte, 0, 256)
	prefix = append(prefix, `[0,"`...)
	prefix = hex.AppendEncode(prefix, e.PubKey[:])
	prefix = append(prefix, `",`...)
	prefix = strconv.AppendInt(prefix, e.CreatedAt, 10)
	prefix = append(prefix, ',')
	prefix = strconv.AppendInt(prefix, int64(e.Kind), 10)
	prefix = append(prefix, ',', '[')
	for _, tag := range m.tags[:m.at] {
		prefix = appendTag(prefix, tag)
		prefix = append(prefix, ',')
	}
	prefix = append(prefix, '[')
	prefix = appendString(prefix, "nonce")
	prefix = append(prefix, ',', '"')

	nonceTag := m.tags[m.at]
	m.suffix = append(m.suffix, '"')
	for _, item := range nonceTag[2:] {
		m.suffix = append(m.suffix, ',')
		m.suffix = appendString(m.suffix, item)
	}
	m.suffix = append(m.suffix, ']')
	for _, tag := range m.tags[m.at+1:] {
		m.suffix = append(m.suffix, ',')
		m.suffix = appendTag(m.suffix, tag)
	}
	m.suffix = append(m.suffix, ']', ',')
	m.suffix = appendString(m.suffix, e.Content)
	m.suffix = append(m.suffix, ']')

	m.h = sha256.New()
	m.h.Write(prefix)
	var err error
	if m.state, err = m.h.(encoding.BinaryMarshaler).MarshalBinary(); err != nil {
		return nil, 0, fmt.Errorf("mine: %w", err)
	}
	m.reset = m.h.(encoding.BinaryUnmarshaler)
	m.digits = make([]byte, 0, 20)
	return m, start, nil
}

// hash returns the id the event has with nonce n.
func (m *powMiner) hash(n uint64) [32]byte {
	// Restoring a state we marshalled ourselves cannot fail.
	_ = m.reset.UnmarshalBinary(m.state)
	m.digits = strconv.AppendUint(m.digits[:0], n, 10)
	m.h.Write(m.digits)
	m.h.Write(m.suffix)
	m.h.Sum(m.sum[:0])
	return m.sum
}
