package headerstore

import (
	"testing"

	"postwork/chain"
	"postwork/chain/chaintest"
	"postwork/chain/wire"
	"postwork/wasm/kv"
)

// BenchmarkProcessHeader is the light node's header verification: the
// chain's full header checks plus this store, per header, with a Flush per
// HEADERS message as the page does.
func BenchmarkProcessHeader(b *testing.B) {
	const batch = wire.MaxHeadersPerMsg
	blocks := chaintest.Branch(b, p, &p.Genesis().Header, 2*batch, "a")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; {
		b.StopTimer()
		s, _ := Open(kv.NewMem())
		c, err := chain.New(p, s, chain.Config{HeadersOnly: true})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for j, blk := range blocks {
			if i == b.N {
				break
			}
			if _, err := c.ProcessHeader(&blk.Header, blk.Header.Time); err != nil {
				b.Fatal(err)
			}
			i++
			if (j+1)%batch == 0 || i == b.N {
				if err := s.Flush(); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "headers/s")
}
