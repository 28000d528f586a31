package chain

import (
	"errors"
	"fmt"
	"math/big"
	"slices"
	"sync"

	"postwork/chain/pow"
)

// Errors of ProcessBlock and ProcessHeader that are not rule violations.
var (
	ErrDuplicateBlock = errors.New("block already known")
	ErrUnknownParent  = errors.New("parent header unknown")
)

// Rule violations found through the index rather than the block itself.
const (
	ErrInvalidParent = ErrorKind("parent block is invalid")
	ErrKnownInvalid  = ErrorKind("block is known to be invalid")
)

// Config tunes a Chain. The zero value is a full node with default limits.
type Config struct {
	// HeadersOnly makes a light chain: it validates and connects headers
	// alone and never asks the store for bodies.
	HeadersOnly bool
	// MaxOrphans and MaxOrphanAge (seconds) bound the blocks kept while their
	// parent is missing.
	MaxOrphans   int
	MaxOrphanAge int64
}

// Default orphan pool bounds.
const (
	DefaultMaxOrphans   = 100
	DefaultMaxOrphanAge = 20 * 60
)

// Result says what processing a block or header changed. Connected blocks
// joined the best chain in order; Disconnected blocks left it, tip first, and
// their events are no longer confirmed (a mempool takes them back).
type Result struct {
	Hash         Hash
	Orphan       bool
	Connected    []*Block
	Disconnected []*Block
}

// Chain is a node's view of the block tree: every valid header it has seen,
// the best chain by cumulative work, and orphans waiting for their parent. It
// is safe for concurrent use. Full and light nodes use the same code: a light
// chain (Config.HeadersOnly) simply has no bodies to check.
type Chain struct {
	p           *Params
	store       Store
	headersOnly bool

	mu      sync.Mutex
	index   map[Hash]*node
	main    []*node // main[h]: the best chain's block at height h
	leaves  leafSet // complete, valid blocks with no complete, valid child
	slab    []node  // nodes are allocated in slabs, many per heap object
	best    *node   // valid header with the most work, body or not
	orphans orphanPool
	seq     uint64

	// The work of the last bits addNode saw.
	workBits  uint32
	blockWork pow.Work
	workKnown bool
}

// node is a block in the index.
type node struct {
	hash     Hash
	header   Header
	parent   *node
	child    *node    // the last child indexed; the others follow through sibling
	sibling  *node    // the parent's child indexed before this one
	work     pow.Work // cumulative work from genesis up to and including this block
	seq      uint64   // arrival order: among equal work, the first seen wins
	leaf     int      // 1 + the index in Chain.leaves.nodes; 0 when not a leaf
	hasBody  bool
	complete bool // this block and all its ancestors have bodies
	invalid  bool
}

// New opens the chain held by store, writing the genesis block into an
// empty store, and finishes any reorganisation a crash interrupted.
func New(p *Params, store Store, cfg Config) (*Chain, error) {
	if cfg.MaxOrphans <= 0 {
		cfg.MaxOrphans = DefaultMaxOrphans
	}
	if cfg.MaxOrphanAge <= 0 {
		cfg.MaxOrphanAge = DefaultMaxOrphanAge
	}
	c := &Chain{
		p:           p,
		store:       store,
		headersOnly: cfg.HeadersOnly,
		index:       make(map[Hash]*node),
		orphans:     orphanPool{max: cfg.MaxOrphans, maxAge: cfg.MaxOrphanAge, blocks: make(map[Hash]orphan)},
	}
	tip, err := store.Tip()
	if errors.Is(err, ErrNotFound) {
		g := p.Genesis()
		if err := store.PutBlock(g); err != nil {
			return nil, err
		}
		if err := store.ConnectBlock(g); err != nil {
			return nil, err
		}
		tip = g.Hash()
	} else if err != nil {
		return nil, err
	}
	err = store.ForEachHeader(func(h *Header, hasBody bool) error {
		hash := h.Hash()
		if h.Height == 0 {
			if hash != p.GenesisHash() {
				return ruleError(ErrBadGenesis, "store holds genesis %s, network %s has %s", hash, p.Name, p.GenesisHash())
			}
			n := c.addNode(h, hash, nil)
			n.hasBody = true
			return nil
		}
		parent := c.index[h.Prev]
		if parent == nil {
			return nil // unreachable from genesis: nothing can build on it
		}
		n := c.addNode(h, hash, parent)
		n.hasBody = hasBody
		return nil
	})
	if err != nil {
		return nil, err
	}
	tn := c.index[tip]
	if tn == nil {
		return nil, fmt.Errorf("chain: store tip %s has no stored header", tip)
	}
	c.main = make([]*node, tn.header.Height+1)
	for n := tn; n != nil; n = n.parent {
		c.main[n.header.Height] = n
	}
	if c.main[0] == nil || c.main[0].hash != p.GenesisHash() {
		return nil, ruleError(ErrBadGenesis, "store tip does not descend from genesis %s", p.GenesisHash())
	}
	// Completeness flows from genesis; index order has parents first.
	c.markComplete(c.main[0])
	// A branch that fails to connect is marked invalid and skipped; only
	// a store failure stops the start.
	if err := c.activateBestChain(&Result{}); err != nil && !IsRuleError(err) {
		return nil, err
	}
	return c, nil
}

