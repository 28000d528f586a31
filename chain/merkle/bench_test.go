package merkle

import (
	"crypto/sha256"
	"testing"
)

// blockLeaves is a 1000-post block plus its coinbase: 1001 leaves, the posts'
// leaves 96 bytes (id‖sig), the coinbase about 50.
func blockLeaves() [][]byte {
	leaves := make([][]byte, 1001)
	leaves[0] = make([]byte, 50)
	for i := 1; i < len(leaves); i++ {
		id := sha256.Sum256([]byte{byte(i), byte(i >> 8)})
		leaf := make([]byte, 96)
		copy(leaf, id[:])
		copy(leaf[32:], id[:])
		copy(leaf[64:], id[:])
		leaves[i] = leaf
	}
	return leaves
}

func BenchmarkRoot1001(b *testing.B) {
	leaves := blockLeaves()
	b.ReportAllocs()
	for b.Loop() {
		Root(leaves)
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/block")
	b.ReportMetric(float64(b.N)*1001/b.Elapsed().Seconds(), "leaves/s")
}

func BenchmarkRootFromLeafHashes1001(b *testing.B) {
	leaves := blockLeaves()
	hs := make([][32]byte, len(leaves))
	for i := range leaves {
		hs[i] = LeafHash(leaves[i])
	}
	b.ReportAllocs()
	for b.Loop() {
		RootFromLeafHashes(hs)
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/block")
}

func BenchmarkProve1001(b *testing.B) {
	leaves := blockLeaves()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := Prove(leaves, i%len(leaves)); err != nil {
			b.Fatal(err)
		}
		i += 97
	}
}

func BenchmarkVerify1001(b *testing.B) {
	leaves := blockLeaves()
	root := Root(leaves)
	proof, _ := Prove(leaves, 500)
	b.ReportAllocs()
	for b.Loop() {
		if err := Verify(root, leaves[500], 500, len(leaves), proof); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "proofs/s")
}
