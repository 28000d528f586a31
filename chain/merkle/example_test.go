package merkle_test

import (
	"fmt"

	"postwork/chain/merkle"
)

func ExampleVerify() {
	leaves := [][]byte{[]byte("coinbase"), []byte("post 1"), []byte("post 2")}
	root := merkle.Root(leaves)

	proof, _ := merkle.Prove(leaves, 2)
	fmt.Println(len(proof), merkle.Verify(root, leaves[2], 2, len(leaves), proof))

	err := merkle.Verify(root, []byte("post 3"), 2, len(leaves), proof)
	fmt.Println(err)
	// Output:
	// 1 <nil>
	// merkle: proof does not match root: leaf 2 of 3
}