// Params returns the network parameters.
func (c *Chain) Params() *Params { return c.p }

func (c *Chain) addNode(h *Header, hash Hash, parent *node) *node {
	c.seq++
	if len(c.slab) == 0 {
		c.slab = make([]node, nodeSlab)
	}
	n := &c.slab[0]
	c.slab = c.slab[1:]
	*n = node{hash: hash, header: *h, parent: parent, seq: c.seq}
	if !c.workKnown || c.workBits != h.Bits {
		// Neighbouring blocks mostly share their bits.
		c.workBits, c.blockWork, c.workKnown = h.Bits, pow.BlockWork(h.Bits), true
	}
	work := c.blockWork
	if parent != nil {
		work = work.Add(parent.work)
		n.sibling, parent.child = parent.child, n
	}
	n.work = work
	c.index[hash] = n
	if c.best == nil || work.Cmp(c.best.work) > 0 {
		c.best = n
	}
	return n
}

// nodeSlab is how many index nodes one allocation holds: a light node
// syncing thousands of headers allocates (and the collector tracks) one
// object per slab instead of one per header.
const nodeSlab = 256

// leafSet is a set of nodes that iterates as a slice: the chain looks for
// its best leaf after every header, and starting an iteration over a map
// costs microseconds in wasm, more than the rest of the search.
type leafSet struct{ nodes []*node }

func (s *leafSet) add(n *node) {
	if n.leaf == 0 {
		s.nodes = append(s.nodes, n)
		n.leaf = len(s.nodes)
	}
}

func (s *leafSet) remove(n *node) {
	if n.leaf == 0 {
		return
	}
	last := s.nodes[len(s.nodes)-1]
	s.nodes[n.leaf-1] = last
	last.leaf = n.leaf
	s.nodes[len(s.nodes)-1] = nil
	s.nodes = s.nodes[:len(s.nodes)-1]
	n.leaf = 0
}

// markComplete sets complete on n and on every descendant whose bodies are
// all present, keeping the leaf set in step.
func (c *Chain) markComplete(n *node) {
	var buf [8]*node // a new header completes itself alone: no allocation
	stack := append(buf[:0], n)
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n.complete || n.invalid || !(n.hasBody || c.headersOnly) {
			continue
		}
		if n.parent != nil && !n.parent.complete {
			continue
		}
		n.complete = true
		c.leaves.add(n)
		if n.parent != nil {
			c.leaves.remove(n.parent)
		}
		for ch := n.child; ch != nil; ch = ch.sibling {
			stack = append(stack, ch)
		}
	}
}

// markInvalid marks n and its descendants invalid and makes n's parent a
// leaf again if no other valid child remains.
func (c *Chain) markInvalid(n *node) {
	stack := []*node{n}
	for len(stack) > 0 {
		m := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		m.invalid = true
		c.leaves.remove(m)
		for ch := m.child; ch != nil; ch = ch.sibling {
			stack = append(stack, ch)
		}
	}
	if c.best.invalid {
		c.best = nil
		for _, m := range c.index {
			if !m.invalid && (c.best == nil || m.work.Cmp(c.best.work) > 0) {
				c.best = m
			}
		}
	}
	if p := n.parent; p != nil && p.complete && !p.invalid {
		for ch := p.child; ch != nil; ch = ch.sibling {
			if ch.complete && !ch.invalid {
				return
			}
		}
		c.leaves.add(p)
	}
}

