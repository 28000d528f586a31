// Package pow holds the proof-of-work arithmetic of postwork: Bitcoin's compact
// "bits" encoding of a 256-bit target, the work a target represents, the check
// that a block hash meets its target, and the aserti3-2d difficulty rule of
// Bitcoin Cash (ASERT).
//
// Hashes are read as big-endian 256-bit numbers (docs/ARCHITECTURE.md), so a
// good block hash printed in byte order starts with zeros.
//
// Everything here is pure integer arithmetic (math/big or fixed-width
// integers): it gives identical results natively and under GOOS=js
// GOARCH=wasm, which consensus requires. The functions are pure and take their
// parameters explicitly, in the manner of dcrd's blockchain/standalone, so the
// full node and the browser light node call exactly the same code.
package pow
