package pow

import (
	"bufio"
	"errors"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// BCH main-net parameters, under which the published vectors were generated.
const (
	bchSpacing  = 600
	bchHalfLife = 2 * 24 * 3600
)

var bchPowLimit = mustHex("00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff")

func mustHex(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("bad hex " + s)
	}
	return n
}

type asertVector struct {
	line         int
	height, time uint64
	bits         uint32
}

type asertRun struct {
	name         string
	anchorHeight uint64
	anchorTime   int64 // the anchor's parent ("ancestor") time
	anchorBits   uint32
	iterations   int
	vectors      []asertVector
}

func parseUint32Hex(s string) (uint32, error) {
	v, err := strconv.ParseUint(strings.TrimPrefix(s, "0x"), 16, 32)
	return uint32(v), err
}

func loadASERTRun(t *testing.T, path string) asertRun {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	run := asertRun{name: filepath.Base(path)}
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
			continue
		case strings.HasPrefix(line, "##"):
			key, val, ok := strings.Cut(strings.TrimSpace(line[2:]), ":")
			if !ok {
				continue
			}
			val = strings.TrimSpace(val)
			var err error
			switch key {
			case "anchor height":
				run.anchorHeight, err = strconv.ParseUint(val, 10, 64)
			case "anchor ancestor time":
				run.anchorTime, err = strconv.ParseInt(val, 10, 64)
			case "anchor nBits":
				run.anchorBits, err = parseUint32Hex(val)
			case "iterations":
				run.iterations, err = strconv.Atoi(val)
			default:
				continue
			}
			if err != nil {
				t.Fatalf("%s:%d: %v", path, n, err)
			}
			seen[key] = true
		case strings.HasPrefix(line, "#"):
			continue
		default:
			f := strings.Fields(line)
			if len(f) != 4 {
				t.Fatalf("%s:%d: want 4 fields, got %q", path, n, line)
			}
			h, err1 := strconv.ParseUint(f[1], 10, 64)
			tm, err2 := strconv.ParseUint(f[2], 10, 64)
			b, err3 := parseUint32Hex(f[3])
			if err := errors.Join(err1, err2, err3); err != nil {
				t.Fatalf("%s:%d: %v", path, n, err)
			}
			run.vectors = append(run.vectors, asertVector{line: n, height: h, time: tm, bits: b})
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"anchor height", "anchor ancestor time", "anchor nBits", "iterations"} {
		if !seen[k] {
			t.Fatalf("%s: header %q missing", path, k)
		}
	}
	if len(run.vectors) != run.iterations {
		t.Fatalf("%s: header says %d iterations, file has %d", path, run.iterations, len(run.vectors))
	}
	return run
}

// TestASERTVectors checks every line of the published aserti3-2d vectors.
func TestASERTVectors(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "asert", "run*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 10 {
		t.Fatalf("want the 10 vector files, found %d", len(paths))
	}
	total := 0
	for _, p := range paths {
		run := loadASERTRun(t, p)
		t.Run(run.name, func(t *testing.T) {
			fails := 0
			for _, v := range run.vectors {
				heightDiff := int64(v.height - run.anchorHeight) // run10 passes 2^63: subtract unsigned
				timeDiff := int64(v.time) - run.anchorTime
				got, err := ASERT(run.anchorBits, timeDiff, heightDiff, bchSpacing, bchHalfLife, bchPowLimit)
				if err != nil || got != v.bits {
					t.Errorf("line %d (height %d time %d): got %#08x, %v; want %#08x", v.line, v.height, v.time, got, err, v.bits)
					if fails++; fails > 5 {
						t.FailNow()
					}
				}
			}
		})
		total += len(run.vectors)
	}
	t.Logf("%d vectors checked", total)
}

// TestASERTOnSchedule: blocks exactly on time keep the anchor's target, for
// any anchor, which is what makes the rule absolutely scheduled.
func TestASERTOnSchedule(t *testing.T) {
	for _, bits := range []uint32{0x1d00ffff, 0x1a2b3c4d, 0x1802aee8, 0x01010000, 0x03123456} {
		for _, h := range []int64{0, 1, 7, 1000, 1 << 40} {
			got, err := ASERT(bits, bchSpacing*(h+1), h, bchSpacing, bchHalfLife, bchPowLimit)
			if err != nil || got != bits {
				t.Errorf("bits %#08x height %d: got %#08x, %v", bits, h, got, err)
			}
		}
	}
}

