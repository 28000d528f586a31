// Package merkle computes RFC 6962 Merkle trees (the Certificate Transparency
// tree, kept unchanged in RFC 9162) and their inclusion proofs.
//
// A leaf hashes as SHA-256(0x00‖data) and an interior node as
// SHA-256(0x01‖left‖right). The different prefixes keep a node from passing
// for a leaf (the second-preimage attack on Bitcoin's tree), and the tree over
// n leaves splits at the largest power of two below n instead of duplicating
// the last leaf, so two different leaf lists never share a root (Bitcoin's
// CVE-2012-2459).
//
// postwork's block body commits to its records through this root: the leaves
// are the encoded coinbase, then each event's id‖sig (docs/ARCHITECTURE.md).
package merkle

import (
	"crypto/sha256"
	"math/bits"
)

// Domain-separation prefixes of RFC 6962 §2.1.
const (
	leafPrefix = 0x00
	nodePrefix = 0x01
)

// emptyRoot is MTH({}) = SHA-256 of the empty string.
var emptyRoot = sha256.Sum256(nil)

// smallLeaf is the size up to which a leaf is hashed from a stack buffer
// with no allocation; postwork's leaves (id‖sig, 96 bytes, and a coinbase of
// at most about 120) all fit.
const smallLeaf = 256

// LeafHash returns SHA-256(0x00‖data), the hash of a leaf.
func LeafHash(data []byte) [32]byte {
	if len(data) <= smallLeaf {
		var buf [1 + smallLeaf]byte
		buf[0] = leafPrefix
		n := copy(buf[1:], data)
		return sha256.Sum256(buf[:1+n])
	}
	h := sha256.New()
	h.Write([]byte{leafPrefix})
	h.Write(data)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// nodeHash returns SHA-256(0x01‖left‖right), the hash of an interior node.
func nodeHash(left, right *[32]byte) [32]byte {
	var buf [65]byte
	buf[0] = nodePrefix
	copy(buf[1:33], left[:])
	copy(buf[33:], right[:])
	return sha256.Sum256(buf[:])
}

// Root returns the RFC 6962 tree hash MTH over the leaves; the root of an
// empty list is SHA-256 of the empty string, as the RFC defines it.
func Root(leaves [][]byte) [32]byte {
	return rootOf(len(leaves), func(i int) [32]byte { return LeafHash(leaves[i]) })
}

// RootFromLeafHashes is Root for callers that already hold the leaf hashes
// (LeafHash of each leaf), for example a block whose records were hashed when
// they were decoded.
func RootFromLeafHashes(h [][32]byte) [32]byte {
	return rootOf(len(h), func(i int) [32]byte { return h[i] })
}

// rootOf computes MTH over n leaves in one left-to-right pass with a stack of
// perfect subtrees, so it needs O(log n) memory and no allocation. After
// the pass the stack holds the perfect subtrees given by the binary digits of
// n, largest first; folding them from the right is exactly RFC 6962's split
// at the largest power of two below n, applied recursively.
func rootOf(n int, leaf func(i int) [32]byte) [32]byte {
	if n <= 0 {
		return emptyRoot
	}
	var stack [64][32]byte
	top := 0
	for i := 0; i < n; i++ {
		stack[top] = leaf(i)
		top++
		// Each trailing one bit of i closes a perfect subtree.
		for j := i; j&1 == 1; j >>= 1 {
			top--
			stack[top-1] = nodeHash(&stack[top-1], &stack[top])
		}
	}
	acc := stack[top-1]
	for k := top - 2; k >= 0; k-- {
		acc = nodeHash(&stack[k], &acc)
	}
	return acc
}

// splitPoint returns the largest power of two strictly below n (n ≥ 2): the
// size of the left subtree in RFC 6962.
func splitPoint(n int) int {
	return 1 << (bits.Len(uint(n-1)) - 1)
}
