package chain

import "testing"

// The genesis blocks are fixed: changing any parameter that goes into them
// changes the network's identity, and this test says so.
func TestGenesisBlocks(t *testing.T) {
	want := map[string]string{
		"main": "000000e1a6a616fe1889e6300a0c2339b7f5e1a4b0a887be56637121d1c859ac",
		"dev":  "00000a3e4d2b8c78132315e78fdc8060526ec36c45e7aa78e69b37e960d52d98",
		"test": "5b660764f2abafbadaa249ddf9b2a2e3cdbb7b6dfe7d81bd021c000221677662",
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