// TestASERTHalfLife: one half-life behind schedule doubles the target, one
// ahead halves it (up to the polynomial and the compact rounding).
func TestASERTHalfLife(t *testing.T) {
	const anchor = 0x1a2b3c4d
	base, _ := CompactToBig(anchor)
	for k := int64(-6); k <= 6; k++ {
		got, err := ASERT(anchor, bchSpacing+k*bchHalfLife, 0, bchSpacing, bchHalfLife, bchPowLimit)
		if err != nil {
			t.Fatal(err)
		}
		want := new(big.Int).Set(base)
		if k >= 0 {
			want.Lsh(want, uint(k))
		} else {
			want.Rsh(want, uint(-k))
		}
		if g, w := BigToCompact(mustBig(t, got)), BigToCompact(want); g != w {
			t.Errorf("%d half-lives: got %#08x, want %#08x", k, g, w)
		}
	}
}

func mustBig(t *testing.T, bits uint32) *big.Int {
	t.Helper()
	n, err := CompactToBig(bits)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestASERTPolynomial checks the fixed-point 2^x against the specification's
// stated accuracy (error below 0.013%) and that it is monotonic, over every
// one of the 65536 fractional exponents.
func TestASERTPolynomial(t *testing.T) {
	// A large anchor keeps the compact rounding (23 bits) far below the 0.013%
	// being tested; powLimit is out of the way.
	limit := new(big.Int).Lsh(big.NewInt(1), 255)
	const anchor = 0x1c7fffff // mantissa 0x7fffff: full precision
	base := mustBig(t, anchor)
	var prev *big.Int
	worst := 0.0
	for frac := int64(0); frac < 1<<16; frac++ {
		// exponent = frac exactly: timeDiff − spacing = frac·halfLife/65536
		// with halfLife = 65536 s.
		got, err := ASERT(anchor, 1+frac, 0, 1, 1<<16, limit)
		if err != nil {
			t.Fatal(err)
		}
		g := mustBig(t, got)
		if prev != nil && g.Cmp(prev) < 0 {
			t.Fatalf("not monotonic at frac %d", frac)
		}
		prev = g
		ratio, _ := new(big.Rat).SetFrac(g, base).Float64()
		rel := math.Abs(ratio/math.Exp2(float64(frac)/65536) - 1)
		worst = max(worst, rel)
	}
	// 0.013% for the polynomial, plus up to 2^-15 of compact truncation.
	if worst > 0.00013+1.0/(1<<15) {
		t.Errorf("worst relative error %.6f%%, spec says below 0.013%%", worst*100)
	}
	t.Logf("worst relative error of 2^x over all 65536 fractions: %.5f%%", worst*100)
}

// TestASERTClamps: however far ahead or behind, the target stays in
// 1..powLimit, and the extremes are reached exactly.
func TestASERTClamps(t *testing.T) {
	limitBits := BigToCompact(bchPowLimit)
	cases := []struct {
		name               string
		timeDiff, heightDf int64
		want               uint32
	}{
		{"far behind", math.MaxInt64, 0, limitBits},
		{"far ahead", math.MinInt64, 0, 0x01010000},
		{"many blocks, no time", 0, math.MaxInt64, 0x01010000},
		{"max height and max time", math.MaxInt64, math.MaxInt64, 0x01010000},
		{"257 half-lives late", 600 + 257*bchHalfLife, 0, limitBits},
		{"257 half-lives early", 600 - 257*bchHalfLife, 0, 0x01010000},
	}
	for _, c := range cases {
		got, err := ASERT(0x1802aee8, c.timeDiff, c.heightDf, bchSpacing, bchHalfLife, bchPowLimit)
		if err != nil || got != c.want {
			t.Errorf("%s: got %#08x, %v; want %#08x", c.name, got, err, c.want)
		}
	}
}

// TestASERTLargeInputsExact: the overflow-free path agrees with the int64 path
// on the boundary between them.
func TestASERTLargeInputsExact(t *testing.T) {
	for _, d := range []int64{1<<46 - 1, 1 << 46, 1<<46 + 1} {
		for _, sign := range []int64{1, -1} {
			td := sign * d
			hl := int64(1) << 60 // keeps the exponent small despite a huge timeDiff
			got, err := ASERT(0x1a2b3c4d, td, 0, 1, hl, bchPowLimit)
			if err != nil {
				t.Fatal(err)
			}
			// Reference with big.Rat: trunc((td−1)·65536/hl).
			e := new(big.Int).Quo(new(big.Int).Lsh(big.NewInt(td-1), 16), big.NewInt(hl)).Int64()
			want := asertFromExponent(t, 0x1a2b3c4d, e, bchPowLimit)
			if got != want {
				t.Errorf("timeDiff %d: got %#08x want %#08x", td, got, want)
			}
		}
	}
}

// asertFromExponent is a direct big-integer transcription of the
// specification's target computation for a given fixed-point exponent.
func asertFromExponent(t *testing.T, anchorBits uint32, exponent int64, limit *big.Int) uint32 {
	t.Helper()
	shifts := exponent >> 16
	frac := new(big.Int).SetInt64(exponent - shifts<<16)
	f2 := new(big.Int).Mul(frac, frac)
	f3 := new(big.Int).Mul(f2, frac)
	poly := new(big.Int).Mul(big.NewInt(195766423245049), frac)
	poly.Add(poly, new(big.Int).Mul(big.NewInt(971821376), f2))
	poly.Add(poly, new(big.Int).Mul(big.NewInt(5127), f3))
	poly.Add(poly, new(big.Int).Lsh(big.NewInt(1), 47))
	poly.Rsh(poly, 48)
	factor := poly.Add(poly, big.NewInt(65536))
	n := new(big.Int).Mul(mustBig(t, anchorBits), factor)
	if s := shifts - 16; s < 0 {
		n.Rsh(n, uint(-s))
	} else {
		n.Lsh(n, uint(s))
	}
	if n.Sign() == 0 {
		n.SetInt64(1)
	}
	if n.Cmp(limit) > 0 {
		n.Set(limit)
	}
	return BigToCompact(n)
}

func TestASERTErrors(t *testing.T) {
	cases := []struct {
		name                              string
		bits                              uint32
		timeDiff, heightDiff, spacing, hl int64
		limit                             *big.Int
		want                              error
	}{
		{"zero spacing", 0x1d00ffff, 600, 0, 0, bchHalfLife, bchPowLimit, ErrBadASERTParams},
		{"negative half-life", 0x1d00ffff, 600, 0, 600, -1, bchPowLimit, ErrBadASERTParams},
		{"parent below anchor", 0x1d00ffff, 600, -1, 600, bchHalfLife, bchPowLimit, ErrBadASERTParams},
		{"zero anchor", 0x1d000000, 600, 0, 600, bchHalfLife, bchPowLimit, ErrBadTarget},
		{"negative anchor", 0x1d800001, 600, 0, 600, bchHalfLife, bchPowLimit, ErrBadTarget},
		{"overflowing anchor", 0x23010000, 600, 0, 600, bchHalfLife, bchPowLimit, ErrBadTarget},
		{"anchor above limit", 0x1d010000, 600, 0, 600, bchHalfLife, bchPowLimit, ErrBadTarget},
		{"nil limit", 0x1d00ffff, 600, 0, 600, bchHalfLife, nil, ErrBadPowLimit},
		{"zero limit", 0x1d00ffff, 600, 0, 600, bchHalfLife, new(big.Int), ErrBadPowLimit},
		{"limit of 2^256", 0x1d00ffff, 600, 0, 600, bchHalfLife, oneLsh256, ErrBadPowLimit},
	}
	for _, c := range cases {
		_, err := ASERT(c.bits, c.timeDiff, c.heightDiff, c.spacing, c.hl, c.limit)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
	_, err := ASERT(0x1d800001, 600, 0, 600, bchHalfLife, bchPowLimit)
	if !errors.Is(err, ErrBadCompact) {
		t.Errorf("negative anchor should also wrap ErrBadCompact: %v", err)
	}
}
