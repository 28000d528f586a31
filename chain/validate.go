package chain

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"postwork/chain/nostr"
	"postwork/chain/pow"
)

// Validation runs in stages, cheapest and least contextual first, as in btcd:
//
//  1. CheckHeaderSanity: the header alone (version, proof of work).
//  2. CheckHeaderContext: against its parent and recent times (linkage,
//     height, difficulty rule, median time past, future drift). A light node
//     stops here.
//  3. CheckBlockSanity: the body alone (limits, coinbase, Merkle root,
//     signatures, duplicates within the block).
//  4. CheckBlockConnect: against the chain it extends (no event twice in the
//     chain, reward).

// HeaderVersion is the only header version this code knows.
const HeaderVersion = 1

// CheckHeaderSanity checks what a header proves on its own.
func CheckHeaderSanity(p *Params, h *Header) error { return checkHeaderSanity(p, h, h.Hash()) }

// checkHeaderSanity is CheckHeaderSanity for a caller that has hashed the
// header already: a light node syncing thousands of headers hashes each once.
func checkHeaderSanity(p *Params, h *Header, hash Hash) error {
	if h.Version != HeaderVersion {
		return ruleError(ErrBadVersion, "version %d", h.Version)
	}
	if err := pow.CheckProofOfWork(hash, h.Bits, p.PowLimit); err != nil {
		if errors.Is(err, pow.ErrHighHash) {
			return ruleError(ErrBadPoW, "block %s, bits %08x", hash, h.Bits)
		}
		return ruleError(ErrBadTarget, "bits %08x: %v", h.Bits, err)
	}
	return nil
}

// NextBits is the target a child of parent must carry: ASERT anchored at the
// genesis block, so it depends only on the parent's height and time. The
// genesis block's own parent time is taken as GenesisTime - TargetSpacing,
// which makes block 1 carry the genesis target when it is on schedule.
func NextBits(p *Params, parent *Header) (uint32, error) {
	timeDiff := parent.Time - (p.GenesisTime - p.TargetSpacing)
	heightDiff := int64(parent.Height)
	if heightDiff < 0 {
		return 0, fmt.Errorf("height %d out of range", parent.Height)
	}
	return pow.ASERT(p.GenesisBits, timeDiff, heightDiff, p.TargetSpacing, p.HalfLife, p.PowLimit)
}

// MedianTime returns the median of up to MedianTimeBlocks recent block times
// (the median time past). times need not be sorted.
func MedianTime(times []int64) int64 {
	if len(times) == 0 {
		return 0
	}
	if len(times) > MedianTimeBlocks {
		times = times[len(times)-MedianTimeBlocks:]
	}
	var buf [MedianTimeBlocks]int64 // on the stack: this runs for every header
	s := buf[:copy(buf[:], times)]
	slices.Sort(s)
	return s[len(s)/2]
}

// afterMedian reports whether t > MedianTime(times) without sorting: the
// median of n times is the one at index n/2 once sorted, and t exceeds it
// exactly when more than n/2 of the times are below t. This runs for every
// header a light node syncs.
func afterMedian(t int64, times []int64) bool {
	if len(times) == 0 {
		return t > 0
	}
	if len(times) > MedianTimeBlocks {
		times = times[len(times)-MedianTimeBlocks:]
	}
	below := 0
	for _, x := range times {
		if x < t {
			below++
		}
	}
	return below > len(times)/2
}

// MinTime is the earliest time a child of the blocks with these times may carry.
func MinTime(prevTimes []int64) int64 { return MedianTime(prevTimes) + 1 }

// CheckHeaderContext checks a header against its parent. prevTimes are the
// times of the last blocks up to and including the parent (at most
// MedianTimeBlocks are used); now is the validating node's clock.
func CheckHeaderContext(p *Params, h, parent *Header, prevTimes []int64, now int64) error {
	return checkHeaderContext(p, h, parent, parent.Hash(), prevTimes, now)
}

func checkHeaderContext(p *Params, h, parent *Header, parentHash Hash, prevTimes []int64, now int64) error {
	if h.Prev != parentHash {
		return ruleError(ErrBadPrev, "prev %s", h.Prev)
	}
	if h.Height != parent.Height+1 {
		return ruleError(ErrBadHeight, "height %d after %d", h.Height, parent.Height)
	}
	want, err := NextBits(p, parent)
	if err != nil {
		return err
	}
	if h.Bits != want {
		return ruleError(ErrBadBits, "bits %08x, want %08x", h.Bits, want)
	}
	if !afterMedian(h.Time, prevTimes) {
		return ruleError(ErrTimeTooOld, "time %d, median time past %d", h.Time, MedianTime(prevTimes))
	}
	if h.Time > now+p.MaxFutureDrift {
		return ruleError(ErrTimeTooNew, "time %d is %d s ahead of now %d (limit %d s)", h.Time, h.Time-now, now, p.MaxFutureDrift)
	}
	return nil
}

