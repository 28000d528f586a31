package chain

// orphanPool holds blocks whose parent is unknown, bounded in count and age
// so a peer cannot fill memory with blocks that never connect.
type orphanPool struct {
	max    int
	maxAge int64
	blocks map[Hash]orphan
}

type orphan struct {
	block *Block
	hash  Hash
	added int64
}

func (p *orphanPool) has(hash Hash) bool {
	_, ok := p.blocks[hash]
	return ok
}

// add stores b, first dropping expired orphans and, when full, the oldest.
func (p *orphanPool) add(b *Block, hash Hash, now int64) {
	for h, o := range p.blocks {
		if now-o.added > p.maxAge {
			delete(p.blocks, h)
		}
	}
	for len(p.blocks) >= p.max {
		var oldest Hash
		first := true
		var t int64
		for h, o := range p.blocks {
			if first || o.added < t || o.added == t && string(h[:]) < string(oldest[:]) {
				oldest, t, first = h, o.added, false
			}
		}
		delete(p.blocks, oldest)
	}
	p.blocks[hash] = orphan{block: b, hash: hash, added: now}
}

// takeChildren removes and returns the orphans whose parent is prev.
func (p *orphanPool) takeChildren(prev Hash) []orphan {
	var out []orphan
	for h, o := range p.blocks {
		if o.block.Header.Prev == prev {
			out = append(out, o)
			delete(p.blocks, h)
		}
	}
	return out
}