func (c *Chain) tip() *node { return c.main[len(c.main)-1] }

// bestLeaf is the complete, valid block with the most work; the first seen
// wins a tie.
func (c *Chain) bestLeaf() *node {
	var best *node
	for _, n := range c.leaves.nodes {
		if best == nil {
			best = n
			continue
		}
		switch n.work.Cmp(best.work) {
		case 1:
			best = n
		case 0:
			if n.seq < best.seq {
				best = n
			}
		}
	}
	return best
}

// activateBestChain reorganises to the best leaf until no leaf has more work
// than the tip. A block that fails to connect is marked invalid and the next
// best leaf is tried; the first such rule violation is returned once the
// chain has settled, so the caller learns its block was bad.
func (c *Chain) activateBestChain(res *Result) error {
	var invalid error
	for {
		best := c.bestLeaf()
		tip := c.tip()
		if best == nil || best == tip || best.work.Cmp(tip.work) <= 0 {
			return invalid
		}
		if err := c.reorganize(best, res); err != nil {
			if !IsRuleError(err) {
				return err
			}
			if invalid == nil {
				invalid = err
			}
		}
	}
}

// reorganize disconnects the best chain down to the fork with target's
// branch, then connects that branch up to target, one stored transaction per
// block.
func (c *Chain) reorganize(target *node, res *Result) error {
	fork := target
	for !c.inMain(fork) {
		fork = fork.parent
	}
	for c.tip() != fork {
		n := c.tip()
		b, err := c.loadBlock(n)
		if err != nil {
			return err
		}
		if err := c.store.DisconnectBlock(b); err != nil {
			return err
		}
		c.main = c.main[:len(c.main)-1]
		res.Disconnected = append(res.Disconnected, b)
	}
	var path []*node
	for n := target; n != fork; n = n.parent {
		path = append(path, n)
	}
	for i := len(path) - 1; i >= 0; i-- {
		n := path[i]
		b, err := c.loadBlock(n)
		if err != nil {
			return err
		}
		if !c.headersOnly {
			if err := CheckBlockConnect(c.p, b, c.store); err != nil {
				if IsRuleError(err) {
					c.markInvalid(n)
				}
				return err
			}
		}
		if err := c.store.ConnectBlock(b); err != nil {
			return err
		}
		c.main = append(c.main, n)
		res.Connected = append(res.Connected, b)
	}
	return nil
}

func (c *Chain) inMain(n *node) bool {
	h := n.header.Height
	return h < uint64(len(c.main)) && c.main[h] == n
}

func (c *Chain) loadBlock(n *node) (*Block, error) {
	if c.headersOnly {
		return &Block{Header: n.header}, nil
	}
	b, err := c.store.Block(n.hash)
	if err != nil {
		return nil, fmt.Errorf("chain: load block %s: %w", n.hash, err)
	}
	return b, nil
}

// recentTimes returns the times of parent and its ancestors, at most
// MedianTimeBlocks of them, in buf.
func recentTimes(parent *node, buf *[MedianTimeBlocks]int64) []int64 {
	n := 0
	for p := parent; p != nil && n < MedianTimeBlocks; p = p.parent {
		buf[n] = p.header.Time
		n++
	}
	return buf[:n]
}

// ProcessBlock validates a block and adds it to the tree, reorganising when
// its branch has the most work. A block whose parent is unknown waits in the
// orphan pool (Result.Orphan) and is processed when the parent arrives. now is
// the node's clock in unix seconds.
func (c *Chain) ProcessBlock(b *Block, now int64) (*Result, error) {
	hash := b.Hash()
	if err := c.checkKnown(hash); err != nil {
		return &Result{Hash: hash}, err
	}
	// Signatures dominate the cost; check them without holding the lock.
	sb, err := checkSane(c.p, b, hash, nil)
	if err != nil {
		return &Result{Hash: hash}, err
	}
	return c.ProcessSaneBlock(sb, now)
}

