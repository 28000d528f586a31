package merkle

import (
	"bytes"
	"errors"
	"slices"
	"testing"
)

// FuzzDecodeProof: any input either decodes to at most MaxProofHashes hashes
// that re-encode to exactly the input, or is rejected with
// ErrBadProofEncoding.
func FuzzDecodeProof(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0})
	f.Add([]byte{1})
	f.Add(append([]byte{1}, make([]byte, 32)...))
	f.Add(append([]byte{2}, make([]byte, 63)...))
	f.Add(append([]byte{64}, make([]byte, 64*32)...))
	f.Add(append([]byte{65}, make([]byte, 65*32)...))
	f.Add([]byte{255, 1, 2, 3})
	tree := testLeaves(13)
	p, _ := Prove(tree, 6)
	b, _ := EncodeProof(p)
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		proof, err := DecodeProof(b)
		if err != nil {
			if !errors.Is(err, ErrBadProofEncoding) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if len(proof) > MaxProofHashes {
			t.Fatalf("decoded %d hashes", len(proof))
		}
		again, err := EncodeProof(proof)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("re-encoding differs: %x vs %x (%v)", again, b, err)
		}
	})
}

// FuzzVerify: Verify never panics, whatever it is given, and accepts only the
// real audit path of a leaf of the tree (small enough to know every proof).
// The claimed index and size need only give the same path shape as the real
// ones: the root does not commit to the size, so leaf 9 of 11 also verifies
// as leaf 17 of 19 (the regression seed the fuzzer found).
func FuzzVerify(f *testing.F) {
	tree := testLeaves(11)
	root := Root(tree)
	for i := range tree {
		p, _ := Prove(tree, i)
		b, _ := EncodeProof(p)
		f.Add(tree[i], i, len(tree), b)
	}
	f.Add([]byte("x"), -1, 0, []byte{0})
	f.Add([]byte("x"), 1<<62, 1<<62+1, []byte{0})
	f.Fuzz(func(t *testing.T, leaf []byte, index, size int, enc []byte) {
		proof, err := DecodeProof(enc)
		if err != nil {
			return
		}
		if Verify(root, leaf, index, size, proof) != nil {
			return
		}
		j := slices.IndexFunc(tree, func(l []byte) bool { return bytes.Equal(l, leaf) })
		if j < 0 {
			t.Fatalf("accepted leaf %q, not in the tree", leaf)
		}
		if want, _ := Prove(tree, j); !slices.Equal(want, proof) {
			t.Fatalf("accepted a proof for leaf %d that is not its audit path", j)
		}
		if !slices.Equal(pathShape(index, size), pathShape(j, len(tree))) {
			t.Fatalf("accepted leaf %d of %d as leaf %d of %d, whose path differs", j, len(tree), index, size)
		}
	})
}
