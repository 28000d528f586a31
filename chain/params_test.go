package chain

import "testing"

// The genesis blocks are fixed: changing any parameter that goes into them
// changes the network's identity, and this test says so.
func TestGenesisBlocks(t *testing.T) {
	want := map[string]string{
		"main": "00000082f3faba9981b11dc91a14609d1bb55263f3b6ec5f0f77fcda4ad5c237",
		"dev":  "0000080b09494aa6d42a1a1f46f3a363b38a94d590a17612e1ff4d122bfafe40",
		"test": "72cdff5c7f4a866681692a13e9c61c6e5436d7e673aea727fe6e36454eba5731",
	}
	for name, p := range Networks {
		g := p.Genesis()
		if err := CheckBlockSanity(p, g); err != nil {
			h := g.Header
			solve(t, p, &h)
			t.Errorf("%s genesis invalid (%v); a nonce that works: %d", name, err, h.Nonce)
			continue
		}
		if got := p.GenesisHash().String(); got != want[name] {
			t.Errorf("%s genesis hash %s, want %s", name, got, want[name])
		}
		if g.Header.Height != 0 || g.Coinbase.Reward != 0 || len(g.Events) != 0 {
			t.Errorf("%s genesis pays or confirms something", name)
		}
	}
}

func TestNetworksDiffer(t *testing.T) {
	seen := map[Hash]string{}
	for name, p := range Networks {
		if other, dup := seen[p.GenesisHash()]; dup {
			t.Fatalf("%s and %s share a genesis", name, other)
		}
		seen[p.GenesisHash()] = name
		if p.MaxBlockBody > MaxBlockBodySize || p.MaxBlockEvents > MaxBlockEvents {
			t.Errorf("%s: consensus limits above the decoder bounds", name)
		}
		if p.GenesisBits != p.PowLimitBits {
			lim, _ := NextBits(p, &p.Genesis().Header)
			if lim != p.GenesisBits {
				t.Errorf("%s: block 1 on schedule must carry the genesis target, got %08x", name, lim)
			}
		}
	}
}
