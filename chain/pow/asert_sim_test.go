package pow

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// This file simulates a network mining under ASERT: each block's solve time
// is drawn from the exponential distribution with mean work(target)/hashrate,
// timestamps are whole seconds, and every target comes from ASERT itself, as
// a validating node would compute it. The sampling uses floats; that is test
// scaffolding, the targets are exact.

type simNet struct {
	spacing  int64 // target spacing, seconds
	halfLife int64 // seconds
	limit    *big.Int
	anchor   uint32 // bits of the genesis block, the anchor
	rng      *rand.Rand

	times []int64  // header times; times[0] is the genesis (anchor) block
	bits  []uint32 // bits[i] is block i's target
	clock float64  // real time of the latest block
}

const simGenesisTime = 1_700_000_000

// simH0 is the starting hashrate (hashes per second); the genesis target is
// set so that it yields one block per spacing.
const simH0 = 1 << 24

func newSimNet(t testing.TB, seed uint64, spacing, halfLifeBlocks int64) *simNet {
	limit := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(1))
	t0 := new(big.Int).Quo(oneLsh256, big.NewInt(simH0*spacing))
	return &simNet{
		spacing:  spacing,
		halfLife: halfLifeBlocks * spacing,
		limit:    limit,
		anchor:   BigToCompact(t0),
		rng:      rand.New(rand.NewPCG(seed, 0x706f7377)),
		times:    []int64{simGenesisTime},
		bits:     []uint32{BigToCompact(t0)},
		clock:    simGenesisTime,
	}
}

// mine appends one block found at the given hashrate.
func (s *simNet) mine(t testing.TB, hashrate float64) {
	parent := len(s.times) - 1
	// The genesis block has no parent: its "parent time" is one spacing
	// before it, so that a chain on schedule keeps the genesis target.
	anchorParentTime := int64(simGenesisTime) - s.spacing
	bits, err := ASERT(s.anchor, s.times[parent]-anchorParentTime, int64(parent), s.spacing, s.halfLife, s.limit)
	if err != nil {
		t.Fatal(err)
	}
	work, _ := new(big.Float).SetInt(CalcWork(bits)).Float64()
	s.clock += s.rng.ExpFloat64() * work / hashrate
	s.times = append(s.times, int64(math.Floor(s.clock)))
	s.bits = append(s.bits, bits)
}

// meanInterval returns the mean block interval over blocks (from, to], in
// target spacings.
func (s *simNet) meanInterval(from, to int) float64 {
	return float64(s.times[to]-s.times[from]) / float64(to-from) / float64(s.spacing)
}

// log2Target returns log2 of block i's target.
func (s *simNet) log2Target(i int) float64 {
	f, _ := new(big.Float).SetInt(mustBigTB(s.bits[i])).Float64()
	return math.Log2(f)
}

func mustBigTB(bits uint32) *big.Int {
	n, err := CompactToBig(bits)
	if err != nil {
		panic(err)
	}
	return n
}

type simStep struct {
	warm, after   float64 // mean interval in spacings: before the change, over the 1000 blocks after
	offset        float64 // schedule offset gained over the 1000 blocks, in spacings
	settleBlocks  int     // blocks until the target is within 25% of its new equilibrium
	steadyJitter  float64 // standard deviation of the target at steady hashrate, relative
	firstHundredT float64 // time to mine the first 100 blocks after the change, in spacings
}

const (
	simWarm  = 300
	simAfter = 1000
)

// simulateStep mines simWarm blocks at simH0, then simAfter blocks at
// ratio·simH0.
func simulateStep(t testing.TB, seed uint64, spacing, halfLifeBlocks int64, ratio float64) simStep {
	s := newSimNet(t, seed, spacing, halfLifeBlocks)
	for i := 0; i < simWarm; i++ {
		s.mine(t, simH0)
	}
	for i := 0; i < simAfter; i++ {
		s.mine(t, simH0*ratio)
	}
	var r simStep
	// Skip the first half-life-ish blocks of the warm-up, which start from an
	// exactly matched target.
	r.warm = s.meanInterval(simWarm/3, simWarm)
	r.after = s.meanInterval(simWarm, simWarm+simAfter)
	r.offset = float64(s.times[simWarm+simAfter]-s.times[simWarm])/float64(spacing) - simAfter
	r.firstHundredT = float64(s.times[simWarm+100]-s.times[simWarm]) / float64(spacing)

	// Equilibrium after the change: the genesis target divided by the ratio.
	eq := s.log2Target(0) - math.Log2(ratio)
	r.settleBlocks = -1
	for i := simWarm + 1; i <= simWarm+simAfter; i++ {
		if math.Abs(s.log2Target(i)-eq) < math.Log2(1.25) {
			r.settleBlocks = i - simWarm
			break
		}
	}
	// Jitter: spread of log2(target) over the second half of the run, where
	// the hashrate has long been steady.
	var sum, sq float64
	n := 0
	for i := simWarm + simAfter/2; i <= simWarm+simAfter; i++ {
		v := s.log2Target(i)
		sum += v
		sq += v * v
		n++
	}
	mean := sum / float64(n)
	r.steadyJitter = math.Exp2(math.Sqrt(sq/float64(n)-mean*mean)) - 1
	return r
}

