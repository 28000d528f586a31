package pow_test

import (
	"errors"
	"fmt"
	"math/big"

	"postwork/chain/pow"
)

// A network with a one-minute spacing: the block after a parent that came in
// two half-lives late gets a target four times easier than the anchor's.
func ExampleASERT() {
	const spacing = 60
	halfLife := int64(pow.DefaultHalfLifeBlocks * spacing)
	powLimit := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 240), big.NewInt(1))
	anchor := uint32(0x1e0fffff)

	// Parent at height 10 above the anchor, on time: the anchor's target.
	onTime, _ := pow.ASERT(anchor, spacing*11, 10, spacing, halfLife, powLimit)
	// The same parent two half-lives late.
	late, _ := pow.ASERT(anchor, spacing*11+2*halfLife, 10, spacing, halfLife, powLimit)
	fmt.Printf("%#08x %#08x\n", onTime, late)
	// Output: 0x1e0fffff 0x1e3ffffc
}

func ExampleCheckProofOfWork() {
	powLimit, _ := pow.CompactToBig(0x1d00ffff)
	var hash [32]byte // a hash of all zeros meets every target
	fmt.Println(pow.CheckProofOfWork(hash, 0x1d00ffff, powLimit))

	hash[0] = 1
	err := pow.CheckProofOfWork(hash, 0x1d00ffff, powLimit)
	fmt.Println(errors.Is(err, pow.ErrHighHash))
	// Output:
	// <nil>
	// true
}