// CheckBlockSanity checks everything about a block that needs no chain
// context: header sanity, limits, coinbase, Merkle root, and each event's id,
// limits and signature. Signatures are checked on all cores.
func CheckBlockSanity(p *Params, b *Block) error {
	return checkBlockSanity(p, b, b.Hash(), nil)
}

func checkBlockSanity(p *Params, b *Block, hash Hash, known Verified) error {
	if err := checkHeaderSanity(p, &b.Header, hash); err != nil {
		return err
	}
	return checkBody(p, b, known)
}

func checkBody(p *Params, b *Block, known Verified) error {
	if len(b.Events) > p.MaxBlockEvents {
		return ruleError(ErrTooManyEvents, "%d events, limit %d", len(b.Events), p.MaxBlockEvents)
	}
	if len(b.Coinbase.Extra) > MaxCoinbaseExtra {
		return ruleError(ErrBadCoinbase, "extra is %d bytes, limit %d", len(b.Coinbase.Extra), MaxCoinbaseExtra)
	}
	size := len(b.Coinbase.AppendBinary(nil))
	seen := make(map[[32]byte]struct{}, len(b.Events))
	var buf []byte
	for i, e := range b.Events {
		if e.CreatedAt > b.Header.Time+p.MaxEventDrift {
			return ruleError(ErrEventTooNew, "event %d (%x) created at %d, block time %d", i, e.ID, e.CreatedAt, b.Header.Time)
		}
		if _, dup := seen[e.ID]; dup {
			return ruleError(ErrDuplicateEvent, "event %x", e.ID)
		}
		seen[e.ID] = struct{}{}
		buf = e.AppendBinary(buf[:0])
		size += len(buf)
	}
	if size > p.MaxBlockBody {
		return ruleError(ErrBodyTooLarge, "body of at least %d bytes, limit %d", size, p.MaxBlockBody)
	}
	if root := b.ComputeMerkle(); root != b.Header.Merkle {
		return ruleError(ErrBadMerkle, "header has %s, body gives %s", b.Header.Merkle, root)
	}
	return verifyEvents(b.Events, known)
}

// verifyEvents checks ids and signatures on GOMAXPROCS goroutines (one in
// wasm). It reports the lowest-indexed failure so the error is deterministic.
func verifyEvents(events []*nostr.Event, known Verified) error {
	workers := min(runtime.GOMAXPROCS(0), len(events))
	if workers <= 1 {
		for i, e := range events {
			if err := verifyEvent(e, known); err != nil {
				return ruleError(ErrBadEvent, "event %d (%x): %v", i, e.ID, err)
			}
		}
		return nil
	}
	errs := make([]error, len(events))
	var wg sync.WaitGroup
	var next sync.Mutex
	cursor := 0
	const chunk = 16
	for range workers {
		wg.Go(func() {
			for {
				next.Lock()
				start := cursor
				cursor += chunk
				next.Unlock()
				if start >= len(events) {
					return
				}
				for i := start; i < min(start+chunk, len(events)); i++ {
					errs[i] = verifyEvent(events[i], known)
				}
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return ruleError(ErrBadEvent, "event %d (%x): %v", i, events[i].ID, err)
		}
	}
	return nil
}

// EventIndex answers whether an event is already in the chain a block extends.
type EventIndex interface {
	HasEvent(id [32]byte) (bool, error)
}

// CheckBlockConnect checks a sane block against the chain it extends: the
// coinbase claims no more than the reward, and no event is in the chain
// already. Errors from idx are returned as they are (they are not rule
// violations).
func CheckBlockConnect(p *Params, b *Block, idx EventIndex) error {
	if limit := p.Reward(b.Header.Height); b.Coinbase.Reward > limit {
		return ruleError(ErrBadReward, "claims %d, reward at height %d is %d", b.Coinbase.Reward, b.Header.Height, limit)
	}
	for _, e := range b.Events {
		in, err := idx.HasEvent(e.ID)
		if err != nil {
			return err
		}
		if in {
			return ruleError(ErrEventInChain, "event %x", e.ID)
		}
	}
	return nil
}