// ProcessSaneBlock is ProcessBlock for a block CheckSane already passed: a
// node verifies the signatures of the next block while this one connects.
func (c *Chain) ProcessSaneBlock(sb *SaneBlock, now int64) (*Result, error) {
	b, hash := sb.block, sb.hash
	res := &Result{Hash: hash}
	if sb.params != c.p {
		return res, fmt.Errorf("chain: block checked for network %s, chain is %s", sb.params.Name, c.p.Name)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.checkKnownLocked(hash); err != nil {
		return res, err
	}
	parent := c.index[b.Header.Prev]
	if parent == nil {
		c.orphans.add(b, hash, now)
		res.Orphan = true
		return res, nil
	}
	if err := c.acceptBlock(b, hash, parent, now); err != nil {
		return res, err
	}
	c.acceptOrphans(hash, now)
	return res, c.activateBestChain(res)
}

// CheckNew returns ErrDuplicateBlock for a block the chain already holds
// (with its body, or as an orphan) and a rule error for one known to be
// invalid; nil means the block is worth checking.
func (c *Chain) CheckNew(hash Hash) error { return c.checkKnown(hash) }

// checkKnown refuses a block the chain already holds: ErrDuplicateBlock, or
// a rule error when the block is known to be invalid (so the sender can be
// penalised without checking it again).
func (c *Chain) checkKnown(hash Hash) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.checkKnownLocked(hash)
}

func (c *Chain) checkKnownLocked(hash Hash) error {
	if n := c.index[hash]; n != nil {
		if n.invalid {
			return ruleError(ErrKnownInvalid, "block %s", hash)
		}
		if n.hasBody || c.headersOnly {
			return ErrDuplicateBlock
		}
	}
	if c.orphans.has(hash) {
		return ErrDuplicateBlock
	}
	return nil
}

// acceptBlock checks a sane block against its parent, stores it and indexes it.
func (c *Chain) acceptBlock(b *Block, hash Hash, parent *node, now int64) error {
	if parent.invalid {
		return ruleError(ErrInvalidParent, "parent %s", parent.hash)
	}
	n := c.index[hash]
	if n == nil {
		var times [MedianTimeBlocks]int64
		if err := checkHeaderContext(c.p, &b.Header, &parent.header, parent.hash, recentTimes(parent, &times), now); err != nil {
			return err
		}
	}
	if err := c.store.PutBlock(b); err != nil {
		return err
	}
	if n == nil {
		n = c.addNode(&b.Header, hash, parent)
	}
	n.hasBody = true
	c.markComplete(n)
	return nil
}

// acceptOrphans connects orphans whose parent has just been accepted, and
// theirs in turn. Orphans that fail are dropped.
func (c *Chain) acceptOrphans(parent Hash, now int64) {
	queue := []Hash{parent}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, o := range c.orphans.takeChildren(p) {
			if err := c.acceptBlock(o.block, o.hash, c.index[p], now); err == nil {
				queue = append(queue, o.hash)
			}
		}
	}
}

// ProcessHeader validates a header against its parent and adds it to the
// index. A light chain connects it at once; a full chain waits for the body
// (ProcessBlock), which lets a full node sync headers first.
func (c *Chain) ProcessHeader(h *Header, now int64) (*Result, error) {
	hash := h.Hash()
	res := &Result{Hash: hash}
	if err := checkHeaderSanity(c.p, h, hash); err != nil {
		return res, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if n := c.index[hash]; n != nil {
		if n.invalid {
			return res, ruleError(ErrKnownInvalid, "block %s", hash)
		}
		return res, ErrDuplicateBlock
	}
	parent := c.index[h.Prev]
	if parent == nil {
		return res, ErrUnknownParent
	}
	if parent.invalid {
		return res, ruleError(ErrInvalidParent, "parent %s", parent.hash)
	}
	var times [MedianTimeBlocks]int64
	if err := checkHeaderContext(c.p, h, &parent.header, parent.hash, recentTimes(parent, &times), now); err != nil {
		return res, err
	}
	if err := c.store.PutHeader(h); err != nil {
		return res, err
	}
	n := c.addNode(h, hash, parent)
	if c.headersOnly {
		c.markComplete(n)
		return res, c.activateBestChain(res)
	}
	return res, nil
}

// Tip describes the last block of the best chain.
type Tip struct {
	Hash   Hash
	Header Header
	Work   *big.Int
}

// Tip returns the best chain's last block.
func (c *Chain) Tip() Tip {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.tip()
	return Tip{Hash: t.hash, Header: t.header, Work: t.work.Big()}
}

// HeaderByHash returns any indexed header.
func (c *Chain) HeaderByHash(hash Hash) (Header, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if n := c.index[hash]; n != nil && !n.invalid {
		return n.header, true
	}
	return Header{}, false
}

// HeaderAt returns the best chain's header at a height.
func (c *Chain) HeaderAt(height uint64) (Header, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if height >= uint64(len(c.main)) {
		return Header{}, false
	}
	return c.main[height].header, true
}

// Confirmations is 1 for the tip, 2 for its parent, and so on; 0 for a block
// not in the best chain.
func (c *Chain) Confirmations(hash Hash) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.index[hash]
	if n == nil || !c.inMain(n) {
		return 0
	}
	return uint64(len(c.main)) - n.header.Height
}

