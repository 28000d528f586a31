package headerstore

import (
	"testing"

	"postwork/chain"
	"postwork/chain/chaintest"
	"postwork/wasm/kv"
)

// BenchmarkProcessHeader is the light node's header verification: the
// chain's full header checks plus this store, per header.
func BenchmarkProcessHeader(b *testing.B) {
	blocks := chaintest.Branch(b, p, &p.Genesis().Header, 2000, "a")
	b.ResetTimer()
	for i := 0; i < b.N; {
		b.StopTimer()
		s, _ := Open(kv.NewMem())
		c, err := chain.New(p, s, chain.Config{HeadersOnly: true})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for _, blk := range blocks {
			if i == b.N {
				break
			}
			if _, err := c.ProcessHeader(&blk.Header, blk.Header.Time); err != nil {
				b.Fatal(err)
			}
			i++
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "headers/s")
}
