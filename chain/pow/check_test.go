package pow

import (
	"encoding/hex"
	"errors"
	"math/big"
	"math/rand/v2"
	"testing"
)

// Bitcoin's proof-of-work limit: the target of difficulty 1.
var btcPowLimit = mustHex("00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff")

func mustHash(t testing.TB, s string) [32]byte {
	t.Helper()
	var h [32]byte
	if n, err := hex.Decode(h[:], []byte(s)); err != nil || n != 32 {
		t.Fatalf("bad hash %q", s)
	}
	return h
}

// TestCheckProofOfWorkBitcoinBlocks: real Bitcoin blocks pass when their hash
// is given in display order, which is the big-endian number postwork uses.
func TestCheckProofOfWorkBitcoinBlocks(t *testing.T) {
	blocks := []struct {
		name string
		hash string
		bits uint32
	}{
		{"genesis", "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f", 0x1d00ffff},
		{"block 1", "00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048", 0x1d00ffff},
		{"block 100000", "000000000003ba27aa200b1cecaad478d2b00432346c3f1f3986da1afd33e506", 0x1b04864c},
	}
	for _, b := range blocks {
		h := mustHash(t, b.hash)
		if err := CheckProofOfWork(h, b.bits, btcPowLimit); err != nil {
			t.Errorf("%s: %v", b.name, err)
		}
		// Read little-endian (reversed) the same bytes are far above target:
		// the byte order matters.
		var r [32]byte
		for i := range h {
			r[i] = h[31-i]
		}
		if err := CheckProofOfWork(r, b.bits, btcPowLimit); !errors.Is(err, ErrHighHash) {
			t.Errorf("%s reversed: got %v, want ErrHighHash", b.name, err)
		}
	}
}

// TestCheckProofOfWorkBoundary: a hash equal to the target passes, one more
// fails.
func TestCheckProofOfWorkBoundary(t *testing.T) {
	for _, bits := range []uint32{0x1d00ffff, 0x1b04864c, 0x03123456, 0x01010000, 0x207fffff} {
		limit := mustHex("7fffff" + "0000000000000000000000000000000000000000000000000000000000")
		target, err := TargetBytes(bits)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckProofOfWork(target, bits, limit); err != nil {
			t.Errorf("%#08x: hash == target rejected: %v", bits, err)
		}
		above := new(big.Int).Add(new(big.Int).SetBytes(target[:]), big.NewInt(1))
		var h [32]byte
		above.FillBytes(h[:])
		if err := CheckProofOfWork(h, bits, limit); !errors.Is(err, ErrHighHash) {
			t.Errorf("%#08x: hash == target+1: got %v, want ErrHighHash", bits, err)
		}
		if err := CheckProofOfWork([32]byte{}, bits, limit); err != nil {
			t.Errorf("%#08x: zero hash rejected: %v", bits, err)
		}
	}
}

func TestCheckProofOfWorkErrors(t *testing.T) {
	var zero [32]byte
	cases := []struct {
		name  string
		bits  uint32
		limit *big.Int
		want  []error
	}{
		{"zero target", 0x1d000000, btcPowLimit, []error{ErrBadTarget}},
		{"empty bits", 0, btcPowLimit, []error{ErrBadTarget}},
		{"above limit", 0x1d010000, btcPowLimit, []error{ErrBadTarget}},
		{"negative", 0x1d800001, btcPowLimit, []error{ErrBadTarget, ErrBadCompact}},
		{"overflow", 0x23010000, btcPowLimit, []error{ErrBadTarget, ErrBadCompact}},
		{"nil limit", 0x1d00ffff, nil, []error{ErrBadPowLimit}},
		{"negative limit", 0x1d00ffff, big.NewInt(-1), []error{ErrBadPowLimit}},
		{"limit 2^256", 0x1d00ffff, oneLsh256, []error{ErrBadPowLimit}},
	}
	for _, c := range cases {
		err := CheckProofOfWork(zero, c.bits, c.limit)
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		for _, w := range c.want {
			if !errors.Is(err, w) {
				t.Errorf("%s: %v does not wrap %v", c.name, err, w)
			}
		}
		if errors.Is(err, ErrHighHash) {
			t.Errorf("%s: a bad target must not read as a high hash: %v", c.name, err)
		}
	}
	// The target limit is inclusive.
	if err := CheckProofOfWork(zero, 0x1d00ffff, mustHex("ffff"+"0000000000000000000000000000000000000000000000000000")); err != nil {
		t.Errorf("target equal to the limit rejected: %v", err)
	}
}

// TestHashMeetsTargetAgreesWithBig: the word-wise comparison equals big.Int
// comparison, including hashes that differ from the target in one byte only.
func TestHashMeetsTargetAgreesWithBig(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	rnd := func() (b [32]byte) {
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}
	check := func(h, tg [32]byte) {
		want := new(big.Int).SetBytes(h[:]).Cmp(new(big.Int).SetBytes(tg[:])) <= 0
		if got := HashMeetsTarget(h, tg); got != want {
			t.Fatalf("HashMeetsTarget(%x, %x) = %v, want %v", h, tg, got, want)
		}
	}
	for i := 0; i < 2000; i++ {
		tg := rnd()
		check(rnd(), tg)
		check(tg, tg)
		h := tg
		j := r.IntN(32)
		h[j] ^= 1 << r.IntN(8)
		check(h, tg)
	}
}

// TestLimitBytes: the word-wise conversion of powLimit equals FillBytes for
// values of every length.
func TestLimitBytes(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 5000; i++ {
		var raw [32]byte
		for j := range raw {
			raw[j] = byte(r.Uint32())
		}
		n := new(big.Int).SetBytes(raw[:])
		n.Rsh(n, uint(r.IntN(256)))
		if n.Sign() == 0 {
			continue
		}
		var want [32]byte
		n.FillBytes(want[:])
		got, err := limitBytes(n)
		if err != nil || got != want {
			t.Fatalf("limitBytes(%x) = %x, %v", n, got, err)
		}
	}
}
