package pow

import (
	"math/big"
	"testing"
)

func BenchmarkCheckProofOfWork(b *testing.B) {
	h := mustHash(b, "000000000003ba27aa200b1cecaad478d2b00432346c3f1f3986da1afd33e506")
	b.ReportAllocs()
	for b.Loop() {
		if err := CheckProofOfWork(h, 0x1b04864c, btcPowLimit); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "headers/s")
}

func BenchmarkHashMeetsTarget(b *testing.B) {
	h := mustHash(b, "000000000003ba27aa200b1cecaad478d2b00432346c3f1f3986da1afd33e506")
	tg, _ := TargetBytes(0x1b04864c)
	n := 0
	for b.Loop() {
		if HashMeetsTarget(h, tg) {
			n++
		}
		h[31]++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "hashes/s")
	_ = n
}

func BenchmarkASERT(b *testing.B) {
	limit := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(1))
	b.ReportAllocs()
	i := int64(0)
	for b.Loop() {
		i++
		if _, err := ASERT(0x1d00ffff, 60*i+int64(i%97), i, 60, 60*DefaultHalfLifeBlocks, limit); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "headers/s")
}

func BenchmarkCalcWork(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		CalcWork(0x1b04864c)
	}
}

func BenchmarkBlockWork(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		BlockWork(0x1b04864c)
	}
}
