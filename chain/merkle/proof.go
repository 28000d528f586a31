package merkle

import (
	"errors"
	"fmt"
	"math/bits"
)

// MaxProofHashes bounds an inclusion proof: a tree of fewer than 2^64 leaves
// has an audit path of at most 64 hashes. Decoders check it before they
// allocate.
const MaxProofHashes = 64

// Sentinel errors, for errors.Is. The errors returned wrap them with details.
var (
	// ErrIndexOutOfRange reports a leaf index outside 0..size−1.
	ErrIndexOutOfRange = errors.New("merkle: leaf index out of range")
	// ErrBadSize reports a tree size that cannot hold a leaf.
	ErrBadSize = errors.New("merkle: invalid tree size")
	// ErrProofLength reports a proof with more or fewer hashes than the audit
	// path of that index in a tree of that size.
	ErrProofLength = errors.New("merkle: wrong proof length")
	// ErrRootMismatch reports a well-formed proof that does not lead to the
	// expected root: the leaf is not in that tree at that index.
	ErrRootMismatch = errors.New("merkle: proof does not match root")
	// ErrBadProofEncoding reports a malformed encoded proof.
	ErrBadProofEncoding = errors.New("merkle: malformed proof encoding")
)

// Prove returns the audit path of leaves[index] (RFC 6962 §2.1.1 PATH): the
// sibling hashes from the leaf up to the root, which Verify folds back into
// the root. It hashes every leaf but the proven one once.
func Prove(leaves [][]byte, index int) ([][32]byte, error) {
	if index < 0 || index >= len(leaves) {
		return nil, fmt.Errorf("%w: index %d, tree of %d leaves", ErrIndexOutOfRange, index, len(leaves))
	}
	proof := make([][32]byte, 0, bits.Len(uint(len(leaves))))
	lo, hi := 0, len(leaves)
	// Walk down from the root, recording each sibling subtree's hash, then
	// reverse: PATH lists them from the leaf up.
	for hi-lo > 1 {
		k := splitPoint(hi - lo)
		if index < lo+k {
			proof = append(proof, Root(leaves[lo+k:hi]))
			hi = lo + k
		} else {
			proof = append(proof, Root(leaves[lo:lo+k]))
			lo += k
		}
	}
	for i, j := 0, len(proof)-1; i < j; i, j = i+1, j-1 {
		proof[i], proof[j] = proof[j], proof[i]
	}
	return proof, nil
}

// proofLen is the number of hashes in the audit path of index in a tree of
// size leaves: one per level where the path has a sibling. Below the level
// where index and the last leaf diverge every level has one; above it, one
// for each level where the path turns right (RFC 9162 §2.1.3.2).
func proofLen(index, size uint64) int {
	inner := bits.Len64(index ^ (size - 1))
	return inner + bits.OnesCount64(index>>inner)
}

// Verify checks that leaf is the leaf at index in the tree of size leaves
// whose root is root, given its audit path, with the algorithm of RFC 9162
// §2.1.3.2. The proof must have exactly the audit path's length.
//
// The root does not commit to the tree size, and different (index, size)
// pairs can share an audit path: leaf 0 of 6 leaves verifies as leaf 0 of 7,
// and leaf 9 of 11 as leaf 17 of 19. So a proof shows that the leaf is in the
// tree; the index it claims is only as trustworthy as the size, which a caller
// must take from an authenticated source (the decoded block, or a committed
// count). Index 0 is the exception: only leaf 0 has an all-left path.
func Verify(root [32]byte, leaf []byte, index, size int, proof [][32]byte) error {
	if size <= 0 {
		return &VerifyError{Kind: ErrBadSize, Index: index, Size: size}
	}
	if index < 0 || index >= size {
		return &VerifyError{Kind: ErrIndexOutOfRange, Index: index, Size: size}
	}
	fn, sn := uint64(index), uint64(size-1)
	if want := proofLen(fn, sn+1); len(proof) != want {
		return &VerifyError{Kind: ErrProofLength, Index: index, Size: size, Got: len(proof), Want: want}
	}
	r := LeafHash(leaf)
	for i := range proof {
		p := &proof[i]
		if sn == 0 { // unreachable after the length check; kept as in the RFC
			return &VerifyError{Kind: ErrProofLength, Index: index, Size: size, Got: len(proof), Want: i}
		}
		if fn&1 == 1 || fn == sn {
			r = nodeHash(p, &r)
			// The right edge of the tree skips levels where the path's node
			// has no sibling.
			for fn&1 == 0 && fn != 0 {
				fn >>= 1
				sn >>= 1
			}
		} else {
			r = nodeHash(&r, p)
		}
		fn >>= 1
		sn >>= 1
	}
	if sn != 0 { // unreachable after the length check
		return &VerifyError{Kind: ErrProofLength, Index: index, Size: size, Got: len(proof), Want: -1}
	}
	if r != root {
		return &VerifyError{Kind: ErrRootMismatch, Index: index, Size: size}
	}
	return nil
}

// VerifyError is the error Verify returns: Kind is one of ErrBadSize,
// ErrIndexOutOfRange, ErrProofLength or ErrRootMismatch, and errors.Is sees
// it. A plain struct keeps rejecting a bad proof cheap: a relay may have to
// reject many, and its text is only built when someone reads it.
type VerifyError struct {
	Kind        error
	Index, Size int
	Got, Want   int // proof lengths, for ErrProofLength
}

func (e *VerifyError) Error() string {
	switch e.Kind {
	case ErrBadSize:
		return fmt.Sprintf("%v: %d", e.Kind, e.Size)
	case ErrProofLength:
		if e.Want < 0 {
			return fmt.Sprintf("%v: %d hashes for leaf %d of %d", e.Kind, e.Got, e.Index, e.Size)
		}
		return fmt.Sprintf("%v: %d hashes, leaf %d of %d needs %d", e.Kind, e.Got, e.Index, e.Size, e.Want)
	}
	return fmt.Sprintf("%v: leaf %d of %d", e.Kind, e.Index, e.Size)
}

// Unwrap returns Kind, for errors.Is.
func (e *VerifyError) Unwrap() error { return e.Kind }

// EncodeProof returns the wire form of a proof: a count byte, then the
// hashes, 32 bytes each. The index and tree size travel separately, in the
// message that carries the proof.
func EncodeProof(proof [][32]byte) ([]byte, error) {
	if len(proof) > MaxProofHashes {
		return nil, fmt.Errorf("%w: %d hashes, at most %d", ErrBadProofEncoding, len(proof), MaxProofHashes)
	}
	b := make([]byte, 1, 1+32*len(proof))
	b[0] = byte(len(proof))
	for i := range proof {
		b = append(b, proof[i][:]...)
	}
	return b, nil
}

// DecodeProof parses EncodeProof's output. The count is checked against
// MaxProofHashes and the length against the count before anything is
// allocated, and trailing bytes are rejected, so each proof has one encoding.
func DecodeProof(b []byte) ([][32]byte, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: empty", ErrBadProofEncoding)
	}
	n := int(b[0])
	if n > MaxProofHashes {
		return nil, fmt.Errorf("%w: %d hashes, at most %d", ErrBadProofEncoding, n, MaxProofHashes)
	}
	if len(b) != 1+32*n {
		return nil, fmt.Errorf("%w: %d hashes need %d bytes, got %d", ErrBadProofEncoding, n, 1+32*n, len(b))
	}
	proof := make([][32]byte, n)
	for i := range proof {
		copy(proof[i][:], b[1+32*i:])
	}
	return proof, nil
}
