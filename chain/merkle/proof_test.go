package merkle

import (
	"errors"
	"math/bits"
	"slices"
	"testing"
)

// pathShape is the audit path of index in a tree of size leaves, as the
// directions of its siblings from the leaf up (true: sibling on the right),
// computed from RFC 6962's recursive PATH definition. Verify computes the
// same root for two (index, size) pairs exactly when their shapes are equal.
func pathShape(index, size int) []bool {
	if size <= 1 {
		return nil
	}
	k := 1 << (bits.Len(uint(size-1)) - 1) // largest power of two below size
	if index < k {
		return append(pathShape(index, k), true)
	}
	return append(pathShape(index-k, size-k), false)
}

// flipBit returns a copy of b with bit k (counted from the first byte's low
// bit, modulo the length) flipped.
func flipBit(b []byte, k int) []byte {
	c := slices.Clone(b)
	k %= 8 * len(c)
	c[k/8] ^= 1 << (k % 8)
	return c
}

// TestProveVerifyProperties: for every tree size 1…70 and every index, the
// proof verifies, and changing the leaf, any hash of the proof, the root, or
// any bit of the index makes Verify fail. Changing a bit of the size fails
// too, except where the new size gives the index the same audit path (the
// size is not committed to by the root; see Verify), where it must succeed.
//
// SHA-256 treats every input bit alike; what this sweep must reach is every
// input in every tree shape. So each (size, index) flips one bit of the leaf
// and one bit of each proof hash, the position moving on from pair to pair so
// that the sweep covers every bit position; TestVerifyEveryBit flips every
// bit for chosen trees. That keeps the run short under wasm.
func TestProveVerifyProperties(t *testing.T) {
	leaves := testLeaves(70)
	sameShape, k := 0, 0
	for size := 1; size <= 70; size++ {
		tree := leaves[:size]
		root := Root(tree)
		for index := 0; index < size; index++ {
			k++
			proof, err := Prove(tree, index)
			if err != nil {
				t.Fatal(err)
			}
			shape := pathShape(index, size)
			if len(proof) != len(shape) {
				t.Fatalf("size %d index %d: proof of %d hashes, path of %d", size, index, len(proof), len(shape))
			}
			if err := Verify(root, tree[index], index, size, proof); err != nil {
				t.Fatalf("size %d index %d: %v", size, index, err)
			}
			if err := Verify(root, flipBit(tree[index], k), index, size, proof); !errors.Is(err, ErrRootMismatch) {
				t.Fatalf("size %d index %d: flipped leaf: got %v", size, index, err)
			}
			for i := range proof {
				p := slices.Clone(proof)
				copy(p[i][:], flipBit(proof[i][:], k+i))
				if err := Verify(root, tree[index], index, size, p); !errors.Is(err, ErrRootMismatch) {
					t.Fatalf("size %d index %d: flipped proof[%d]: got %v", size, index, i, err)
				}
			}
			if err := Verify([32]byte(flipBit(root[:], k)), tree[index], index, size, proof); !errors.Is(err, ErrRootMismatch) {
				t.Fatalf("size %d index %d: flipped root: got %v", size, index, err)
			}
			for b := 0; b < bits.UintSize; b++ {
				i := index ^ 1<<b
				if err := Verify(root, tree[index], i, size, proof); err == nil {
					t.Fatalf("size %d index %d: index %d accepted", size, index, i)
				}
			}
			for b := 0; b < bits.UintSize; b++ {
				s := size ^ 1<<b
				err := Verify(root, tree[index], index, s, proof)
				// Paths of different lengths differ; only compare shapes
				// when the lengths agree.
				if s > index && proofLen(uint64(index), uint64(s)) == len(proof) && slices.Equal(pathShape(index, s), shape) {
					if err != nil {
						t.Fatalf("size %d index %d: size %d has the same path but fails: %v", size, index, s, err)
					}
					sameShape++
					continue
				}
				if err == nil {
					t.Fatalf("size %d index %d: size %d accepted", size, index, s)
				}
			}
		}
	}
	t.Logf("size flips that keep the audit path (and so verify): %d", sameShape)
}

// TestVerifyEveryBit flips each bit of the leaf and of every proof hash, for
// a complete tree, a ragged one, and the right edge of a ragged one.
func TestVerifyEveryBit(t *testing.T) {
	for _, c := range []struct{ size, index int }{{64, 37}, {70, 69}, {70, 66}, {11, 4}} {
		tree := testLeaves(c.size)
		root := Root(tree)
		proof, err := Prove(tree, c.index)
		if err != nil {
			t.Fatal(err)
		}
		for k := 0; k < 8*len(tree[c.index]); k++ {
			if err := Verify(root, flipBit(tree[c.index], k), c.index, c.size, proof); !errors.Is(err, ErrRootMismatch) {
				t.Fatalf("size %d index %d: leaf bit %d: got %v", c.size, c.index, k, err)
			}
		}
		for i := range proof {
			for k := 0; k < 256; k++ {
				p := slices.Clone(proof)
				copy(p[i][:], flipBit(proof[i][:], k))
				if err := Verify(root, tree[c.index], c.index, c.size, p); !errors.Is(err, ErrRootMismatch) {
					t.Fatalf("size %d index %d: proof[%d] bit %d: got %v", c.size, c.index, i, k, err)
				}
			}
		}
	}
}

