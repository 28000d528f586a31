package main

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"syscall/js"

	"postwork/chain"
	"postwork/chain/miner"
	"postwork/chain/pow"
)

// Block mining (issue 6). The page asks the light node for a template
// (mineTemplate), hands the 96-byte header to its Web Workers, which search
// nonces in slices (mineSlice, below), and gives a solution back by template
// id (submitBlock). Only the header crosses to the workers; the body stays
// here, so a template of 5 MB of posts costs the workers nothing.

// maxTemplates bounds the templates kept for submitBlock: the page works on
// one at a time, and a solution for an older one is still worth sending
// while the chain has not moved.
const maxTemplates = 8

// templates holds the last templates given to the page, by id.
type templates struct {
	mu    sync.Mutex
	next  int
	byID  map[string]*chain.Block
	order []string
}

func (t *templates) add(b *chain.Block) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.byID == nil {
		t.byID = make(map[string]*chain.Block)
	}
	t.next++
	id := strconv.Itoa(t.next)
	t.byID[id] = b
	t.order = append(t.order, id)
	if len(t.order) > maxTemplates {
		delete(t.byID, t.order[0])
		t.order = t.order[1:]
	}
	return id
}

func (t *templates) get(id string) (chain.Block, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	b, ok := t.byID[id]
	if !ok {
		return chain.Block{}, false
	}
	return *b, true
}

var mined templates

// installMining adds mineTemplate and submitBlock to globalThis.postwork.
func (p *page) installMining(api map[string]any, fn func(f func(args []js.Value) (any, error)) js.Func) {
	api["mineTemplate"] = fn(func([]js.Value) (any, error) {
		b, work, err := p.node.MiningTemplate(p.wallet.PubKey())
		if err != nil {
			return nil, err
		}
		enc := b.Header.Encode()
		return map[string]any{
			"id":       mined.add(b),
			"header":   hex.EncodeToString(enc[:]),
			"height":   b.Header.Height,
			"prev":     b.Header.Prev.String(),
			"posts":    len(b.Events),
			"expected": work,
			"reward":   strconv.FormatUint(b.Coinbase.Reward, 10),
		}, nil
	})
	api["submitBlock"] = fn(func(args []js.Value) (any, error) {
		b, ok := mined.get(arg(args, 0).String())
		if !ok {
			return nil, errors.New("mined block: unknown or expired template")
		}
		nonce, err := strconv.ParseUint(arg(args, 1).String(), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("mined block: nonce: %w", err)
		}
		b.Header.Nonce = nonce
		if err := pow.CheckProofOfWork(b.Header.Hash(), b.Header.Bits, p.node.Params().PowLimit); err != nil {
			return nil, fmt.Errorf("mined block: %w", err)
		}
		if err := p.node.SubmitBlock(&b); err != nil {
			return nil, err
		}
		return b.Hash().String(), nil
	})
}

// mineSlice(header hex, start nonce as a decimal string, count) tries count
// nonces of the header from start with miner.Scan and returns {found,
// nonce} or {found:false, next}. It runs in a worker, synchronously: a
// slice of 2^18 nonces takes a fraction of a second, after which the worker
// reads its messages (stop, a new template).
func mineSlice(_ js.Value, args []js.Value) (result any) {
	defer func() {
		if r := recover(); r != nil {
			result = map[string]any{"error": fmt.Sprint("internal error: ", r)}
		}
	}()
	res, err := doMineSlice(arg(args, 0).String(), arg(args, 1).String(), arg(args, 2).Int())
	if err != nil {
		return map[string]any{"error": err.Error()}
	}
	return res
}

// maxMineSlice bounds one slice, so a bad argument cannot freeze a worker.
const maxMineSlice = 1 << 26

func doMineSlice(headerHex, startStr string, count int) (map[string]any, error) {
	raw, err := hex.DecodeString(headerHex)
	if err != nil || len(raw) != chain.HeaderSize {
		return nil, fmt.Errorf("mine: header is not %d bytes of hex", chain.HeaderSize)
	}
	h, err := chain.DecodeHeader(raw)
	if err != nil {
		return nil, fmt.Errorf("mine: %w", err)
	}
	if h.Nonce, err = strconv.ParseUint(startStr, 10, 64); err != nil {
		return nil, fmt.Errorf("mine: start nonce: %w", err)
	}
	if count < 1 || count > maxMineSlice {
		return nil, fmt.Errorf("mine: slice of %d nonces, want 1 to %d", count, maxMineSlice)
	}
	ok, err := miner.Scan(&h, uint64(count))
	if err != nil {
		return nil, fmt.Errorf("mine: %w", err)
	}
	if ok {
		return map[string]any{"found": true, "nonce": strconv.FormatUint(h.Nonce, 10)}, nil
	}
	return map[string]any{"found": false, "next": strconv.FormatUint(h.Nonce, 10)}, nil
}