// Block returns a stored block.
func (c *Chain) Block(hash Hash) (*Block, error) { return c.store.Block(hash) }

// HasEvent reports whether an event is confirmed in the best chain.
func (c *Chain) HasEvent(id [32]byte) (bool, error) { return c.store.HasEvent(id) }

// NextParent returns what a miner builds on: the tip and the times of the
// last MedianTimeBlocks blocks up to it.
func (c *Chain) NextParent() (Header, []int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.tip()
	var times [MedianTimeBlocks]int64
	return t.header, slices.Clone(recentTimes(t, &times))
}

// MaxLocatorHashes bounds a block locator: dense for the last 10 blocks, then
// exponentially sparser, so 64 hashes reach back 2^54 blocks.
const MaxLocatorHashes = 64

// Locator returns hashes of the best chain from the tip back to genesis, as
// in Bitcoin: the last ten, then doubling steps, then genesis. A peer finds
// the last one it shares and sends what follows.
func (c *Chain) Locator() []Hash {
	c.mu.Lock()
	defer c.mu.Unlock()
	var loc []Hash
	h := int64(len(c.main) - 1)
	step := int64(1)
	for h > 0 && len(loc) < MaxLocatorHashes-1 {
		loc = append(loc, c.main[h].hash)
		if len(loc) >= 10 {
			step *= 2
		}
		h -= step
	}
	return append(loc, c.main[0].hash)
}

// HeadersAfter serves a locator: up to max headers of the best chain after
// the first locator hash it contains (genesis if none), stopping after stop.
func (c *Chain) HeadersAfter(locator []Hash, stop Hash, max int) []Header {
	c.mu.Lock()
	defer c.mu.Unlock()
	start := uint64(0)
	for _, h := range locator {
		if n := c.index[h]; n != nil && c.inMain(n) {
			start = n.header.Height
			break
		}
	}
	var out []Header
	for h := start + 1; h < uint64(len(c.main)) && len(out) < max; h++ {
		out = append(out, c.main[h].header)
		if c.main[h].hash == stop {
			break
		}
	}
	return out
}

// MissingBodies returns up to max hashes, lowest first, of blocks whose
// headers are on the best header branch but whose bodies are missing: what a
// full node syncing headers first asks its peers for next.
func (c *Chain) MissingBodies(max int) []Hash {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.headersOnly {
		return nil
	}
	best := c.best
	if best.complete || best.work.Cmp(c.tip().work) <= 0 {
		return nil
	}
	var path []Hash
	for n := best; n != nil && !n.complete; n = n.parent {
		if !n.hasBody {
			path = append(path, n.hash)
		}
	}
	// path runs tip-first; the caller wants the lowest heights first.
	out := make([]Hash, 0, min(max, len(path)))
	for i := len(path) - 1; i >= 0 && len(out) < max; i-- {
		out = append(out, path[i])
	}
	return out
}

// IsOrphan reports whether a block waits in the orphan pool.
func (c *Chain) IsOrphan(hash Hash) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.orphans.has(hash)
}

// OrphanCount is the number of blocks waiting for their parent.
func (c *Chain) OrphanCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.orphans.blocks)
}
