//go:build js

package miner

import "postwork/chain"

// defaultMidstate in js/wasm is the specialised pure-Go compression, since
// crypto/sha256 has no wasm assembly (see hash.go).
type defaultMidstate = pureMidstate

func newDefaultMidstate(hdr *[chain.HeaderSize]byte) *defaultMidstate { return newPureMidstate(hdr) }
