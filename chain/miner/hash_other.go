//go:build !js

package miner

import "postwork/chain"

// defaultMidstate natively is crypto/sha256's assembly (see hash.go).
type defaultMidstate = stdMidstate

func newDefaultMidstate(hdr *[chain.HeaderSize]byte) *defaultMidstate { return newStdMidstate(hdr) }
