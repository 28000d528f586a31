package chain

import (
	"math/big"

	"postwork/chain/pow"
)

// Params are the consensus parameters of one network. Networks differ only in
// these values; the rules are the same code.
type Params struct {
	Name string

	// PowLimit is the easiest target allowed, in compact form.
	PowLimitBits uint32
	PowLimit     *big.Int

	// Genesis block fields. The genesis coinbase pays nobody.
	GenesisTime  int64
	GenesisBits  uint32
	GenesisNonce uint64
	GenesisExtra string

	// TargetSpacing is the block interval the difficulty rule aims for, and
	// HalfLife how quickly it reacts (ASERT: the target doubles when blocks
	// are HalfLife seconds behind schedule), both in seconds.
	TargetSpacing int64
	HalfLife      int64

	// MaxFutureDrift bounds how far a block's time may run ahead of the
	// validating node's clock; MaxEventDrift how far an event's created_at may
	// run ahead of the block that confirms it.
	MaxFutureDrift int64
	MaxEventDrift  int64

	// Rewards: InitialReward units per block, halved every HalvingInterval blocks.
	InitialReward   uint64
	HalvingInterval uint64

	// Consensus limits on a block body; at most the absolute decoder bounds.
	MaxBlockBody   int
	MaxBlockEvents int

	// DefaultMinPostBits is the NIP-13 work a node asks of posts unless
	// configured otherwise (policy, not consensus).
	DefaultMinPostBits int

	genesis *Block
	hash    Hash
}

// MedianTimeBlocks is how many previous block times the median-time-past rule
// looks at.
const MedianTimeBlocks = 11

// CoinUnits is the number of reward units in one coin.
const CoinUnits = 100_000_000

func newParams(p Params) *Params {
	limit, err := pow.CompactToBig(p.PowLimitBits)
	if err != nil {
		panic("chain: bad PowLimitBits for " + p.Name + ": " + err.Error())
	}
	p.PowLimit = limit
	g := &Block{
		Header: Header{
			Version: 1,
			Height:  0,
			Time:    p.GenesisTime,
			Bits:    p.GenesisBits,
			Nonce:   p.GenesisNonce,
		},
		Coinbase: Coinbase{Extra: []byte(p.GenesisExtra)},
	}
	g.Header.Merkle = g.ComputeMerkle()
	p.genesis = g
	p.hash = g.Hash()
	return &p
}

// Genesis returns the network's first block. Callers must not modify it.
func (p *Params) Genesis() *Block { return p.genesis }

// GenesisHash identifies the network.
func (p *Params) GenesisHash() Hash { return p.hash }

// Reward is the most a block at this height may pay its miner.
func (p *Params) Reward(height uint64) uint64 {
	if p.HalvingInterval == 0 {
		return p.InitialReward
	}
	halvings := height / p.HalvingInterval
	if halvings >= 64 {
		return 0
	}
	return p.InitialReward >> halvings
}

// Networks. MainNet aims at one block a minute; DevNet is easy enough that a
// browser tab finds a block in a second or two; TestNet makes almost every
// hash a valid block so unit tests mine instantly.
var (
	MainNet = newParams(Params{
		Name:               "main",
		PowLimitBits:       0x1e00ffff, // about 2^232: 16 M hashes per block at least
		GenesisTime:        1795219200, // 2026-11-21 00:00:00 UTC
		GenesisBits:        0x1e00ffff,
		GenesisNonce:       mainGenesisNonce,
		GenesisExtra:       "postwork main: signed posts, mined in the browser",
		TargetSpacing:      60,
		HalfLife:           60 * pow.DefaultHalfLifeBlocks,
		MaxFutureDrift:     120,
		MaxEventDrift:      3600,
		InitialReward:      50 * CoinUnits,
		HalvingInterval:    1_051_200, // two years of blocks
		MaxBlockBody:       2 << 20,
		MaxBlockEvents:     5000,
		DefaultMinPostBits: 16,
	})
	DevNet = newParams(Params{
		Name:               "dev",
		PowLimitBits:       0x1f0fffff, // about 2^244: 4096 hashes per block at least
		GenesisTime:        1795219200,
		GenesisBits:        0x1e0fffff, // about 2^236: a million hashes, a second in a browser
		GenesisNonce:       devGenesisNonce,
		GenesisExtra:       "postwork dev",
		TargetSpacing:      5,
		HalfLife:           5 * pow.DefaultHalfLifeBlocks,
		MaxFutureDrift:     120,
		MaxEventDrift:      3600,
		InitialReward:      50 * CoinUnits,
		HalvingInterval:    0,
		MaxBlockBody:       2 << 20,
		MaxBlockEvents:     5000,
		DefaultMinPostBits: 8,
	})
	TestNet = newParams(Params{
		Name:               "test",
		PowLimitBits:       0x207fffff, // half of all hashes meet it
		GenesisTime:        1795219200,
		GenesisBits:        0x207fffff,
		GenesisNonce:       testGenesisNonce,
		GenesisExtra:       "postwork test",
		TargetSpacing:      1,
		HalfLife:           1 * pow.DefaultHalfLifeBlocks,
		MaxFutureDrift:     120,
		MaxEventDrift:      3600,
		InitialReward:      50 * CoinUnits,
		HalvingInterval:    150,
		MaxBlockBody:       MaxBlockBodySize,
		MaxBlockEvents:     MaxBlockEvents,
		DefaultMinPostBits: 0,
	})
)

// Networks lists the known networks by name.
var Networks = map[string]*Params{"main": MainNet, "dev": DevNet, "test": TestNet}

// Genesis nonces, found once (see TestGenesisNonces) and fixed here.
const (
	mainGenesisNonce = 19766778
	devGenesisNonce  = 1084247
	testGenesisNonce = 3
)
