package merkle

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"testing"
)

type hexBytes []byte

func (h *hexBytes) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := hex.DecodeString(s)
	*h = v
	return err
}

type hexHash [32]byte

func (h *hexHash) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := hex.DecodeString(s)
	if err != nil {
		return err
	}
	if len(v) != 32 {
		return fmt.Errorf("hash of %d bytes", len(v))
	}
	copy(h[:], v)
	return nil
}

type ctVectors struct {
	Leaves          []hexBytes `json:"leaves"`
	Roots           []hexHash  `json:"roots"`
	LeafHashes      []hexHash  `json:"leafHashes"`
	InclusionProofs []struct {
		Leaf  int       `json:"leaf"` // 1-based
		Size  int       `json:"size"`
		Proof []hexHash `json:"proof"`
	} `json:"inclusionProofs"`
	Hasher struct {
		Leaf struct {
			In  string  `json:"in"`
			Out hexHash `json:"out"`
		} `json:"leaf"`
		Node struct {
			Left  string  `json:"left"`
			Right string  `json:"right"`
			Out   hexHash `json:"out"`
		} `json:"node"`
	} `json:"hasher"`
}

func loadCT(t *testing.T) ctVectors {
	t.Helper()
	b, err := os.ReadFile("testdata/rfc6962_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v ctVectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Leaves) != 8 || len(v.Roots) != 9 || len(v.LeafHashes) != 8 || len(v.InclusionProofs) == 0 {
		t.Fatal("vector file incomplete")
	}
	return v
}

func leavesOf(v ctVectors) [][]byte {
	out := make([][]byte, len(v.Leaves))
	for i, l := range v.Leaves {
		out[i] = l
	}
	return out
}

func TestCTHasher(t *testing.T) {
	v := loadCT(t)
	if got := LeafHash([]byte(v.Hasher.Leaf.In)); got != [32]byte(v.Hasher.Leaf.Out) {
		t.Errorf("LeafHash(%q) = %x", v.Hasher.Leaf.In, got)
	}
	// The node vector hashes raw strings rather than 32-byte children; it pins
	// the node prefix this package uses.
	node := sha256.Sum256([]byte(string(rune(nodePrefix)) + v.Hasher.Node.Left + v.Hasher.Node.Right))
	if node != [32]byte(v.Hasher.Node.Out) {
		t.Errorf("node hash with prefix %#x = %x, want %x", nodePrefix, node, v.Hasher.Node.Out)
	}
	for i, in := range v.Leaves {
		if got := LeafHash(in); got != [32]byte(v.LeafHashes[i]) {
			t.Errorf("LeafHash(%x) = %x, want %x", []byte(in), got, v.LeafHashes[i])
		}
	}
	// Large leaves take the streaming path; it must agree.
	big := make([]byte, 1000)
	for i := range big {
		big[i] = byte(i)
	}
	if got, want := LeafHash(big), sha256.Sum256(append([]byte{0}, big...)); got != want {
		t.Errorf("LeafHash of a 1000-byte leaf = %x, want %x", got, want)
	}
}

// TestCTRoots: the roots of the first n reference leaves, n = 0…8.
func TestCTRoots(t *testing.T) {
	v := loadCT(t)
	leaves := leavesOf(v)
	for n := 0; n <= 8; n++ {
		want := [32]byte(v.Roots[n])
		if got := Root(leaves[:n]); got != want {
			t.Errorf("Root of %d leaves = %x, want %x", n, got, want)
		}
		hs := make([][32]byte, n)
		for i := range hs {
			hs[i] = LeafHash(leaves[i])
		}
		if got := RootFromLeafHashes(hs); got != want {
			t.Errorf("RootFromLeafHashes of %d leaves = %x, want %x", n, got, want)
		}
	}
}

// TestCTInclusionProofs: Prove produces the reference audit paths and Verify
// accepts them against the reference roots.
func TestCTInclusionProofs(t *testing.T) {
	v := loadCT(t)
	leaves := leavesOf(v)
	for _, p := range v.InclusionProofs {
		index := p.Leaf - 1
		want := make([][32]byte, len(p.Proof))
		for i, h := range p.Proof {
			want[i] = h
		}
		got, err := Prove(leaves[:p.Size], index)
		if err != nil {
			t.Fatalf("Prove(%d of %d): %v", index, p.Size, err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("Prove(%d of %d) = %x, want %x", index, p.Size, got, want)
		}
		if err := Verify(v.Roots[p.Size], leaves[index], index, p.Size, want); err != nil {
			t.Errorf("Verify(%d of %d): %v", index, p.Size, err)
		}
	}
	// The vector set's {0, 0, nil}: no leaf in an empty tree.
	if err := Verify(v.Roots[0], nil, 0, 0, nil); !errors.Is(err, ErrBadSize) {
		t.Errorf("empty tree: got %v, want ErrBadSize", err)
	}
	if _, err := Prove(nil, 0); !errors.Is(err, ErrIndexOutOfRange) {
		t.Errorf("Prove on empty tree: got %v", err)
	}
}

// refRoot is RFC 6962 §2.1's definition, transcribed literally.
func refRoot(leaves [][]byte) [32]byte {
	switch len(leaves) {
	case 0:
		return sha256.Sum256(nil)
	case 1:
		return sha256.Sum256(append([]byte{0}, leaves[0]...))
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	l, r := refRoot(leaves[:k]), refRoot(leaves[k:])
	return sha256.Sum256(append(append([]byte{1}, l[:]...), r[:]...))
}

func testLeaves(n int) [][]byte {
	leaves := make([][]byte, n)
	for i := range leaves {
		leaves[i] = fmt.Appendf(nil, "leaf %d", i)
	}
	return leaves
}

// TestRootMatchesDefinition: the streaming root equals the recursive
// definition for every size up to 160, which covers every shape of the
// stack (every bit pattern of the size below 2^7, and more).
func TestRootMatchesDefinition(t *testing.T) {
	leaves := testLeaves(160)
	for n := 0; n <= len(leaves); n++ {
		if got, want := Root(leaves[:n]), refRoot(leaves[:n]); got != want {
			t.Fatalf("size %d: Root %x, definition %x", n, got, want)
		}
	}
}

// TestNoDuplicationAmbiguity: unlike Bitcoin's tree, repeating the last leaf
// changes the root, and so does any reordering.
func TestNoDuplicationAmbiguity(t *testing.T) {
	l := testLeaves(3)
	if Root(l) == Root(append(l[:3:3], l[2])) {
		t.Error("[a b c] and [a b c c] share a root")
	}
	if Root(l) == Root([][]byte{l[1], l[0], l[2]}) {
		t.Error("reordering leaves keeps the root")
	}
	// A node cannot pose as a leaf: the two-leaf root is not the leaf hash of
	// the children's concatenation.
	a, b := LeafHash(l[0]), LeafHash(l[1])
	if Root(l[:2]) == LeafHash(append(a[:], b[:]...)) {
		t.Error("interior node equals a leaf hash")
	}
}