// TestVerifyProofLength: a proof with a hash added or removed is rejected for
// its length before any hashing.
func TestVerifyProofLength(t *testing.T) {
	tree := testLeaves(13)
	root := Root(tree)
	for index := range tree {
		proof, _ := Prove(tree, index)
		longer := append(slices.Clone(proof), [32]byte{})
		if err := Verify(root, tree[index], index, len(tree), longer); !errors.Is(err, ErrProofLength) {
			t.Errorf("index %d: longer proof: %v", index, err)
		}
		if len(proof) > 0 {
			if err := Verify(root, tree[index], index, len(tree), proof[1:]); !errors.Is(err, ErrProofLength) {
				t.Errorf("index %d: shorter proof: %v", index, err)
			}
		}
	}
	huge := make([][32]byte, 1000)
	if err := Verify(root, tree[0], 0, 13, huge); !errors.Is(err, ErrProofLength) {
		t.Errorf("1000-hash proof: %v", err)
	}
	for _, c := range []struct{ index, size int }{{-1, 13}, {13, 13}, {0, 0}, {0, -5}} {
		err := Verify(root, tree[0], c.index, c.size, nil)
		if !errors.Is(err, ErrIndexOutOfRange) && !errors.Is(err, ErrBadSize) {
			t.Errorf("index %d size %d: %v", c.index, c.size, err)
		}
	}
	if _, err := Prove(tree, 13); !errors.Is(err, ErrIndexOutOfRange) {
		t.Errorf("Prove past the end: %v", err)
	}
	if _, err := Prove(tree, -1); !errors.Is(err, ErrIndexOutOfRange) {
		t.Errorf("Prove at -1: %v", err)
	}
}

// TestProofLenLargeTrees: the audit path length formula on sizes far beyond
// what can be built, against the recursive definition's count.
func TestProofLenLargeTrees(t *testing.T) {
	depth := func(index, size uint64) int {
		n := 0
		for size > 1 {
			k := uint64(1) << (bits.Len64(size-1) - 1)
			if index < k {
				size = k
			} else {
				index, size = index-k, size-k
			}
			n++
		}
		return n
	}
	for _, size := range []uint64{1, 2, 3, 1 << 20, 1<<20 + 1, 1<<40 - 1, 1<<62 + 12345, 1<<63 - 1} {
		for _, index := range []uint64{0, 1, size / 2, size - 2, size - 1} {
			if index >= size {
				continue
			}
			if got, want := proofLen(index, size), depth(index, size); got != want {
				t.Errorf("proofLen(%d, %d) = %d, want %d", index, size, got, want)
			}
		}
	}
	if got := proofLen(0, 1<<63); got > MaxProofHashes {
		t.Errorf("largest tree needs %d hashes, more than MaxProofHashes", got)
	}
}

func TestProofEncoding(t *testing.T) {
	tree := testLeaves(70)
	for _, index := range []int{0, 35, 69} {
		proof, _ := Prove(tree, index)
		b, err := EncodeProof(proof)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) != 1+32*len(proof) {
			t.Fatalf("encoding of %d hashes is %d bytes", len(proof), len(b))
		}
		got, err := DecodeProof(b)
		if err != nil || !slices.Equal(got, proof) {
			t.Fatalf("round trip: %x, %v", got, err)
		}
		if err := Verify(Root(tree), tree[index], index, len(tree), got); err != nil {
			t.Fatal(err)
		}
		// Truncated or padded encodings are rejected.
		for _, bad := range [][]byte{b[:len(b)-1], append(slices.Clone(b), 0)} {
			if _, err := DecodeProof(bad); !errors.Is(err, ErrBadProofEncoding) {
				t.Errorf("%d bytes accepted: %v", len(bad), err)
			}
		}
	}
	if _, err := DecodeProof(nil); !errors.Is(err, ErrBadProofEncoding) {
		t.Errorf("empty input: %v", err)
	}
	if _, err := DecodeProof(append([]byte{65}, make([]byte, 65*32)...)); !errors.Is(err, ErrBadProofEncoding) {
		t.Errorf("65 hashes accepted: %v", err)
	}
	if _, err := EncodeProof(make([][32]byte, 65)); !errors.Is(err, ErrBadProofEncoding) {
		t.Errorf("encoding 65 hashes: %v", err)
	}
	if b, err := EncodeProof(nil); err != nil || len(b) != 1 || b[0] != 0 {
		t.Errorf("empty proof encodes as %x, %v", b, err)
	}
}

// TestIndexZeroIsBound: whatever size is claimed, leaf 0's proof verifies at
// no other index, and no other leaf's proof verifies at index 0, so the
// first leaf (a block's coinbase) cannot be swapped with another.
func TestIndexZeroIsBound(t *testing.T) {
	leaves := testLeaves(40)
	for size := 1; size <= len(leaves); size++ {
		tree := leaves[:size]
		root := Root(tree)
		for j := 0; j < size; j++ {
			proof, _ := Prove(tree, j)
			for s := 1; s <= 2*len(leaves); s++ {
				if j == 0 {
					for i := 1; i < s; i++ {
						if Verify(root, tree[0], i, s, proof) == nil {
							t.Fatalf("leaf 0 of %d verifies as leaf %d of %d", size, i, s)
						}
					}
				} else if Verify(root, tree[j], 0, s, proof) == nil {
					t.Fatalf("leaf %d of %d verifies as leaf 0 of %d", j, size, s)
				}
			}
		}
	}
}