// TestASERTSimulationRecommended is the behaviour a user notices: with the
// recommended half-life, after the network's hashrate is multiplied or
// divided by 10 the mean block interval over the next 1000 blocks stays
// within 10% of the target spacing, for several spacings and seeds.
func TestASERTSimulationRecommended(t *testing.T) {
	spacings := []int64{2, 15, 60, 600}
	if testing.Short() {
		spacings = []int64{15}
	}
	for _, spacing := range spacings {
		for seed := uint64(1); seed <= 3; seed++ {
			for _, ratio := range []float64{10, 0.1} {
				name := fmt.Sprintf("spacing=%ds/seed=%d/hashrate×%g", spacing, seed, ratio)
				r := simulateStep(t, seed, spacing, DefaultHalfLifeBlocks, ratio)
				t.Logf("%s: mean interval %.3f before, %.3f over the next 1000 blocks; schedule offset %+.1f spacings",
					name, r.warm, r.after, r.offset)
				if math.Abs(r.warm-1) > 0.10 {
					t.Errorf("%s: steady mean interval %.3f spacings before the change", name, r.warm)
				}
				if math.Abs(r.after-1) > 0.10 {
					t.Errorf("%s: mean interval %.3f spacings over the 1000 blocks after the change, want within 10%%", name, r.after)
				}
				// The permanent schedule offset ASERT needs to settle at the
				// new hashrate is halfLife·log2(ratio) (negative when faster).
				// Noise is a few spacings; allow a third of it.
				want := -float64(DefaultHalfLifeBlocks) * math.Log2(ratio)
				if math.Abs(r.offset-want) > math.Abs(want)/3 {
					t.Errorf("%s: schedule offset %.1f spacings, theory %.1f", name, r.offset, want)
				}
			}
		}
	}
}

// TestASERTSimulationHalfLives measures the trade-off behind
// DefaultHalfLifeBlocks (run with -v to see the table) and checks its two
// sides: a long half-life (64 spacings) drifts beyond 10% after a 10× jump,
// a short one (4 spacings) is much noisier than the recommended one.
func TestASERTSimulationHalfLives(t *testing.T) {
	const spacing = 60
	halfLives := []int64{4, 8, 16, 24, 32, 64}
	type row struct{ up, down simStep }
	rows := map[int64]row{}
	t.Logf("spacing %ds; means over the 1000 blocks after a change, in spacings; seed 1", spacing)
	t.Logf("%9s | %8s %8s %8s %8s | %8s %8s %8s %8s | %7s", "half-life",
		"×10 mean", "offset", "settle", "100 blk", "÷10 mean", "offset", "settle", "100 blk", "jitter")
	for _, hl := range halfLives {
		up := simulateStep(t, 1, spacing, hl, 10)
		down := simulateStep(t, 1, spacing, hl, 0.1)
		rows[hl] = row{up, down}
		t.Logf("%9d | %8.3f %8.1f %8d %8.1f | %8.3f %8.1f %8d %8.1f | %6.1f%%", hl,
			up.after, up.offset, up.settleBlocks, up.firstHundredT,
			down.after, down.offset, down.settleBlocks, down.firstHundredT,
			100*(up.steadyJitter+down.steadyJitter)/2)
	}
	if r := rows[64]; math.Abs(r.up.after-1) <= 0.10 {
		t.Errorf("half-life 64: mean %.3f after a 10× jump; the schedule offset should exceed 10%%", r.up.after)
	}
	rec, short := rows[DefaultHalfLifeBlocks], rows[4]
	if short.up.steadyJitter < 1.5*rec.up.steadyJitter {
		t.Errorf("half-life 4 jitter %.3f not clearly above the recommended %.3f", short.up.steadyJitter, rec.up.steadyJitter)
	}
}
