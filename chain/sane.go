package chain

// SaneBlock is a block that passed CheckBlockSanity for one network. Only
// CheckSane makes one, so Chain.ProcessSaneBlock can skip the signature
// checks without trusting its caller.
type SaneBlock struct {
	params *Params
	block  *Block
	hash   Hash
}

// CheckSane runs CheckBlockSanity and returns the block marked as checked.
// It needs no chain and no lock: callers run it on other goroutines while
// the chain connects earlier blocks.
func CheckSane(p *Params, b *Block) (*SaneBlock, error) {
	return checkSane(p, b, b.Hash())
}

func checkSane(p *Params, b *Block, hash Hash) (*SaneBlock, error) {
	if err := checkBlockSanity(p, b, hash); err != nil {
		return nil, err
	}
	return &SaneBlock{params: p, block: b, hash: hash}, nil
}

// Block returns the checked block.
func (sb *SaneBlock) Block() *Block { return sb.block }

// Hash returns the block's hash.
func (sb *SaneBlock) Hash() Hash { return sb.hash }
