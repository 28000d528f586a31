package chain

import "postwork/chain/nostr"

// SaneBlock is a block that passed CheckBlockSanity for one network. Only
// CheckSane makes one, so Chain.ProcessSaneBlock can skip the signature
// checks without trusting its caller.
type SaneBlock struct {
	params *Params
	block  *Block
	hash   Hash
}

// Verified reports whether an event with e's id and e's signature passed
// nostr.Event.Verify before: a node's mempool holds only such events. For
// those, sanity checks recompute the id (a hash, so the content is the one
// that was signed) instead of checking the signature again, which is what
// makes connecting a block of posts the node already has cheap.
type Verified func(e *nostr.Event) bool

// CheckSane runs CheckBlockSanity and returns the block marked as checked.
// It needs no chain and no lock: callers run it on other goroutines while
// the chain connects earlier blocks.
func CheckSane(p *Params, b *Block) (*SaneBlock, error) {
	return checkSane(p, b, b.Hash(), nil)
}

// CheckSaneKnown is CheckSane sparing the signature checks of the events
// known vouches for.
func CheckSaneKnown(p *Params, b *Block, known Verified) (*SaneBlock, error) {
	return checkSane(p, b, b.Hash(), known)
}

func checkSane(p *Params, b *Block, hash Hash, known Verified) (*SaneBlock, error) {
	if err := checkBlockSanity(p, b, hash, known); err != nil {
		return nil, err
	}
	return &SaneBlock{params: p, block: b, hash: hash}, nil
}

// verifyEvent is e.Verify, minus the signature when known vouches for it.
func verifyEvent(e *nostr.Event, known Verified) error {
	if known == nil || !known(e) {
		return e.Verify()
	}
	if err := e.CheckLimits(); err != nil {
		return err
	}
	return e.CheckID()
}

// Block returns the checked block.
func (sb *SaneBlock) Block() *Block { return sb.block }

// Hash returns the block's hash.
func (sb *SaneBlock) Hash() Hash { return sb.hash }
