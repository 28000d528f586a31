package hub

import (
	"math/big"
	"testing"

	"postwork/chain"
	"postwork/chain/chaintest"
	"postwork/chain/wire"
)

// hello is a HELLO of a node on TestNet at tip.
func helloAt(tip *chain.Header, work *chain.Chain) *wire.MsgHello {
	t := work.Tip()
	return &wire.MsgHello{Network: chain.TestNet.Name, Genesis: chain.TestNet.GenesisHash(), Tip: tip.Hash(), Height: tip.Height, Work: t.Work, Agent: "test", Version: wire.ProtocolVersion}
}

// The hub follows a full node's chain (headers checked, recent bodies
// fetched and checked), serves it to a light node that says HELLO, and
// announces a block the light node mines to the full node.
func TestChainHub(t *testing.T) {
	h, _ := testHub(t, nil)
	p := chain.TestNet
	// The full node's chain: 40 blocks, the last confirming a post.
	full, err := chain.New(p, chain.NewMemStore(), chain.Config{})
	if err != nil {
		t.Fatal(err)
	}
	genesis := p.Genesis().Header
	blocks := chaintest.Branch(t, p, &genesis, 39, "full")
	post := chaintest.Post(t, 6, "confirmed", genesis.Time+30)
	blocks = append(blocks, chaintest.Child(t, p, &blocks[38].Header, blocks[38].Header.Time+1, "last", post))
	for _, b := range blocks {
		if _, err := full.ProcessBlock(b, genesis.Time+3600); err != nil {
			t.Fatal(err)
		}
	}
	tip := blocks[len(blocks)-1]

	node, ns := open(t, h, "node", "10.0.0.1")
	send(node, helloAt(&tip.Header, full))
	ms := ns.take(t)
	if len(ms) != 2 {
		t.Fatalf("HELLO answered %v, want HELLO and GETHEADERS", ms)
	}
	if hello, ok := ms[0].(*wire.MsgHello); !ok || hello.Height != 0 {
		t.Errorf("hub's HELLO %+v, want one at genesis", ms[0])
	}
	gh, ok := ms[1].(*wire.MsgGetHeaders)
	if !ok {
		t.Fatalf("no GETHEADERS: %v", ms[1])
	}
	send(node, &wire.MsgHeaders{Headers: full.HeadersAfter(gh.Locator, gh.Stop, wire.MaxHeadersPerMsg)})
	if got := h.Chain().Tip().Hash; got != tip.Hash() {
		t.Fatalf("hub's tip %s, want the node's %s", got, tip.Hash())
	}
	// It asks for the recent bodies, 16 at a time.
	var asked []chain.Hash
	for _, m := range ns.take(t) {
		asked = append(asked, m.(*wire.MsgGetBlocks).Hashes...)
	}
	if len(asked) != recentBodies {
		t.Fatalf("hub asked for %d bodies, want %d", len(asked), recentBodies)
	}
	for _, hash := range asked {
		b, err := full.Block(hash)
		if err != nil {
			t.Fatal(err)
		}
		send(node, &wire.MsgBlock{Block: b})
	}
	if ms := ns.take(t); len(ms) != 0 {
		t.Errorf("serving blocks the hub asked for got %v back", ms)
	}

	// A light node: HELLO at genesis, headers, the tip's body with its post.
	light, ls := open(t, h, "light", "10.0.0.2")
	send(light, &wire.MsgHello{Network: p.Name, Genesis: p.GenesisHash(), Tip: p.GenesisHash(), Work: big.NewInt(1), Agent: "light", Version: wire.ProtocolVersion})
	ms = ls.take(t)
	if hello, ok := ms[0].(*wire.MsgHello); !ok || hello.Tip != tip.Hash() || hello.Height != 40 {
		t.Fatalf("light node got %v, want the hub's HELLO at the tip", ms)
	}
	send(light, &wire.MsgGetHeaders{Locator: []chain.Hash{p.GenesisHash()}, Max: wire.MaxHeadersPerMsg})
	ms = ls.take(t)
	if hs, ok := ms[0].(*wire.MsgHeaders); !ok || len(hs.Headers) != 40 {
		t.Fatalf("GETHEADERS answered %v, want 40 headers", ms)
	}
	old := blocks[0].Hash() // older than the recent bodies the hub keeps
	send(light, &wire.MsgGetBlocks{Hashes: []chain.Hash{tip.Hash(), old}})
	ms = ls.take(t)
	if len(ms) != 2 {
		t.Fatalf("GETBLOCKS answered %v", ms)
	}
	if b, ok := ms[0].(*wire.MsgBlock); !ok || b.Block.Hash() != tip.Hash() || len(b.Block.Events) != 1 || b.Block.Events[0].ID != post.ID {
		t.Errorf("GETBLOCKS sent %v, want the tip with its post", ms[0])
	}
	if nf, ok := ms[1].(*wire.MsgNotFound); !ok || len(nf.Hashes) != 1 || nf.Hashes[0] != old {
		t.Errorf("GETBLOCKS ended with %v, want NOTFOUND for the old block", ms[1])
	}

	// The light node mines a block: the hub checks it and tells the full
	// node, which asks for it and gets it.
	mined := chaintest.Child(t, p, &tip.Header, tip.Header.Time+1, "light")
	send(light, &wire.MsgBlock{Block: mined})
	if ms := ls.take(t); len(ms) != 0 {
		t.Errorf("the miner got %v back", ms)
	}
	ms = ns.take(t)
	if len(ms) != 1 {
		t.Fatalf("full node got %v, want one TIP", ms)
	}
	if tipMsg, ok := ms[0].(*wire.MsgTip); !ok || tipMsg.Header.Hash() != mined.Hash() {
		t.Fatalf("full node got %v, want TIP of the mined block", ms[0])
	}
	send(node, &wire.MsgGetBlocks{Hashes: []chain.Hash{mined.Hash()}})
	if ms := ns.take(t); len(ms) != 1 || ms[0].(*wire.MsgBlock).Block.Hash() != mined.Hash() {
		t.Errorf("full node asking for the mined block got %v", ms)
	}

	// A block whose post's signature is broken bans its sender.
	bad := chaintest.Post(t, 7, "forged", genesis.Time+40)
	bad.Sig[3] ^= 1
	forged := chaintest.Child(t, p, &mined.Header, mined.Header.Time+1, "forged", bad)
	send(light, &wire.MsgBlock{Block: forged})
	if ls.closed == 0 {
		t.Error("a peer sending an invalid block was not disconnected")
	}
	if h.Chain().Tip().Hash != mined.Hash() {
		t.Error("an invalid block's header became the tip")
	}
	// A node of another network is refused.
	other, os := open(t, h, "other", "10.0.0.3")
	send(other, &wire.MsgHello{Network: "dev", Genesis: chain.DevNet.GenesisHash(), Agent: "x", Version: 1, Work: big.NewInt(1)})
	if os.closed == 0 {
		t.Error("a node on another network stayed connected")
	}
}
